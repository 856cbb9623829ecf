import { DelayedError, type Job } from 'bullmq';
import { renderAlert, renderDigest, renderResolved, renderThreadReply } from '../../alerts/render.js';
import type { AlertRecord, Evaluation, RenderedMessage, SlackMessageRef } from '../../alerts/types.js';
import type { PipelineContext } from '../context.js';
import { readEnrichment } from '../cycle-state.js';
import { messageIn, targetsFor } from '../delivery.js';
import { isSlackUnrecoverable, slackErrorCode, slackRetryAfter, unrecoverable } from '../errors.js';
import type { NotifyData } from '../job-data.js';

/**
 * Posts or updates one alert's Slack message. Every chat.postMessage is remembered in the cycle's `sent`
 * hash before the job reports done, so a retried job (after a 429, a 5xx or a crash) finds its earlier
 * post and does not post again; chat.update is idempotent and simply repeated. Posting takes a token
 * from the channel's bucket first; without one the job goes back to delayed, not to sleep in a worker.
 */

type Posted = { channel: string; ts: string };

class SlackPause extends Error {
  constructor(readonly waitMs: number) {
    super(`Slack asks us to wait ${waitMs} ms`);
  }
}

async function delayJob(job: Job, token: string | undefined, waitMs: number): Promise<never> {
  // A little jitter so jobs delayed together do not all wake in the same millisecond.
  await job.moveToDelayed(Date.now() + waitMs + Math.floor(Math.random() * 100), token);
  throw new DelayedError();
}

function sentField(alertKey: string, step: string): string {
  return `${alertKey}|${step}`;
}

export async function processNotify(
  ctx: PipelineContext,
  job: Job<NotifyData>,
  token: string | undefined,
): Promise<void> {
  const data = job.data;
  const jobId = job.id!;
  const cycleKeys = ctx.state.keys(data.cycleId);
  const sentKey = cycleKeys.sent;
  const alertKey = 'alertKey' in data ? data.alertKey : null;
  /** `sent` hash look-ups, started early so they share a round trip with the reads below. */
  const sentLookups = new Map<string, Promise<string | null>>();
  const sentValue = (field: string) => {
    let lookup = sentLookups.get(field);
    if (!lookup) {
      lookup = ctx.redis.hget(sentKey, field);
      sentLookups.set(field, lookup);
    }
    return lookup;
  };
  // Everything the job may read, sent at once (one round trip, not one each): most jobs need all of it.
  const firstStep =
    data.action === 'post'
      ? `post:${data.channel}`
      : data.action === 'remind'
        ? `remind:${data.channel}`
        : data.action === 'escalate'
          ? `escalated:${data.channel}`
          : null;
  if (alertKey && firstStep) void sentValue(sentField(alertKey, firstStep)).catch(() => {});
  const [finished, prefetched, enrichment, digestTs] = await Promise.all([
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
  /** Writes after a post are pipelined behind it (Redis runs them in order) and awaited with `finish`. */
  const writes: Promise<unknown>[] = [];
  // The channel of the Slack call in flight, for a 429 to pause.
  let activeChannel: string | undefined;

  /** chat.postMessage once per cycle and step, whatever the retries. */
  async function postOnce(
    step: string,
    channel: string,
    message: Omit<RenderedMessage, 'metadata'> & { metadata?: RenderedMessage['metadata'] },
    threadTs?: string,
  ): Promise<Posted> {
    const field = sentField(alertKey ?? `digest:${channel}`, step);
    const earlier = await sentValue(field);
    if (earlier) return JSON.parse(earlier) as Posted;
    activeChannel = channel;
    const wait = await ctx.limiter.take(channel);
    if (wait > 0) throw new SlackPause(wait);
    const result = await ctx.slack.chat.postMessage({
      channel,
      text: message.text,
      blocks: message.blocks as never,
      ...(message.metadata ? { metadata: message.metadata } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
    const posted: Posted = { channel: result.channel ?? channel, ts: result.ts! };
    writes.push(ctx.redis.hset(sentKey, field, JSON.stringify(posted)));
    return posted;
  }

  /** chat.update; false when the message is gone (deleted by someone), so the caller can post anew. */
  async function update(
    ref: SlackMessageRef,
    message: Omit<RenderedMessage, 'metadata'> & { metadata?: RenderedMessage['metadata'] },
  ): Promise<boolean> {
    activeChannel = ref.channel;
    try {
      await ctx.slack.chat.update({
        channel: ref.channel,
        ts: ref.ts,
        text: message.text,
        blocks: message.blocks as never,
        ...(message.metadata ? { metadata: message.metadata } : {}),
      });
      return true;
    } catch (error) {
      if (slackErrorCode(error) === 'message_not_found') return false;
      throw error;
    }
  }

  /** Slack wants replies under a thread's parent: an alert posted inside a digest thread replies there. */
  const threadRootKey = (ref: SlackMessageRef) =>
    `${ctx.config.queuePrefix}:slack:thread:${ref.channel}:${ref.ts}`;
  const threadOf = async (ref: SlackMessageRef) => (await ctx.redis.get(threadRootKey(ref))) ?? ref.ts;

  const view = (evaluation: Evaluation, record: AlertRecord | null) => ({
    evaluation,
    record,
    enrichment,
    portalUrl: ctx.config.portalUrl,
    now: ctx.clock(),
    timeZone: ctx.config.timeZone,
    thresholds: ctx.config.alertDays,
  });

  async function postAlert(
    alertKey: string,
    channel: string,
    evaluation: Evaluation,
    record: AlertRecord | null,
    threadTs?: string,
  ): Promise<void> {
    const step = `post:${channel}`;
    const posted = await postOnce(step, channel, renderAlert(view(evaluation, record)), threadTs);
    if (threadTs) {
      writes.push(ctx.redis.set(threadRootKey(posted), threadTs, 'PX', ctx.config.alertRetentionMs));
    }
    writes.push(ctx.store.setMessage(alertKey, posted, ctx.clock()));
  }

  /**
   * The thread a post held for quiet hours goes in: none when its batch (same channel, same opening) is
   * small; otherwise the batch's digest, which the first post to get here puts up while the others wait.
   */
  async function heldThread(channel: string, at: number): Promise<string | undefined> {
    if ((await ctx.held.size(channel, at)) <= ctx.config.digestOver) return undefined;
    const existing = await ctx.held.digestTs(channel, at);
    if (existing) return existing;
    if (!(await ctx.held.claimDigest(channel, at, jobId))) throw new SlackPause(1_000);
    const records = await Promise.all((await ctx.held.members(channel, at)).map((key) => ctx.store.get(key)));
    const waiting = records.flatMap((r) =>
      r?.evaluation && r.resolvedAt === null && !messageIn(r, channel) ? [r.evaluation] : [],
    );
    const digest = renderDigest(waiting, {
      now: ctx.clock(),
      timeZone: ctx.config.timeZone,
      heldForQuietHours: true,
    });
    // Recorded in the cycle's `sent` under this alert, so a retry of this job finds it instead of posting again.
    const posted = await postOnce(`held-digest:${channel}`, channel, digest);
    await ctx.held.recordDigest(channel, at, posted.ts);
    return posted.ts;
  }

  /** Whether this job already posted `step` (an earlier attempt that died before reporting). */
  const sentBefore = async (alertKey: string, step: string) =>
    Boolean(await sentValue(sentField(alertKey, step)));

  let counter: string;
  const fields: Record<string, string> = {};
  try {
    switch (data.action) {
      case 'digest': {
        const keys = data.alertKeys ? new Set(data.alertKeys) : null;
        const evaluations = (await ctx.state.posts(data.cycleId)).filter((e) =>
          keys ? keys.has(e.alertKey) : targetsFor(ctx, e).some((t) => t.channel === data.channel),
        );
        const digest = renderDigest(evaluations, {
          now: ctx.clock(),
          timeZone: ctx.config.timeZone,
          ...(data.streamed ? { streamed: data.streamed } : {}),
        });
        fields[`digestCount:${data.channel}`] = String(evaluations.length);
        fields[`digestPartial:${data.channel}`] = data.streamed === 'partial' ? '1' : '0';
        const ts =
          data.streamed === 'complete'
            ? await ctx.redis.hget(cycleKeys.hash, `digest:${data.channel}`)
            : null;
        if (ts && (await update({ channel: data.channel, ts }, digest))) {
          counter = 'digestUpdates';
          break;
        }
        const posted = await postOnce('digest', data.channel, digest);
        fields[`digest:${data.channel}`] = posted.ts;
        counter = 'digests';
        break;
      }
      case 'post': {
        const record = prefetched;
        // Resolved (or forgotten) between the scan and now: nothing to announce any more. Already in
        // this channel (an urgent escalation went ahead of a post held for quiet hours): nothing either.
        if (
          !record ||
          record.resolvedAt !== null ||
          (messageIn(record, data.channel) && !(await sentBefore(data.alertKey, `post:${data.channel}`)))
        ) {
          counter = 'skippedPosts';
          break;
        }
        let threadTs: string | undefined;
        if (data.inThread) {
          threadTs = digestTs ?? undefined;
          // Without its digest a threaded post would land top-level and break storm control; the next
          // cycle posts it again (its record has no message).
          if (!threadTs)
            throw unrecoverable(new Error(`no digest message in ${data.channel} for this cycle`));
        } else if (data.heldAt !== undefined) {
          threadTs = await heldThread(data.channel, data.heldAt);
        }
        await postAlert(data.alertKey, data.channel, record.evaluation ?? data.evaluation, record, threadTs);
        counter = 'posted';
        break;
      }
      case 'escalate':
      case 'update': {
        const record = prefetched;
        if (!record || record.resolvedAt !== null) {
          counter = 'skippedPosts';
          break;
        }
        const evaluation = record.evaluation ?? data.evaluation;
        const rendered = renderAlert(view(evaluation, record));
        const ref = messageIn(record, data.channel);
        const updated = ref ? await update(ref, rendered) : false;
        if (!updated) {
          // The channel has no message yet (a route added it at this stage), or it was deleted.
          await postAlert(data.alertKey, data.channel, evaluation, record);
        } else if (data.action === 'escalate' && ref) {
          const reply = renderThreadReply('escalated', {
            ...view(evaluation, record),
            previousStage: data.previousStage,
          });
          await postOnce(`escalated:${ref.channel}`, ref.channel, reply, await threadOf(ref));
          writes.push(ctx.store.markNotified(data.alertKey, ctx.clock()));
        }
        counter = data.action === 'escalate' ? 'escalated' : 'updated';
        break;
      }
      case 'remind': {
        const step = `remind:${data.channel}`;
        const record = prefetched;
        const ref = messageIn(record, data.channel);
        const now = ctx.clock();
        // Checked again when it goes out (it may have waited for quiet hours): an acknowledgement, a
        // snooze, a resolution or a new stage (which notified on its own) since makes it moot.
        const moot =
          !record ||
          !ref ||
          record.resolvedAt !== null ||
          record.acknowledgedBy !== null ||
          (record.snoozedUntil !== null && record.snoozedUntil > now) ||
          record.stage !== data.stage;
        if (moot && !(await sentBefore(data.alertKey, step))) {
          counter = 'skippedReminders';
          break;
        }
        if (!record?.evaluation || !ref) {
          counter = 'skippedReminders';
          break;
        }
        const reply = renderThreadReply('reminder', view(record.evaluation, record));
        const message = data.mentions
          ? {
              text: `${data.mentions} ${reply.text}`,
              blocks: [{ type: 'section', text: { type: 'mrkdwn', text: data.mentions } }, ...reply.blocks],
            }
          : reply;
        await postOnce(step, ref.channel, message, await threadOf(ref));
        writes.push(ctx.store.markNotified(data.alertKey, now));
        counter = 'reminded';
        break;
      }
      case 'resolve': {
        const record = prefetched;
        const refs = record?.messages ?? (record?.message ? [record.message] : []);
        if (record && refs.length > 0) {
          // The last alerting evaluation keeps the facts a reader saw; a renewal's new one has none.
          const evaluation = record.evaluation?.findings.length ? record.evaluation : data.evaluation;
          const base = view(evaluation, record);
          const resolved = renderResolved({ ...base, reason: data.reason, renewedUntil: data.renewedUntil });
          for (const ref of refs) {
            if (!(await update(ref, resolved))) continue;
            const reply = renderThreadReply(data.reason === 'vanished' ? 'vanished' : 'resolved', {
              ...base,
              renewedUntil: data.renewedUntil,
            });
            await postOnce(`resolved:${ref.channel}`, ref.channel, reply, await threadOf(ref));
          }
        }
        counter = 'resolved';
        break;
      }
    }
  } catch (error) {
    // What an earlier step of this attempt posted must be on record before the job goes back.
    await Promise.allSettled(writes);
    if (error instanceof SlackPause) return delayJob(job, token, error.waitMs);
    const retryAfter = slackRetryAfter(error);
    if (retryAfter !== undefined) {
      if (activeChannel) await ctx.limiter.pause(activeChannel, retryAfter * 1000);
      ctx.logger.warn({ jobId, retryAfter }, 'Slack rate limit: the job waits Retry-After');
      return delayJob(job, token, retryAfter * 1000);
    }
    if (isSlackUnrecoverable(error)) throw unrecoverable(error);
    throw error;
  }
  await Promise.all([
    ...writes,
    ctx.state.finish(data.cycleId, jobId, { counters: { [counter]: 1 }, fields }),
  ]);
}
