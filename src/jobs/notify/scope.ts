import type { Redis } from 'ioredis';
import { type AlertView, renderAlert } from '../../alerts/render.js';
import type { RenewOrderState } from '../../alerts/render-renew.js';
import type {
  AlertRecord,
  Enrichment,
  Evaluation,
  RenderedMessage,
  SlackMessageRef,
} from '../../alerts/types.js';
import { SlackPlatformError, SlackRateLimitError } from '../../slack/api-errors.js';
import type { PipelineContext } from '../context.js';
import { IN_FLIGHT_MS } from './post-intent.js';

/**
 * What every notify action shares within one job: Slack calls made once per cycle and step, the Redis
 * writes pipelined behind them, and the channel of the call in flight (a 429 pauses that channel).
 */

export type Posted = { channel: string; ts: string };

/** A message to post or update; an alert's carries metadata, a thread reply none. */
export type OutgoingMessage = Omit<RenderedMessage, 'metadata'> & { metadata?: RenderedMessage['metadata'] };

/** No token in the channel's bucket (or another job is putting up a shared digest): the job waits. */
export class SlackPause extends Error {
  constructor(readonly waitMs: number) {
    super(`Slack asks us to wait ${waitMs} ms`);
  }
}

/** What one action reports to its cycle: the counter it adds to, and plain fields of the cycle's hash. */
export type NotifyOutcome = { counter: string; fields?: Record<string, string> };

export type NotifyScope = {
  ctx: PipelineContext;
  jobId: string;
  /** The alert's record, read with the job's other reads (null: a digest, or an alert gone meanwhile). */
  record: AlertRecord | null;
  /** The ts of this cycle's digest in the job's channel, read up front for a post in its thread. */
  digestTs: string | null;
  /** chat.postMessage once per cycle and step, whatever the retries. */
  postOnce(step: string, channel: string, message: OutgoingMessage, threadTs?: string): Promise<Posted>;
  /** chat.update; false when the message is gone (deleted by someone), so the caller can post anew. */
  update(ref: SlackMessageRef, message: OutgoingMessage): Promise<boolean>;
  /** Posts an alert's message in `channel` and records where it is. */
  postAlert(
    alertKey: string,
    channel: string,
    evaluation: Evaluation,
    record: AlertRecord | null,
    threadTs?: string,
  ): Promise<void>;
  /** The ts to reply under: an alert posted inside a digest's thread replies in that thread. */
  threadOf(ref: SlackMessageRef): Promise<string>;
  /** Whether this job already posted `step` (an earlier attempt that died before reporting). */
  sentBefore(alertKey: string, step: string): Promise<boolean>;
  view(evaluation: Evaluation, record: AlertRecord | null): AlertView;
  /** A write that must land before the job reports done (pipelined behind the Slack call before it). */
  write(pending: Promise<unknown>): void;
  /** Every write so far, to await before the job reports or goes back to the queue. */
  writes(): Promise<unknown>[];
  /** The channel of the last Slack call, for a 429 to pause. */
  activeChannel(): string | undefined;
};

/** The metadata a post carries: the alert's, or a plain post's, with the post id Slack keeps for us. */
export function withPostId(
  metadata: OutgoingMessage['metadata'],
  postId: string,
): { event_type: string; event_payload: Record<string, string> } {
  return metadata
    ? { event_type: metadata.event_type, event_payload: { ...metadata.event_payload, postId } }
    : { event_type: POST_EVENT_TYPE, event_payload: { postId } };
}

/** How long an alert's post waits, at a time, for a lost alert index to be rebuilt. */
const INDEX_WAIT_MS = 10_000;

/** Metadata event type of the bot's messages that are not alerts (digests, thread replies). */
export const POST_EVENT_TYPE = 'yeastar_renewal_post';

/**
 * An alert's first message in a channel is one post whatever the cycle (a cycle that died after Slack
 * took it leaves its intent to the next); any other post is one per cycle and step.
 */
function intentIdOf(cycleId: string, alertKey: string | null, step: string, field: string): string {
  return alertKey && step.startsWith('post:') ? `alert:${field}` : `cycle:${cycleId}:${field}`;
}

export function sentField(alertKey: string, step: string): string {
  return `${alertKey}|${step}`;
}

/** Look-ups of the cycle's `sent` hash, each made once, so an early one can share a round trip. */
export function sentLookups(redis: Redis, sentKey: string): (field: string) => Promise<string | null> {
  const lookups = new Map<string, Promise<string | null>>();
  return (field) => {
    let lookup = lookups.get(field);
    if (!lookup) {
      lookup = redis.hget(sentKey, field);
      lookups.set(field, lookup);
    }
    return lookup;
  };
}

export function createNotifyScope(
  ctx: PipelineContext,
  job: {
    jobId: string;
    cycleId: string;
    alertKey: string | null;
    record: AlertRecord | null;
    digestTs: string | null;
    enrichment: Enrichment | null;
    /** The renewal ordered from Slack for the alert's stage, shown on every redraw. */
    renewOrder?: RenewOrderState | null;
    sentValue: (field: string) => Promise<string | null>;
  },
): NotifyScope {
  const { jobId, alertKey, record, enrichment, sentValue } = job;
  const sentKey = ctx.state.keys(job.cycleId).sent;
  const pending: Promise<unknown>[] = [];
  let activeChannel: string | undefined;
  const threadRootKey = (ref: SlackMessageRef) =>
    `${ctx.config.queuePrefix}:slack:thread:${ref.channel}:${ref.ts}`;

  const scope: NotifyScope = {
    ctx,
    jobId,
    record,
    digestTs: job.digestTs,
    async postOnce(step, channel, message, threadTs) {
      const field = sentField(alertKey ?? `digest:${channel}`, step);
      const earlier = await sentValue(field);
      if (earlier) return JSON.parse(earlier) as Posted;
      activeChannel = channel;
      const intentId = intentIdOf(job.cycleId, alertKey, step, field);
      const intent = await ctx.intents.open(intentId, jobId, {
        channel,
        at: ctx.clock(),
        ...(threadTs ? { threadTs } : {}),
      });
      // Another job's post of the same message may be in flight (a repair meeting a cycle's post): wait
      // for it to land or die rather than post beside it.
      if (intent.busy) throw new SlackPause(IN_FLIGHT_MS / 3);
      // Redis lost its data under this job: an alert's first post waits for the next cycle to rebuild
      // the index from Slack, which may well show the alert posted already.
      if (intentId.startsWith('alert:') && !intent.indexed) throw new SlackPause(INDEX_WAIT_MS);
      const record = (posted: Posted) => {
        pending.push(
          ctx.redis.hset(sentKey, field, JSON.stringify(posted)).then(() => ctx.intents.close(intentId)),
        );
        return posted;
      };
      if (!intent.fresh) {
        // An earlier attempt wrote this intent and never recorded a ts: Slack may have the post.
        const ts = await ctx.history.findPost(channel, intent.postId, intent.at, threadTs);
        if (ts) {
          ctx.logger.info(
            { jobId, channel, ts, step },
            'post found in Slack, adopted instead of posted again',
          );
          return record({ channel, ts });
        }
      }
      const wait = await ctx.limiter.take(channel);
      if (wait > 0) throw new SlackPause(wait);
      const result = await ctx.slack.chat
        .postMessage({
          channel,
          text: message.text,
          blocks: message.blocks,
          metadata: withPostId(message.metadata, intent.postId),
          ...(threadTs ? { thread_ts: threadTs } : {}),
        })
        .catch(async (error: unknown) => {
          // Slack answered, and said no: nothing was posted, so the retry need not look for it. Any
          // other failure may have been posted: the intent stays for the retry to search, unclaimed.
          if (error instanceof SlackPlatformError || error instanceof SlackRateLimitError) {
            await ctx.intents.close(intentId);
          } else {
            await ctx.intents.release(intentId);
          }
          throw error;
        });
      return record({ channel: result.channel ?? channel, ts: result.ts! });
    },
    async update(ref, message) {
      activeChannel = ref.channel;
      try {
        await ctx.slack.chat.update({
          channel: ref.channel,
          ts: ref.ts,
          text: message.text,
          blocks: message.blocks,
          ...(message.metadata ? { metadata: message.metadata } : {}),
        });
        return true;
      } catch (error) {
        if (error instanceof SlackPlatformError && error.code === 'message_not_found') return false;
        throw error;
      }
    },
    async postAlert(key, channel, evaluation, alertRecord, threadTs) {
      const posted = await scope.postOnce(
        `post:${channel}`,
        channel,
        renderAlert(scope.view(evaluation, alertRecord)),
        threadTs,
      );
      if (threadTs) {
        pending.push(ctx.redis.set(threadRootKey(posted), threadTs, 'PX', ctx.config.alertRetentionMs));
      }
      pending.push(ctx.store.setMessage(key, posted, ctx.clock(), evaluation.stage ?? undefined));
    },
    threadOf: async (ref) => (await ctx.redis.get(threadRootKey(ref))) ?? ref.ts,
    sentBefore: async (key, step) => Boolean(await sentValue(sentField(key, step))),
    view: (evaluation, alertRecord) => ({
      evaluation,
      record: alertRecord,
      enrichment,
      portalUrl: ctx.config.portalUrl,
      now: ctx.clock(),
      timeZone: ctx.config.timeZone,
      thresholds: ctx.config.alertDays,
      renewMode: ctx.config.renew.mode,
      renewOrder: job.renewOrder ?? null,
    }),
    write: (write) => {
      pending.push(write);
    },
    writes: () => pending,
    activeChannel: () => activeChannel,
  };
  return scope;
}
