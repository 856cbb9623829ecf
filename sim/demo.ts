import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Redis } from 'ioredis';
import { createAlertStore } from '../src/alerts/alert-store.js';
import type { AlertView } from '../src/alerts/render.js';
import { renderPlainList } from '../src/alerts/render-plain.js';
import type { AlertStore } from '../src/alerts/types.js';
import { type Config, loadConfig } from '../src/config.js';
import { createForecastReader } from '../src/forecast/reader.js';
import { forecastLine } from '../src/forecast/render-parts.js';
import { formatSummary } from '../src/jobs/check.js';
import { readEnrichment } from '../src/jobs/cycle-state.js';
import { createPipeline } from '../src/jobs/pipeline.js';
import { wirePipeline } from '../src/jobs/production-deps.js';
import { createLogger } from '../src/logger.js';
import { OperatorError } from '../src/operator-error.js';
import {
  type PrivateRedis,
  RedisServerMissingError,
  redisAnswers,
  startPrivateRedis,
} from '../src/ops/private-redis.js';
import { deleteKeysMatching } from '../src/ops/redis-keys.js';
import { demoClosingLines, GO_LIVE_LINES } from './demo-report.js';
import { createFakeSlack, type FakeSlackMessage } from './fake-slack.js';
import { createSimulator } from './server.js';

/**
 * `npm run demo`, the embedded default: the simulator with a sample partner, one real cycle through the
 * same queues, rules, state and renderer as production (Slack is a local fake), and the alerts shown in
 * the terminal. Needs no account anywhere; touches no Redis key outside its own random prefix, and
 * deletes those when it is done.
 */

export const DEMO_CHANNEL = 'CDEMO0RENEW';
export const DEMO_INSTANCES = 200;
export const DEMO_ATTENTION = 12;

export type DemoOptions = {
  env?: Record<string, string | undefined>;
  stdout?: { write(text: string): unknown; isTTY?: boolean };
  stderr?: { write(text: string): unknown };
  /** Where the Block Kit JSON of each alert is written (default `.demo-out` in the working directory). */
  outDir?: string;
  /** Keep the demo's Redis keys instead of deleting them (to inspect them). */
  keepKeys?: boolean;
};

async function chooseRedis(
  env: Record<string, string | undefined>,
  say: (line: string) => void,
): Promise<{ url: string; server: PrivateRedis | null }> {
  const configured = env.REDIS_URL?.trim();
  if (configured && (await redisAnswers(configured))) {
    say(`Redis: using REDIS_URL (${new URL(configured).host}); the demo keeps to its own key prefix.`);
    return { url: configured, server: null };
  }
  if (configured)
    say(`Redis: nothing answers at REDIS_URL (${new URL(configured).host}); starting a private one.`);
  try {
    const server = await startPrivateRedis();
    say(`Redis: started a private redis-server on 127.0.0.1:${server.port} (stopped when the demo ends).`);
    return { url: server.url, server };
  } catch (error) {
    if (error instanceof RedisServerMissingError) {
      throw new OperatorError(
        'npm run demo needs Redis: install redis-server (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL to a running Redis.',
      );
    }
    throw error;
  }
}

function fileNameOf(alertKey: string): string {
  return `${alertKey.replace(/[^A-Za-z0-9_-]+/g, '_')}.json`;
}

/** Every open alert as the terminal shows it, with the renewal options the cycle found. */
async function openAlertViews(reader: Redis, config: Config, cycleId: string): Promise<AlertView[]> {
  const prefix = config.queuePrefix;
  const { records } = await createAlertStore({ redis: reader, prefix }).listOpen({ limit: 1000 });
  const views: AlertView[] = [];
  for (const record of records) {
    if (!record.evaluation) continue;
    views.push({
      evaluation: record.evaluation,
      record,
      enrichment: await readEnrichment(reader, prefix, cycleId, record.alertKey),
      portalUrl: config.portalUrl,
      now: Date.now(),
      timeZone: config.timeZone,
    });
  }
  return views;
}

/** Each message the fake Slack got, as a Block Kit JSON file; returns how many. */
function writeBlockKit(outDir: string, messages: readonly FakeSlackMessage[]): number {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const message of messages) {
    const payload = (message.metadata as { event_payload?: { alertKey?: string } } | undefined)
      ?.event_payload;
    const name = payload?.alertKey ? fileNameOf(payload.alertKey) : `digest-${message.ts}.json`;
    writeFileSync(join(outDir, name), `${JSON.stringify(message, null, 2)}\n`);
  }
  return messages.length;
}

/** The renewal forecast of the cycle just run, in one line (`npm run forecast` has the weeks). */
async function demoForecastLine(redis: Redis, config: Config, store: AlertStore): Promise<string> {
  const reader = createForecastReader({
    redis,
    prefix: config.queuePrefix,
    store,
    timeZone: config.timeZone,
    clock: Date.now,
  });
  const loaded = await reader.load({ days: config.forecast.days });
  return loaded === null
    ? 'Forecast: none (the cycle was not complete, so no snapshot was written).'
    : forecastLine(loaded.forecast);
}

export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const color = Boolean(stdout.isTTY) && !env.NO_COLOR;
  const say = (line: string) => stderr.write(`${line}\n`);
  const outDir = options.outDir ?? join(process.cwd(), '.demo-out');

  const base = loadConfig({ TZ: env.TZ, ALERT_DAYS: env.ALERT_DAYS, LOG_LEVEL: env.LOG_LEVEL });
  const { url: redisUrl, server } = await chooseRedis(env, say);
  const prefix = `yeastar-demo-${randomBytes(4).toString('hex')}`;
  const sim = await createSimulator({ instances: DEMO_INSTANCES, attention: DEMO_ATTENTION, seed: 7 });
  const slack = await createFakeSlack();
  say(`Simulator: ${DEMO_INSTANCES} instances over 4 product lines at ${sim.url}; Slack: a local fake.`);

  const config: Config = loadConfig({
    YEASTAR_BASE_URL: sim.url,
    YEASTAR_CLIENT_ID: sim.credentials.clientId,
    YEASTAR_CLIENT_SECRET: sim.credentials.clientSecret,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    SLACK_BOT_TOKEN: 'xoxb-demo-token',
    SLACK_API_URL: slack.url,
    SLACK_ALERT_CHANNEL: DEMO_CHANNEL,
    // The fake has no rate limit: let the demo go as fast as it can.
    SLACK_POSTS_PER_SECOND: '100',
    SLACK_BURST: '100',
    TZ: base.timeZone,
    ALERT_DAYS: base.alertDays.join(','),
    LOG_LEVEL: 'warn',
  });
  const logger = createLogger({ level: base.logLevel === 'debug' ? 'debug' : 'warn' });
  const connections: Redis[] = [];
  const connect = () => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    connections.push(redis);
    return redis;
  };
  const wired = wirePipeline(config, { redis: connect, logger });
  const pipeline = createPipeline(wired.deps);
  const started = performance.now();
  let exitCode = 0;
  try {
    await pipeline.startWorkers();
    const summary = await pipeline.runCycleNow();
    const seconds = (performance.now() - started) / 1000;

    const views = await openAlertViews(connect(), config, summary.cycleId);
    const messages = slack.messages(DEMO_CHANNEL);
    const written = writeBlockKit(outDir, messages);
    const topLevel = messages.filter((m) => !m.thread_ts).length;

    stdout.write(`\n${renderPlainList(views, { color })}\n\n`);
    const closing = demoClosingLines({
      evaluations: views.map((v) => v.evaluation),
      topLevelMessages: topLevel,
      digested: summary.digests > 0,
      outDir: relative(process.cwd(), outDir) || '.',
      files: written,
    });
    stdout.write(`${closing.join('\n')}\n`);
    stdout.write(`${formatSummary(summary, seconds)}\n\n`);
    stdout.write(`${GO_LIVE_LINES.join('\n')}\n`);
    stdout.write(`\n${await demoForecastLine(connect(), config, wired.deps.store)}\n`);
    exitCode = summary.ok ? 0 : 1;
  } finally {
    await pipeline.close();
    await wired.close();
    if (!options.keepKeys) {
      const cleaner = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      await deleteKeysMatching(cleaner, `${prefix}:*`);
      await cleaner.quit();
    }
    for (const redis of connections) redis.disconnect();
    await slack.close();
    await sim.close();
    await server?.stop();
  }
  return exitCode;
}
