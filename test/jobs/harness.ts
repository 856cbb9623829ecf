import { Redis } from 'ioredis';
import { renewedUntil } from '../../sim/dataset.js';
import { createFakeSlack, type FakeSlack, type FakeSlackMessage } from '../../sim/fake-slack.js';
import { createSimulator, type SimOptions, type Simulator } from '../../sim/server.js';
import { createAlertStore } from '../../src/alerts/alert-store.js';
import { evaluateInstance } from '../../src/alerts/rules.js';
import type { Evaluation } from '../../src/alerts/types.js';
import { type Config, loadConfig } from '../../src/config.js';
import { runCheck } from '../../src/jobs/check.js';
import type { PipelineTuning } from '../../src/jobs/context.js';
import { createPipeline, type Pipeline, type PipelineDeps } from '../../src/jobs/pipeline.js';
import { silentLogger } from '../../src/logger.js';
import { createSlackWebClient } from '../../src/slack/web-client.js';
import { createYeastarClient } from '../../src/yeastar/client.js';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/** One simulator, one fake Slack, one Redis prefix, and a clock the test moves: the whole bot's world. */

export const CHANNEL = 'CALERTS';
export const DAY = 86_400_000;
/** A fixed "now" so expiry dates and day counts are the same on every run. */
export const NOW = Date.UTC(2026, 10, 24, 7, 0, 0);

export const FAST: Partial<PipelineTuning> = {
  backoffMs: 50,
  pollIntervalMs: 40,
  stallCheckMs: 5_000,
  stalledIntervalMs: 1_000,
  slackLimit: { max: 1_000, duration: 1_000 },
};

export type World = {
  sim: Simulator;
  slack: FakeSlack;
  config: Config;
  prefix: string;
  clock: { now: number };
  redis: Redis;
  connect: () => Redis;
  /** `npm run check` in-process; resolves with the exit code and the summary line. */
  check(): Promise<{ code: number; line: string }>;
  /** A pipeline on this world; `extra` adds or replaces dependencies (e.g. `onCycleFinished`). */
  pipeline(extra?: Partial<PipelineDeps>): Pipeline;
  /** What the rules say about every instance the simulator serves now, alerting ones only. */
  expectedAlerts(): Promise<Evaluation[]>;
  topLevel(): FakeSlackMessage[];
  replies(ts: string): FakeSlackMessage[];
  /** Successful chat.postMessage calls, by the alertKey of their metadata. */
  postsByAlert(): Map<string, number>;
  close(): Promise<void>;
};

export function alertKeyOfMessage(message: { metadata?: unknown }): string | undefined {
  const meta = message.metadata as { event_payload?: { alertKey?: string } } | undefined;
  return meta?.event_payload?.alertKey;
}

export async function createWorld(
  options: {
    sim?: SimOptions;
    env?: Record<string, string>;
    tuning?: Partial<PipelineTuning>;
    /** Makes the world's Redis connections (a cluster client in the cluster tests); TEST_REDIS_URL by default. */
    redis?: () => Redis;
  } = {},
): Promise<World> {
  const clock = { now: NOW };
  const sim = await createSimulator({ seed: 7, anchorMs: NOW, ...options.sim });
  const slack = await createFakeSlack();
  const prefix = uniquePrefix('jobs');
  const connections: Redis[] = [];
  const connect = () => {
    const connection = options.redis?.() ?? new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    connections.push(connection);
    return connection;
  };
  const redis = connect();
  const config = loadConfig({
    YEASTAR_BASE_URL: sim.url,
    YEASTAR_CLIENT_ID: sim.credentials.clientId,
    YEASTAR_CLIENT_SECRET: sim.credentials.clientSecret,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_API_URL: slack.url,
    SLACK_ALERT_CHANNEL: CHANNEL,
    SLACK_POSTS_PER_SECOND: '200',
    SLACK_BURST: '200',
    QUEUE_PREFIX: prefix,
    TZ: 'UTC',
    LOG_LEVEL: 'error',
    ...options.env,
  });
  const logger = silentLogger();
  const clockFn = () => clock.now;
  const pipelines: Pipeline[] = [];

  const world: World = {
    sim,
    slack,
    config,
    // The configured one: in cluster mode QUEUE_PREFIX gets its hash-tag braces.
    prefix: config.queuePrefix,
    clock,
    redis,
    connect,
    async check() {
      let line = '';
      const code = await runCheck(config, {
        redis: connect,
        logger,
        clock: clockFn,
        tuning: { ...FAST, ...options.tuning },
        handleSignals: false,
        stdout: { write: (text: string) => (line += text) },
        stderr: { write: () => true, isTTY: false },
      });
      return { code, line: line.trim() };
    },
    pipeline(extra = {}) {
      const shared = connect();
      const client = createYeastarClient({
        baseUrl: sim.url,
        clientId: sim.credentials.clientId,
        clientSecret: sim.credentials.clientSecret,
        userAgent: 'OpenAPI',
        redis: shared,
        keyPrefix: config.queuePrefix,
        clock: clockFn,
        retry: { baseDelayMs: 20, maxDelayMs: 200 },
      });
      const pipeline = createPipeline({
        config,
        redis: connect,
        client,
        store: createAlertStore({ redis: shared, prefix: config.queuePrefix }),
        slack: createSlackWebClient({ token: config.slack.botToken, apiUrl: slack.url, logger }),
        logger,
        clock: clockFn,
        tuning: { ...FAST, ...options.tuning },
        ...extra,
      });
      pipelines.push(pipeline);
      return pipeline;
    },
    async expectedAlerts() {
      const client = createYeastarClient({
        baseUrl: sim.url,
        clientId: sim.credentials.clientId,
        clientSecret: sim.credentials.clientSecret,
        userAgent: 'OpenAPI',
        redis,
        keyPrefix: `${config.queuePrefix}:expect`,
      });
      const out: Evaluation[] = [];
      for (const line of await client.listProductLines()) {
        for await (const page of client.listInstances(line.productId)) {
          for (const instance of page.instances) {
            const evaluation = evaluateInstance(instance, {
              now: clock.now,
              thresholds: config.alertDays,
              timeZone: config.timeZone,
              productName: line.name,
            });
            if (evaluation.stage !== null) out.push(evaluation);
          }
        }
      }
      return out;
    },
    topLevel() {
      return slack.messages(CHANNEL).filter((m) => m.thread_ts === undefined);
    },
    replies(ts) {
      return slack.messages(CHANNEL).filter((m) => m.thread_ts === ts);
    },
    postsByAlert() {
      const counts = new Map<string, number>();
      for (const call of slack.calls) {
        if (call.method !== 'chat.postMessage' || !call.ok) continue;
        const key = alertKeyOfMessage(call.body);
        if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    },
    async close() {
      await Promise.all(pipelines.map((p) => p.close()));
      await sim.close();
      await slack.close();
      await deleteKeys(redis, config.queuePrefix);
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
  return world;
}

/** Renews an instance in the simulator: plan and every service a year ahead, nothing switching. */
export function renew(world: World, evaluation: Evaluation): void {
  const { productId, productNo } = evaluation.subject;
  const raw = world.sim.getInstance(productId, productNo)!;
  world.sim.updateInstance(productId, productNo, renewedUntil(raw, NOW + 400 * DAY));
}
