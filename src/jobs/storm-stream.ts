import { compareUrgency } from '../alerts/rules.js';
import type { Enrichment, Evaluation } from '../alerts/types.js';
import type { PipelineContext } from './context.js';
import { planDelivery, targetsFor } from './delivery.js';
import { channelStep, jobIds } from './ids.js';
import type { NotifyData } from './job-data.js';
import { addJobs, MAX_PRIORITY } from './queue-options.js';

/**
 * Storm channels, found while the scan is still running. A channel is a storm as soon as more than
 * DIGEST_OVER of this cycle's new alerts are due in it; from then on nothing the rest of the scan finds
 * can change that, so its digest goes up at once and its alerts follow into the digest's thread as the
 * pages come in, instead of all of them waiting for the last page. A channel at or under the limit
 * still waits for the scan's end (its last alert may be the one that makes it a storm), and so do posts
 * held for quiet hours and posts whose renewal options are still being looked up.
 *
 * Every job has the id the end of the cycle would give it, so the orchestrator's post phase (which runs
 * as before, over every post) finds these already queued or done and adds nothing twice; a digest put up
 * with part of the storm is rewritten there with all of it. The post phase skips the ones this stream
 * queued itself (building them all again for BullMQ to refuse as duplicates cost time at the cycle's end,
 * README: Performance); after a restart the stream is new and the post phase adds them all, as before.
 */

type ChannelStorm = {
  /** Every alert due now in the channel, this cycle, so far. */
  alertKeys: string[];
  /** Counted, not yet queued (its digest is not up yet, or its options are still being looked up). */
  waiting: Array<{ evaluation: Evaluation; enrichment: Enrichment | null }>;
  digestQueued: boolean;
};

/** A new alert's post into `channel`, top-level or in the cycle's digest thread; `index` in urgency order. */
export function postJob(options: {
  cycleId: string;
  channel: string;
  evaluation: Evaluation;
  enrichment: Enrichment | null | undefined;
  inThread: boolean;
  index: number;
}): { id: string; data: NotifyData; priority: number } {
  const { cycleId, channel, evaluation, enrichment, inThread, index } = options;
  return {
    id: jobIds.notify(cycleId, evaluation.alertKey, channelStep('post', channel)),
    data: {
      cycleId,
      action: 'post',
      alertKey: evaluation.alertKey,
      channel,
      inThread,
      evaluation,
      ...(enrichment ? { enrichment } : {}),
    },
    priority: Math.min(index + 1, MAX_PRIORITY),
  };
}

/**
 * The digest of a storm in `channel`, once per cycle: queued and registered with the cycle under its own
 * phase id, so a resumed orchestrator (or the post phase after the stream) does not queue it again.
 * Returns whether it was up already.
 */
export async function queueDigest(
  ctx: PipelineContext,
  cycleId: string,
  channel: string,
  alertKeys: string[],
  streamed?: 'partial',
): Promise<boolean> {
  const phaseId = jobIds.digestPhase(cycleId, channel);
  if (await ctx.state.isFinished(cycleId, phaseId)) return true;
  const children = await addJobs<NotifyData>(ctx, 'notify', [
    {
      id: jobIds.digest(cycleId, channel),
      data: { cycleId, action: 'digest', channel, alertKeys, ...(streamed ? { streamed } : {}) },
    },
  ]);
  await ctx.state.finish(cycleId, phaseId, { children });
  return false;
}

export type StormStream = {
  /** Reads the posts recorded since the last call and queues what a storm channel can take now. */
  advance(hash: Record<string, string>): Promise<void>;
  /** Whether this stream queued (and registered) the job with this id: the post phase need not add it again. */
  queued(jobId: string): boolean;
};

export function createStormStream(ctx: PipelineContext, cycleId: string): StormStream {
  const { state } = ctx;
  const channels = new Map<string, ChannelStorm>();
  let offset = 0;
  const queued = new Set<string>();

  function channel(name: string): ChannelStorm {
    let storm = channels.get(name);
    if (!storm) {
      storm = { alertKeys: [], waiting: [], digestQueued: false };
      channels.set(name, storm);
    }
    return storm;
  }

  async function queuePosts(name: string, storm: ChannelStorm): Promise<void> {
    const ready = storm.waiting.filter((w) => w.enrichment !== null);
    if (ready.length === 0) return;
    storm.waiting = storm.waiting.filter((w) => w.enrichment === null);
    const posts = ready
      .sort((a, b) => compareUrgency(a.evaluation, b.evaluation))
      .map(({ evaluation, enrichment }, index) =>
        postJob({ cycleId, channel: name, evaluation, enrichment, inThread: true, index }),
      );
    const children = await addJobs<NotifyData>(ctx, 'notify', posts);
    await state.finish(cycleId, null, { children });
    for (const id of children) queued.add(id);
  }

  return {
    queued: (jobId) => queued.has(jobId),
    async advance(hash) {
      const { posts, next } = await state.postsSince(cycleId, offset);
      offset = next;
      const now = ctx.clock();
      for (const post of posts) {
        const { evaluation } = post;
        for (const { channel: name, route } of targetsFor(ctx, evaluation)) {
          const plan = planDelivery({
            cycleId,
            alertKey: evaluation.alertKey,
            action: 'post',
            channel: name,
            route,
            stage: evaluation.stage,
            now,
          });
          if (plan.held) continue;
          const storm = channel(name);
          storm.alertKeys.push(evaluation.alertKey);
          storm.waiting.push(post);
        }
      }
      for (const [name, storm] of channels) {
        if (storm.alertKeys.length <= ctx.config.digestOver) continue;
        if (!storm.digestQueued) {
          await queueDigest(ctx, cycleId, name, [...storm.alertKeys], 'partial');
          storm.digestQueued = true;
        }
        // Threaded posts go out only under a digest that is up: the cycle hash has its ts.
        if (hash[`digest:${name}`]) await queuePosts(name, storm);
      }
    },
  };
}
