import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createForecastReader } from '../forecast/reader.js';
import { renderForecastDigest } from '../forecast/render-digest.js';
import { isoWeekOf } from '../forecast/weeks.js';
import type { RedisLink } from '../ops/redis-connection.js';
import type { PipelineContext } from './context.js';

/**
 * The weekly renewal forecast: at FORECAST_CRON (in TZ) one message in SLACK_FORECAST_CHANNEL with the
 * counts, and in its thread one reply per week that has renewals. A BullMQ job scheduler, upserted by
 * id, so every process that starts the bot shares one schedule; and one post per ISO week whatever
 * runs it (a second process, a restart, a retried job): the first job of the week claims the week in
 * a Redis hash (HSETNX, relative lifetime) and records there what it has posted, so its own retries
 * carry on where it failed and any other job of that week posts nothing.
 */

export const FORECAST_QUEUE = 'forecast';
export const DIGEST_SCHEDULER_ID = 'weekly-forecast';
/** Two weeks: longer than the week it guards, gone long before the same week number comes back. */
export const WEEK_CLAIM_TTL_MS = 14 * 86_400_000;

export type DigestOutcome =
  | { posted: true; week: string; replies: number }
  | { posted: false; week: string; reason: 'posted already' | 'no channel' | 'no snapshot' | 'empty' };

export function weekClaimKey(prefix: string, week: string): string {
  return `${prefix}:forecast:digest:${week}`;
}

/**
 * The week for `owner`, with what it posted so far (its own retries carry on from there); null when
 * another job has it. The lifetime is relative, set with the claim in one transaction.
 */
async function claimWeek(
  redis: Redis,
  key: string,
  owner: string,
): Promise<{ ts: string | null; replied: number } | null> {
  await redis.multi().hsetnx(key, 'owner', owner).pexpire(key, WEEK_CLAIM_TTL_MS).exec();
  const [holder, ts, replied] = await redis.hmget(key, 'owner', 'ts', 'replied');
  return holder === owner ? { ts: ts ?? null, replied: Number(replied ?? 0) } : null;
}

/** The week's digest, once: what the scheduled job runs (`owner` is its job id). */
export async function postWeeklyDigest(ctx: PipelineContext, owner: string): Promise<DigestOutcome> {
  const { config, redis, logger } = ctx;
  const now = ctx.clock();
  const week = isoWeekOf(now, config.timeZone).key;
  const channel = config.forecast.channel;
  if (!channel) {
    logger.warn(
      { week },
      'weekly forecast not posted: neither SLACK_FORECAST_CHANNEL nor SLACK_ALERT_CHANNEL',
    );
    return { posted: false, week, reason: 'no channel' };
  }
  const key = weekClaimKey(config.queuePrefix, week);
  const holder = await redis.hget(key, 'owner');
  if (holder !== null && holder !== owner) return { posted: false, week, reason: 'posted already' };

  const reader = createForecastReader({
    redis,
    prefix: config.queuePrefix,
    store: ctx.store,
    timeZone: config.timeZone,
    clock: () => now,
  });
  const loaded = await reader.load({ days: config.forecast.days });
  // Nothing is claimed for these: a later run of the week (a more frequent FORECAST_CRON) may post.
  if (loaded === null) {
    logger.info({ week }, 'weekly forecast not posted: no complete cycle yet');
    return { posted: false, week, reason: 'no snapshot' };
  }
  if (loaded.forecast.total.count === 0) {
    logger.info({ week }, 'weekly forecast not posted: nothing renews in the window');
    return { posted: false, week, reason: 'empty' };
  }
  const claim = await claimWeek(redis, key, owner);
  if (claim === null) return { posted: false, week, reason: 'posted already' };
  let ts = claim.ts;
  const digest = renderForecastDigest(loaded.forecast, { takenAt: loaded.snapshot.takenAt });
  if (!ts) {
    const posted = await ctx.slack.chat.postMessage({
      channel,
      text: digest.message.text,
      blocks: digest.message.blocks as never,
    });
    if (!posted.ts) throw new Error('chat.postMessage returned no ts for the weekly forecast');
    ts = posted.ts;
    await redis.hset(key, 'ts', ts);
  }
  for (let i = claim.replied; i < digest.replies.length; i++) {
    const reply = digest.replies[i]!;
    await ctx.slack.chat.postMessage({
      channel,
      thread_ts: ts,
      text: reply.text,
      blocks: reply.blocks as never,
    });
    await redis.hset(key, 'replied', i + 1);
  }
  logger.info({ week, channel, replies: digest.replies.length }, 'weekly forecast posted');
  return { posted: true, week, replies: digest.replies.length };
}

export type ForecastDigest = {
  /** Upserts the schedule (or removes it when FORECAST_CRON is empty) and starts the worker. */
  start(): Promise<void>;
  close(): Promise<void>;
  queue: Queue;
};

export function createForecastDigest(
  ctx: PipelineContext,
  connect: () => Redis,
  watch: RedisLink['watch'],
): ForecastDigest {
  const { config, logger } = ctx;
  const prefix = config.queuePrefix;
  const queue = watch(new Queue(FORECAST_QUEUE, { connection: ctx.redis, prefix }), FORECAST_QUEUE);
  let worker: Worker | undefined;
  return {
    queue,
    async start() {
      const cron = config.forecast.cron;
      if (!cron) {
        // An earlier start with a schedule left it in Redis: FORECAST_CRON emptied means never.
        await queue.removeJobScheduler(DIGEST_SCHEDULER_ID);
        return;
      }
      const run = async (job: Job) => {
        const outcome = await postWeeklyDigest(ctx, job.id!);
        return outcome;
      };
      worker = watch(
        new Worker(FORECAST_QUEUE, run, { connection: connect(), prefix, concurrency: 1 }),
        FORECAST_QUEUE,
      );
      worker.on('failed', (job, error) => {
        logger.warn({ jobId: job?.id, attempt: job?.attemptsMade, err: error }, 'weekly forecast failed');
      });
      await queue.upsertJobScheduler(
        DIGEST_SCHEDULER_ID,
        { pattern: cron, tz: config.timeZone },
        {
          name: 'weekly-forecast',
          opts: {
            attempts: 6,
            backoff: { type: 'exponential', delay: ctx.tuning.backoffMs },
            removeOnComplete: { count: 20 },
            removeOnFail: { count: 50 },
          },
        },
      );
      await worker.waitUntilReady();
      logger.info({ schedule: cron, channel: config.forecast.channel }, 'weekly forecast schedule set');
    },
    async close() {
      await worker?.close();
      await queue.close();
    },
  };
}
