import type { Redis } from 'ioredis';
import { type Clock, systemClock } from './clock.js';
import { type Config, longestPollGapMs, type RequiredSetting, requireSettings } from './config.js';
import { closeWithin, createOrClose } from './jobs/check.js';
import type { Pipeline } from './jobs/pipeline.js';
import { type Wired, type WiringOverrides, wirePipeline } from './jobs/production-deps.js';
import { createLogger, type Logger } from './logger.js';
import { measureClockSkew, warnOnClockSkew } from './ops/clock-skew.js';
import { createHealthCheck } from './ops/health.js';
import { opsRoutes } from './ops/http.js';
import { createMetrics, type Metrics } from './ops/metrics.js';
import { armExitGuard, stopSignals } from './ops/shutdown.js';
import { createSlackApp, type SlackApp } from './slack/app.js';
import { startRenewFollower } from './slack/renew/follower.js';
import { createSlackWebClient } from './slack/web-client.js';

/**
 * `npm start`: the poll schedule and every worker, the Slack app (HTTP on PORT, or Socket Mode), and
 * `/healthz` and `/metrics` beside it, until SIGTERM/SIGINT. Then, in order: the Slack app stops taking
 * requests, the workers finish or hand back the jobs in hand, Redis closes. Nothing is lost: an unfinished
 * cycle resumes in the next process that takes it.
 */
export type BotOptions = WiringOverrides & {
  /** Resolves when the bot should stop (tests); by default SIGTERM or SIGINT (a second one exits at once). */
  until?: Promise<unknown>;
  /** Told the bound port once the bot is serving (tests pass PORT 0). */
  onListening?: (port: number) => void;
};

/** The settings `npm start` cannot do without; Socket Mode needs no signing secret (the socket is the proof). */
export function botSettings(
  socketMode: boolean,
  options: Pick<BotOptions, 'client'> = {},
): RequiredSetting[] {
  const needed: RequiredSetting[] = [];
  if (!options.client) needed.push('YEASTAR_CLIENT_ID', 'YEASTAR_CLIENT_SECRET');
  needed.push('SLACK_BOT_TOKEN', 'SLACK_ALERT_CHANNEL');
  if (!socketMode) needed.push('SLACK_SIGNING_SECRET');
  return needed;
}

export async function runBot(config: Config, options: BotOptions = {}): Promise<number> {
  requireSettings(config, botSettings(Boolean(config.slack.appToken), options));

  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const metrics = createMetrics();
  const slack =
    options.slack ??
    createSlackWebClient({
      token: config.slack.botToken,
      apiUrl: config.slack.apiUrl,
      logger,
      observe: metrics.slackCall,
    });
  // Before any connection: a signal from here on is ours to handle, never Node's default.
  const signals = options.until
    ? null
    : stopSignals((signal) => logger.warn({ signal }, 'second signal: exiting now'));
  const wired = wirePipeline(config, { ...options, logger, slack });
  const stopAsked = options.until ?? signals!.received;
  const pipeline = await createOrClose(wired, {
    onCycleFinished: (summary) =>
      metrics.observeCycle({
        ok: summary.ok,
        seconds: Math.max(0, (summary.finishedAt - summary.startedAt) / 1000),
        instances: summary.instances,
      }),
  }).catch((error: unknown) => {
    signals?.dispose();
    throw error;
  });
  // Redis within REDIS_CONNECT_TIMEOUT (else the one line naming REDIS_URL), unless a stop comes first.
  const early = await Promise.race([
    wired.link.ready(config.redisConnectTimeoutMs).then(
      () => null,
      (error: unknown) => ({ error }),
    ),
    stopAsked.then(() => ({ error: null })),
  ]);
  if (early) {
    await closeWithin(pipeline, wired, 0);
    signals?.dispose();
    if (early.error) throw early.error;
    logger.info('stopped before Redis answered');
    return 0;
  }
  const slackApp = await assembleSlackApp(config, {
    logger,
    wired,
    pipeline,
    metrics,
    clock: options.clock ?? systemClock,
  });

  await pipeline.start();
  // Orders placed from Slack are followed here until final (a BullMQ worker of its own).
  const renewFollower =
    config.renew.mode === 'live'
      ? startRenewFollower({
          config,
          connection: wired.deps.redis(),
          redis: wired.deps.redis(),
          store: wired.deps.store,
          slack,
          logger,
          clock: options.clock ?? systemClock,
        })
      : null;
  // A Slack app that cannot start (a refused app token) ends the start: the workers just started go too.
  const { port } = await slackApp.start().catch(async (error: unknown) => {
    await renewFollower?.close();
    await closeWithin(pipeline, wired, 0);
    signals?.dispose();
    throw error;
  });
  logger.info(
    {
      port,
      mode: config.slack.appToken ? 'socket' : 'http',
      schedule: config.pollCron ?? `${config.pollEveryMs} ms`,
    },
    'bot running',
  );
  options.onListening?.(port);

  const reason = await stopAsked;
  const clean = await stopBot({ config, logger, wired, reason, guard: !options.until }, async () => {
    await slackApp.stop();
    await renewFollower?.close();
    await pipeline.close();
  });
  signals?.dispose();
  return clean ? 0 : 1;
}

/** The Slack app with `/healthz` and `/metrics` beside it, on a connection of its own. */
async function assembleSlackApp(
  config: Config,
  deps: { logger: Logger; wired: Wired; pipeline: Pipeline; metrics: Metrics; clock: Clock },
): Promise<SlackApp> {
  const { logger, wired, metrics, clock } = deps;
  const redis: Redis = wired.deps.redis();
  await warnOnClockSkew({ redis, clock, logger });
  metrics.attach({
    store: wired.deps.store,
    client: wired.deps.client,
    queues: Object.values(deps.pipeline.queues),
    clockSkew: () => measureClockSkew(redis, clock),
  });
  const health = createHealthCheck({
    redis,
    redisStatus: wired.link.status,
    prefix: config.queuePrefix,
    pollIntervalMs: longestPollGapMs(config),
  });
  return createSlackApp({
    config,
    store: wired.deps.store,
    client: wired.deps.client,
    redis,
    logger,
    routes: opsRoutes({ health, metrics }),
    renewCount: metrics.renewOrder,
  });
}

/**
 * The stop: the Slack app stops taking requests, the workers finish or hand back the jobs in hand, Redis
 * closes; within STOP_GRACE, or at once when Redis is gone (nothing can finish or be handed back
 * without it: the jobs' locks expire and another process takes them over).
 */
async function stopBot(
  deps: { config: Config; logger: Logger; wired: Wired; reason: unknown; guard: boolean },
  close: () => Promise<void>,
): Promise<boolean> {
  const { config, logger } = deps;
  logger.info(
    { reason: deps.reason, graceSeconds: config.stopGraceMs / 1000 },
    'stopping: finishing the jobs in hand or handing them back',
  );
  // Past the grace period and the connections' own close, nothing may keep the process up.
  if (deps.guard) armExitGuard(config.stopGraceMs + 5_000, () => 1);
  const clean = await closeWithin({ close }, deps.wired, config.stopGraceMs);
  if (clean) logger.info('stopped');
  else
    logger.warn(
      'stopped before the jobs in hand were done (Redis gone, or STOP_GRACE over): ' +
        'they go back to the queue when their locks expire, and another process takes them over',
    );
  return clean;
}
