import { DelayedError, type Job } from 'bullmq';
import { SlackApiError, SlackRateLimitError } from '../../slack/api-errors.js';
import { renewOrderOf } from '../../slack/renew/order-state.js';
import type { PipelineContext } from '../context.js';
import { readEnrichment } from '../cycle-state.js';
import { unrecoverable } from '../errors.js';
import type { NotifyData } from '../job-data.js';
import * as digest from './digest.js';
import * as post from './post.js';
import * as remind from './remind.js';
import * as resolve from './resolve.js';
import {
  createNotifyScope,
  type NotifyOutcome,
  type NotifyScope,
  SlackPause,
  sentField,
  sentLookups,
} from './scope.js';
import * as update from './update.js';

/**
 * Posts or updates one alert's Slack message. Every chat.postMessage is remembered in the cycle's `sent`
 * hash before the job reports done, so a retried job (after a 429, a 5xx or a crash) finds its earlier
 * post and does not post again; chat.update is idempotent and simply repeated. Posting takes a token
 * from the channel's bucket first; without one the job goes back to delayed, not to sleep in a worker.
 */

async function delayJob(job: Job, token: string | undefined, waitMs: number): Promise<never> {
  // A little jitter so jobs delayed together do not all wake in the same millisecond.
  await job.moveToDelayed(Date.now() + waitMs + Math.floor(Math.random() * 100), token);
  throw new DelayedError();
}

/** The `sent` field of the job's first Slack call, looked up with its other reads. */
function firstStep(data: NotifyData): string | null {
  if (data.action === 'post') return `post:${data.channel}`;
  if (data.action === 'remind') return `remind:${data.channel}`;
  if (data.action === 'escalate') return `escalated:${data.channel}`;
  return null;
}

function dispatch(data: NotifyData, scope: NotifyScope): Promise<NotifyOutcome> {
  switch (data.action) {
    case 'digest':
      return digest.handle(data, scope);
    case 'post':
      return post.handle(data, scope);
    case 'escalate':
    case 'update':
      return update.handle(data, scope);
    case 'remind':
      return remind.handle(data, scope);
    case 'resolve':
      return resolve.handle(data, scope);
  }
}

export async function processNotify(
  ctx: PipelineContext,
  job: Job<NotifyData>,
  token: string | undefined,
): Promise<void> {
  const data = job.data;
  const jobId = job.id!;
  const cycleKeys = ctx.state.keys(data.cycleId);
  const alertKey = 'alertKey' in data ? data.alertKey : null;
  const sentValue = sentLookups(ctx.redis, cycleKeys.sent);
  // Everything the job may read, sent at once (one round trip, not one each): most jobs need all of it.
  const step = firstStep(data);
  // Awaited again where it is used, which sees its error; unused (the job found itself finished), its
  // failure means nothing, and this keeps it from being an unhandled rejection.
  if (alertKey && step) void sentValue(sentField(alertKey, step)).catch(() => {});
  const [finished, record, enrichment, digestTs] = await Promise.all([
    ctx.state.isFinished(data.cycleId, jobId),
    alertKey ? ctx.store.get(alertKey) : null,
    'enrichment' in data && data.enrichment !== undefined
      ? data.enrichment
      : alertKey
        ? readEnrichment(ctx.redis, ctx.config.queuePrefix, data.cycleId, alertKey)
        : null,
    data.action === 'post' && data.inThread ? ctx.redis.hget(cycleKeys.hash, `digest:${data.channel}`) : null,
  ]);
  if (finished) return;
  // An order placed from Slack stays on the message whatever the cycle redraws (an extra read only when
  // renewing from Slack is on and the alert has a stage).
  const renewOrder = record ? await renewOrderOf(ctx, record) : null;
  const scope = createNotifyScope(ctx, {
    jobId,
    cycleId: data.cycleId,
    alertKey,
    record,
    digestTs,
    enrichment,
    renewOrder,
    sentValue,
  });
  let outcome: NotifyOutcome;
  try {
    outcome = await dispatch(data, scope);
  } catch (error) {
    // What an earlier step of this attempt posted must be on record before the job goes back.
    await Promise.allSettled(scope.writes());
    if (error instanceof SlackPause) return delayJob(job, token, error.waitMs);
    if (error instanceof SlackRateLimitError) {
      const { retryAfter } = error;
      const channel = scope.activeChannel();
      if (channel) await ctx.limiter.pause(channel, retryAfter * 1000);
      ctx.logger.warn({ jobId, retryAfter }, 'Slack rate limit: the job waits Retry-After');
      return delayJob(job, token, retryAfter * 1000);
    }
    if (error instanceof SlackApiError && !error.retryable) throw unrecoverable(error);
    throw error;
  }
  await Promise.all([
    ...scope.writes(),
    ctx.state.finish(data.cycleId, jobId, {
      counters: { [outcome.counter]: 1 },
      fields: outcome.fields ?? {},
    }),
  ]);
}
