import { randomBytes } from 'node:crypto';
import { DelayedError, type Job, type Processor, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { loadRoutesFile } from '../alerts/routes.js';
import type { AlertStore } from '../alerts/types.js';
import { type Clock, systemClock } from '../clock.js';
import type { Config } from '../config.js';
import { type Logger, silentLogger } from '../logger.js';
import type { RedisLink } from '../ops/redis-connection.js';
import { createChannelLimiter } from '../slack/channel-limiter.js';
import { createSlackHistory } from '../slack/history.js';
import type { SlackWebClient } from '../slack/web-client.js';
import type { YeastarClient } from '../yeastar/types.js';
import { CHECK_JOB_PREFIX, createCheckWaiters } from './check-waiters.js';
import { defaultTuning, type PipelineContext, type PipelineTuning } from './context.js';
import { queueRepair } from './copy-repair.js';
import { createCycleState } from './cycle-state.js';
import { type CycleProgress, type CycleSummary, failureCounters, summaryOf } from './cycle-summary.js';
import { processEnrich } from './enrich-job.js';
import { isFinalFailure } from './errors.js';
import { createForecastDigest } from './forecast-digest.js';
import { createHeldBatch } from './held-digest.js';
import { cycleIdOf, QUEUES, type QueueName, SCHEDULER_ID } from './ids.js';
import type { EnrichData, NotifyData, ScanData } from './job-data.js';
import { createPostIntents } from './notify/post-intent.js';
import { processNotify } from './notify/process.js';
import { processCycle, reportCycleEnd } from './orchestrator.js';
import { jobOptions } from './queue-options.js';
import { processScan } from './scan.js';
import { keepSchedule } from './schedule-keeper.js';
import { createSelfMonitor, type SelfMonitor } from './self-monitor.js';

/**
 * The polling pipeline on BullMQ: four queues (`poll` orchestrates a cycle; `scan`, `enrich`, `notify`
 * do the work), one job scheduler, and the workers that run them. Several processes may run it on one
 * Redis: the scheduler is upserted by id (one schedule), the `poll` queue's global concurrency is 1 (one
 * cycle at a time), and every job id is deterministic (no work done twice).
 */

export type PipelineDeps = {
  config: Config;
  /** Makes a new connection; BullMQ needs `maxRetriesPerRequest: null` and its own for each worker. */
  redis: () => Redis;
  client: YeastarClient;
  store: AlertStore;
  /** Its errors are the SlackApiError family, which the notify jobs act on. */
  slack: SlackWebClient;
  logger?: Logger;
  clock?: Clock;
  tuning?: Partial<PipelineTuning>;
  /** Told each cycle's summary once it ended (done or failed), in the process that ran it: metrics. */
  onCycleFinished?: (summary: CycleSummary) => void;
  /** Default: one posting to SLACK_OPS_CHANNEL after META_FAIL_AFTER failed cycles. */
  selfMonitor?: SelfMonitor;
  /**
   * Takes the 'error' events of the queues and workers (the process's Redis link, which turns an outage
   * into two log lines). Default: each error is logged.
   */
  watch?: RedisLink['watch'];
};

export type RunCycleOptions = {
  /** Called while the cycle runs, with pages done per product line. */
  onProgress?: (progress: CycleProgress) => void;
  /** Reuse a cycle id (tests: "the same cycle job twice"). */
  jobId?: string;
};

export type Pipeline = {
  /** Workers and the schedule: what `npm start` runs. */
  start(): Promise<void>;
  /** Workers only: what `npm run check` runs, so its cycle is served in-process. */
  startWorkers(): Promise<void>;
  /** Adds a cycle job now and resolves with its summary once every job of it has finished. */
  runCycleNow(options?: RunCycleOptions): Promise<CycleSummary>;
  /** Stops taking jobs, lets the ones in hand finish (a waiting cycle is handed back), closes Redis. */
  close(): Promise<void>;
  queues: Record<QueueName, Queue>;
};

export function createPipeline(deps: PipelineDeps): Pipeline {
  const { config } = deps;
  // First, before any connection is opened: a bad routes file stops the start with its file:line.
  const routes = config.routesFile
    ? loadRoutesFile(config.routesFile, { thresholds: config.alertDays })
    : null;
  const logger = deps.logger ?? silentLogger();
  const prefix = config.queuePrefix;
  const tuning: PipelineTuning = { ...defaultTuning(config), ...deps.tuning };
  const connections: Redis[] = [];
  const connect = () => {
    const connection = deps.redis();
    connections.push(connection);
    return connection;
  };
  const redis = connect();
  // An emitter without an 'error' listener prints each error with its stack (BullMQ, ioredis).
  const watch: RedisLink['watch'] =
    deps.watch ??
    ((source, what) => {
      source.on('error', (error) => logger.error({ queue: what, err: error }, 'queue or worker error'));
      return source;
    });
  const queues = Object.fromEntries(
    Object.values(QUEUES).map((name) => [name, watch(new Queue(name, { connection: redis, prefix }), name)]),
  ) as Record<QueueName, Queue>;
  let closing = false;
  let closed: Promise<void> | undefined;
  const clock = deps.clock ?? systemClock;
  const ctx: PipelineContext = {
    config,
    client: deps.client,
    store: deps.store,
    slack: deps.slack,
    logger,
    clock,
    redis,
    state: createCycleState({ redis, prefix }),
    limiter: createChannelLimiter({
      redis,
      prefix,
      postsPerSecond: config.slack.postsPerSecond,
      burst: config.slack.burst,
    }),
    held: createHeldBatch({ redis, prefix, clock }),
    history: createSlackHistory({ slack: deps.slack, logger }),
    intents: createPostIntents(redis, prefix),
    queues,
    tuning,
    routes,
    selfMonitor:
      deps.selfMonitor ??
      createSelfMonitor({
        redis,
        prefix,
        slack: deps.slack,
        channel: config.slack.opsChannel,
        failAfter: config.metaFailAfter,
        logger,
      }),
    ...(deps.onCycleFinished ? { onCycleFinished: deps.onCycleFinished } : {}),
    closing: () => closing,
  };
  const workers: Worker[] = [];
  const forecastDigest = createForecastDigest(ctx, connect, watch);

  /** Reports a job that failed for good to its cycle, so the cycle stops waiting for it. */
  async function reportFailure(queue: QueueName, job: Job, error: unknown): Promise<void> {
    const cycleId: unknown =
      queue === 'poll' ? cycleIdOf(job.id!) : (job.data as { cycleId?: unknown }).cycleId;
    if (typeof cycleId !== 'string') return;
    const message = error instanceof Error ? error.message : String(error);
    if (queue === 'poll') {
      // The outcome is reported before the status says "failed", so whoever waits for that status
      // (runCycleNow) finds the self-monitor already told (refused credentials raise the self-alert).
      await ctx.state.finish(cycleId, null, { fields: { error: message, finishedAt: ctx.clock() } });
      await reportCycleEnd(ctx, cycleId, error);
      await ctx.state.finish(cycleId, null, { fields: { status: 'failed' } });
    } else {
      await ctx.state.finish(cycleId, job.id!, { counters: failureCounters(job.id!, job.data) });
      if (queue === 'notify') await queueRepair(ctx, job as Job<NotifyData>);
    }
  }

  function wrap<T>(queue: QueueName, fn: (job: Job<T>, token?: string) => Promise<unknown>): Processor<T> {
    return async (job, token) => {
      try {
        return await fn(job, token);
      } catch (error) {
        if (error instanceof DelayedError) throw error;
        const final = isFinalFailure(job, error);
        // A failure BullMQ retries is news only when the retries run out: info, then a warning.
        logger[final ? 'warn' : 'info'](
          { queue, jobId: job.id, attempt: job.attemptsMade + 1, final, err: error },
          'job failed',
        );
        if (final) await reportFailure(queue, job, error);
        throw error;
      }
    };
  }

  function addWorker<T>(
    queue: QueueName,
    fn: (job: Job<T>, token?: string) => Promise<unknown>,
    concurrency: number,
    extra: { limiter?: { max: number; duration: number } } = {},
  ): void {
    const worker = new Worker<T>(queue, wrap(queue, fn), {
      connection: connect(),
      prefix,
      concurrency,
      // The orchestrator resumes where it was however often its process died; a page or a post that
      // went down with its process three times is more likely the cause than the victim.
      maxStalledCount: queue === 'poll' ? 20 : 2,
      stalledInterval: tuning.stalledIntervalMs,
      lockDuration: tuning.lockDurationMs,
      ...extra,
    });
    // A job that stalled too often fails without its processor running: report it here as well
    // (finishing is idempotent, so reporting twice is harmless).
    worker.on('failed', (job, error) => {
      if (!job) return;
      const exhausted =
        error instanceof UnrecoverableError ||
        error.name === 'UnrecoverableError' ||
        job.attemptsMade >= (job.opts.attempts ?? 1) ||
        /stalled more than allowable limit/i.test(error.message);
      if (!exhausted) return;
      reportFailure(queue, job, error).catch((failure: unknown) => {
        // The orchestrator's stall check counts the job as an error later (settleLostJobs). While the
        // pipeline closes, its connections going away is the expected end of the report, not news.
        const level = closing ? 'debug' : 'error';
        logger[level]({ queue, jobId: job.id, err: failure }, 'failed job not reported to its cycle');
      });
    });
    watch(worker, queue);
    workers.push(worker);
  }

  /** Reads the cycle until it ended (or this pipeline closes), reporting progress on the way. */
  async function waitForCycle(
    jobId: string,
    cycleId: string,
    options: RunCycleOptions,
    /** Called while the job waits for its turn. */
    whileWaiting: () => Promise<unknown>,
  ): Promise<CycleSummary> {
    let lastProgress = '';
    for (;;) {
      const since = ctx.state.wakeCount();
      const hash = await ctx.state.read(cycleId);
      if (options.onProgress && hash.products) {
        const progress: CycleProgress = {
          cycleId,
          phase: hash.phase ?? 'scan',
          pending: Number(hash.pending ?? 0),
          productLines: summaryOf(cycleId, hash).productLines,
        };
        const text = JSON.stringify(progress);
        if (text !== lastProgress) options.onProgress(progress);
        lastProgress = text;
      }
      if (hash.status === 'done' || hash.status === 'failed') return summaryOf(cycleId, hash);
      const jobState = await queues.poll.getJobState(jobId);
      if (jobState === 'failed') return summaryOf(cycleId, { ...hash, status: 'failed' });
      if (jobState === 'waiting' || jobState === 'prioritized') await whileWaiting();
      if (closing) return summaryOf(cycleId, { ...hash, status: 'interrupted' });
      await ctx.state.nap(cycleId, since, tuning.pollIntervalMs);
    }
  }

  let workersStarted = false;
  let stopKeeper: (() => void) | undefined;
  async function startWorkers(): Promise<void> {
    if (workersStarted) return;
    workersStarted = true;
    // One cycle at a time across every process on this Redis.
    await queues.poll.setGlobalConcurrency(1);
    addWorker('poll', (job, token) => processCycle(ctx, job, token), 1);
    addWorker<ScanData>('scan', (job) => processScan(ctx, job), tuning.scanConcurrency);
    addWorker<EnrichData>('enrich', (job) => processEnrich(ctx, job), tuning.enrichConcurrency);
    addWorker<NotifyData>(
      'notify',
      (job, token) => processNotify(ctx, job, token),
      tuning.notifyConcurrency,
      {
        limiter: tuning.slackLimit,
      },
    );
    await Promise.all(workers.map((w) => w.waitUntilReady()));
  }

  return {
    queues,
    startWorkers,
    async start() {
      // Said at start: without the history scopes exactly-once falls back to at-least-once.
      if (config.slack.alertChannel) await ctx.history.probe(config.slack.alertChannel);
      await startWorkers();
      const repeat = config.pollCron
        ? { pattern: config.pollCron, tz: config.timeZone }
        : { every: config.pollEveryMs };
      // Upserted by id: restarts and extra processes replace the one schedule, never add a second.
      const upsert = () =>
        queues.poll.upsertJobScheduler(SCHEDULER_ID, repeat, {
          name: 'cycle',
          opts: jobOptions(ctx, 'poll'),
        });
      await upsert();
      stopKeeper ??= keepSchedule({
        queue: queues.poll,
        schedulerId: SCHEDULER_ID,
        upsert,
        everyMs: tuning.scheduleCheckMs ?? 60_000,
        logger,
      });
      logger.info({ schedule: config.pollCron ?? `every ${config.pollEveryMs} ms` }, 'poll schedule set');
      await forecastDigest.start();
    },
    async runCycleNow(options = {}) {
      const jobId = options.jobId ?? `${CHECK_JOB_PREFIX}${Date.now()}-${randomBytes(3).toString('hex')}`;
      const cycleId = cycleIdOf(jobId);
      const waiters = createCheckWaiters({ redis, prefix, queue: queues.poll, logger });
      const release = await waiters.hold(jobId);
      try {
        await waiters.dropAbandoned();
        await queues.poll.add('cycle', {}, { ...jobOptions(ctx, 'poll'), jobId });
        return await waitForCycle(jobId, cycleId, options, () => waiters.dropAbandoned(1_000));
      } finally {
        await release();
      }
    },
    close() {
      // One close, however many callers (a signal, then the command's own end) wait for it.
      closed ??= (async () => {
        closing = true;
        stopKeeper?.();
        await Promise.all([...workers.map((w) => w.close()), forecastDigest.close()]);
        await Promise.all(Object.values(queues).map((q) => q.close()));
        // QUIT only where it can be sent: written to a socket that never got through it fails on it.
        await Promise.all(
          connections.map((c) =>
            c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : Promise.resolve(c.disconnect()),
          ),
        );
      })();
      return closed;
    },
  };
}
