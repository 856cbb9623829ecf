import type { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actionBody, actionPayload, FORM, postToSlackApp } from '../../sim/slack-sign.js';
import { createAlertStore } from '../../src/alerts/alert-store.js';
import { ACTIONS_BLOCK_ID } from '../../src/alerts/render.js';
import { ACTION_IDS } from '../../src/alerts/types.js';
import { silentLogger } from '../../src/logger.js';
import { createRedisFactory } from '../../src/ops/redis-factory.js';
import { createSlackApp } from '../../src/slack/app.js';
import { createYeastarClient } from '../../src/yeastar/client.js';
import { spawnCli } from '../helpers/cli-process.js';
import { type LocalServers, onPath, startLocalCluster } from '../helpers/redis-cluster.js';
import { alertKeyOfMessage, createWorld, type World } from '../jobs/harness.js';

const missing = ['redis-server', 'redis-cli'].filter((binary) => !onPath(binary));
const title = missing.length
  ? `Redis Cluster (SKIPPED: ${missing.join(' and ')} not on PATH; apt-get install redis-server)`
  : 'the bot on a local 3-master Redis Cluster (REDIS_MODE=cluster)';

const SECRET = 'cluster-test-signing-secret';

describe.skipIf(missing.length > 0)(title, () => {
  let cluster: LocalServers;
  let connect: () => Redis;
  let world: World | undefined;

  beforeAll(async () => {
    cluster = await startLocalCluster();
    connect = createRedisFactory({ url: cluster.url, mode: 'cluster' });
  }, 60_000);

  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const clusterEnv = () => ({ REDIS_MODE: 'cluster', REDIS_URL: cluster.url });

  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

  it('runs full cycles, every key in the one slot of the hash-tagged prefix, and a button click updates the alert', {
    timeout: 120_000,
  }, async () => {
    world = await createWorld({
      sim: { instances: 300, attention: 9 },
      env: { ...clusterEnv(), DIGEST_OVER: '50', SLACK_SIGNING_SECRET: SECRET, PORT: '0' },
      redis: connect,
    });
    const w = world;
    expect(w.prefix).toMatch(/^\{t-jobs-[0-9a-f]+\}$/);
    const expected = (await w.expectedAlerts()).map((e) => e.alertKey).sort();
    expect(expected.length).toBeGreaterThan(3);

    const first = await w.check();
    expect(first.code, first.line).toBe(0);
    expect(first.line).toContain(`${expected.length} posted`);
    expect(w.topLevel().map(alertKeyOfMessage).sort()).toEqual(expected);
    const second = await w.check();
    expect(second.code, second.line).toBe(0);
    expect(second.line).toContain(' 0 posted, 0 escalated, 0 updated, 0 resolved');

    // Every key of the queues, the alert store and the cycle state sits in the prefix's slot.
    // COUNTKEYSINSLOT answers for the node's own slots only: every master is asked.
    const masters = (w.redis as unknown as Cluster).nodes('master');
    const slot = Number(await w.redis.call('cluster', 'keyslot', w.prefix));
    const inSlot = await Promise.all(masters.map((node) => node.call('cluster', 'countkeysinslot', slot)));
    const all = await Promise.all(masters.map((node) => node.dbsize()));
    expect(inSlot.map(Number).filter((n) => n > 0)).toHaveLength(1);
    expect(sum(inSlot.map(Number))).toBeGreaterThan(10);
    expect(sum(all)).toBe(sum(inSlot.map(Number)));

    // A click on Acknowledge, answered by the Slack app on the same cluster.
    const app = createSlackApp({
      config: w.config,
      store: createAlertStore({ redis: w.redis, prefix: w.prefix }),
      client: createYeastarClient({
        baseUrl: w.sim.url,
        clientId: w.sim.credentials.clientId,
        clientSecret: w.sim.credentials.clientSecret,
        userAgent: 'OpenAPI',
        redis: w.redis,
        keyPrefix: w.prefix,
      }),
      redis: w.redis,
      logger: silentLogger(),
      clock: () => w.clock.now,
    });
    const { port } = await app.start();
    try {
      const message = w.topLevel()[0]!;
      const alertKey = alertKeyOfMessage(message)!;
      const payload = actionPayload(
        'UCLUSTER1',
        { action_id: ACTION_IDS.acknowledge, block_id: `${ACTIONS_BLOCK_ID}:${alertKey}`, value: alertKey },
        { kind: 'message', channel: message.channel, ts: message.ts, responseUrl: w.slack.responseUrl() },
      );
      const answer = await postToSlackApp(
        `http://127.0.0.1:${port}/slack/events`,
        actionBody(payload),
        FORM,
        {
          secret: SECRET,
        },
      );
      expect(answer.status).toBe(200);
      for (let i = 0; i < 200 && !w.slack.calls.some((c) => c.method === 'chat.update'); i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      const updated = w.topLevel().find((m) => m.ts === message.ts)!;
      expect(JSON.stringify(updated.blocks)).toContain('Acknowledged by <@UCLUSTER1>');
      expect(w.topLevel()).toHaveLength(expected.length);
    } finally {
      await app.stop();
    }
  });

  it('a check killed with SIGKILL mid-cycle is completed by the next one: nothing lost, nothing doubled', {
    timeout: 120_000,
  }, async () => {
    const anchor = Date.now();
    world = await createWorld({
      sim: { instances: 1_000, attention: 15, anchorMs: anchor, faults: { latencyMs: 40 } },
      env: { ...clusterEnv(), DIGEST_OVER: '50', YEASTAR_CONCURRENCY: '2' },
      redis: connect,
    });
    world.clock.now = anchor;
    const w = world;
    const expected = (await w.expectedAlerts()).map((e) => e.alertKey).sort();
    const child = spawnCli('check', {
      ...clusterEnv(),
      YEASTAR_BASE_URL: w.sim.url,
      YEASTAR_CLIENT_ID: w.sim.credentials.clientId,
      YEASTAR_CLIENT_SECRET: w.sim.credentials.clientSecret,
      YEASTAR_CONCURRENCY: '2',
      SLACK_BOT_TOKEN: w.config.slack.botToken!,
      SLACK_API_URL: w.slack.url,
      SLACK_ALERT_CHANNEL: w.config.slack.alertChannel!,
      SLACK_POSTS_PER_SECOND: '4',
      SLACK_BURST: '4',
      DIGEST_OVER: '50',
      // Without its braces: the check must add them as the test's world did.
      QUEUE_PREFIX: w.prefix.slice(1, -1),
      TZ: 'UTC',
      LOG_LEVEL: 'error',
    });
    // Killed with some alerts posted and others still to go.
    for (let i = 0; i < 1_200 && w.postsByAlert().size < 3; i++) await new Promise((r) => setTimeout(r, 25));
    // Killed between posts, not inside one (as in test/jobs/crash.test.ts): a post Slack took whose record
    // never reached Redis would be posted again, Slack having no idempotency key; a moment of 429s empties
    // the gap.
    w.slack.rateLimitNext(3, 1, 'chat.postMessage');
    await new Promise((r) => setTimeout(r, 400));
    child.child.kill('SIGKILL');
    const { code } = await child.exited;
    expect(code, child.stderr()).toBeNull();
    expect(w.postsByAlert().size).toBeGreaterThanOrEqual(3);
    expect(w.postsByAlert().size).toBeLessThan(expected.length);

    const result = await w.check();
    expect(result.code, result.line).toBe(0);
    const posts = w.postsByAlert();
    expect([...posts.keys()].sort()).toEqual(expected);
    for (const [key, n] of posts) expect(n, key).toBe(1);
  });
});
