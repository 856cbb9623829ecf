import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli-process.js';
import { listKeys } from '../helpers/redis.js';
import { alertKeyOfMessage, createWorld, type World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a check killed with SIGKILL mid-cycle', () => {
  it('is completed by the next run: nothing lost, nothing doubled', { timeout: 120_000 }, async () => {
    const anchor = Date.now();
    world = await createWorld({
      sim: { instances: 2_000, attention: 15, anchorMs: anchor, faults: { latencyMs: 40 } },
      env: { DIGEST_OVER: '50', YEASTAR_CONCURRENCY: '2' },
    });
    world.clock.now = anchor;
    const w = world;
    const expected = (await w.expectedAlerts()).map((e) => e.alertKey);

    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'check'], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        YEASTAR_BASE_URL: w.sim.url,
        YEASTAR_CLIENT_ID: w.sim.credentials.clientId,
        YEASTAR_CLIENT_SECRET: w.sim.credentials.clientSecret,
        YEASTAR_CONCURRENCY: '2',
        SLACK_BOT_TOKEN: w.config.slack.botToken,
        SLACK_API_URL: w.slack.url,
        SLACK_ALERT_CHANNEL: w.config.slack.alertChannel,
        SLACK_POSTS_PER_SECOND: '200',
        SLACK_BURST: '200',
        DIGEST_OVER: '50',
        QUEUE_PREFIX: w.prefix,
        REDIS_URL: w.config.redisUrl,
        TZ: 'UTC',
        LOG_LEVEL: 'error',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );

    // Kill it once a few pages are in: mid-scan, with jobs in flight.
    let killed = false;
    for (let i = 0; i < 600 && !killed; i++) {
      // A whole SCAN, not its first batch: on a Redis shared with other runs the key may come later.
      for (const key of await listKeys(w.redis, `${w.prefix}:cycle:check-*:finished`)) {
        if ((await w.redis.scard(key)) >= 4) {
          child.kill('SIGKILL');
          killed = true;
        }
      }
      if (!killed) await new Promise((r) => setTimeout(r, 50));
    }
    expect(killed).toBe(true);
    expect(await exited).toBe('SIGKILL');
    expect(w.postsByAlert().size).toBeLessThan(expected.length);

    // The next run waits for the orphaned cycle (its lock expires, it is resumed), then runs its own.
    const result = await w.check();
    expect(result.code).toBe(0);
    const posts = w.postsByAlert();
    expect([...posts.keys()].sort()).toEqual([...expected].sort());
    for (const [key, n] of posts) expect(n, key).toBe(1);
    expect(w.topLevel().map(alertKeyOfMessage).sort()).toEqual([...expected].sort());
  });
});

describe('checks killed with SIGKILL, one after another', () => {
  it('cost the next check one cycle: the interrupted one is finished (its digest thread too), the never-started one dropped', {
    timeout: 180_000,
  }, async () => {
    const anchor = Date.now();
    world = await createWorld({
      sim: { instances: 600, attention: 14, anchorMs: anchor, faults: { latencyMs: 20 } },
      env: { DIGEST_OVER: '5' },
    });
    world.clock.now = anchor;
    const w = world;
    const expected = (await w.expectedAlerts()).map((e) => e.alertKey).sort();
    const env = {
      YEASTAR_BASE_URL: w.sim.url,
      YEASTAR_CLIENT_ID: w.sim.credentials.clientId,
      YEASTAR_CLIENT_SECRET: w.sim.credentials.clientSecret,
      SLACK_BOT_TOKEN: w.config.slack.botToken!,
      SLACK_API_URL: w.slack.url,
      SLACK_ALERT_CHANNEL: w.config.slack.alertChannel!,
      // Slow enough for the kill to land while the storm's thread is being filled.
      SLACK_POSTS_PER_SECOND: '2',
      SLACK_BURST: '2',
      DIGEST_OVER: '5',
      QUEUE_PREFIX: w.prefix,
      REDIS_URL: w.config.redisUrl,
      TZ: 'UTC',
    };
    const threaded = () =>
      w.slack.messages(w.config.slack.alertChannel!).filter((m) => m.thread_ts !== undefined);

    // 1. Killed with the digest up and a few alerts in its thread.
    const first = spawnCli('check', env);
    for (let i = 0; i < 600 && threaded().length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    expect(threaded().length).toBeGreaterThanOrEqual(3);
    // Killed between posts, not inside one: a post Slack took whose record never reached Redis would be
    // posted again (Slack has no idempotency key); Slack answering 429 for a moment empties the gap.
    w.slack.rateLimitNext(3, 1, 'chat.postMessage');
    await new Promise((r) => setTimeout(r, 400));
    first.child.kill('SIGKILL');
    await first.exited;
    const before = threaded().length;
    expect(before).toBeLessThan(expected.length);

    // 2. Killed while its own cycle waits behind the first (whose lock is still held).
    const second = spawnCli('check', env);
    // Its cycle job queued (BullMQ's hash of it, beside the first one's), not yet taken.
    const cycleJobs = () => listKeys(w.redis, `${w.prefix}:poll:check-*`);
    for (let i = 0; i < 600 && (await cycleJobs()).filter((k) => !k.endsWith(':lock')).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await cycleJobs()).filter((k) => !k.endsWith(':lock'))).toHaveLength(2);
    second.child.kill('SIGKILL');
    await second.exited;

    // 3. The recovery.
    const third = spawnCli('check', env, 120_000);
    const { code } = await third.exited;
    expect(code, third.stderr()).toBe(0);

    // Nothing lost, nothing posted twice; one digest, every alert in its thread.
    const posts = w.postsByAlert();
    expect([...posts.keys()].sort()).toEqual(expected);
    for (const [key, n] of posts) expect(n, key).toBe(1);
    const top = w.topLevel();
    expect(top).toHaveLength(1);
    expect(alertKeyOfMessage(top[0]!)).toBeUndefined();
    expect(threaded().map(alertKeyOfMessage).sort()).toEqual(expected);
    expect(top[0]!.text).not.toMatch(/so far/);

    // Two cycles ran in the recovery (the interrupted one, then its own), not three: the second
    // check's cycle, which never started, was dropped.
    const finished = third.stderr().match(/"msg":"cycle finished"/g) ?? [];
    expect(finished).toHaveLength(2);
    expect(third.stderr()).toContain('dropped cycles queued by checks that are gone');
    const started = await listKeys(w.redis, `${w.prefix}:cycle:check-*`);
    expect(new Set(started.map((k) => k.split(':')[2])).size).toBe(2);
  });
});
