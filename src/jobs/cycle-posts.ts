import type { Job } from 'bullmq';
import { compareUrgency } from '../alerts/rules.js';
import type { Enrichment, Evaluation } from '../alerts/types.js';
import type { Logger } from '../logger.js';
import type { PipelineContext } from './context.js';
import { counterOf } from './cycle-summary.js';
import { waitIdle } from './cycle-wait.js';
import { planDelivery, targetsFor } from './delivery.js';
import { heldGroups } from './held-digest.js';
import { jobIds } from './ids.js';
import type { NotifyData } from './job-data.js';
import { addJobs, MAX_PRIORITY } from './queue-options.js';
import { postJob, queueDigest, type StormStream } from './storm-stream.js';

/**
 * The cycle's post phase, once the scan is over: new alerts, most urgent first; a storm becomes one
 * digest per channel with the alerts in its thread; posts held for quiet hours wait for their opening.
 */

type QueuedNotify = { id: string; data: NotifyData; delay?: number; priority?: number };

type PlannedPosts = {
  /** Due now, by channel, most urgent first. */
  byChannel: Map<string, Evaluation[]>;
  /** Held for a route's quiet hours. */
  held: QueuedNotify[];
};

export async function queuePosts(
  ctx: PipelineContext,
  job: Job,
  cycleId: string,
  storms: StormStream,
  log: Logger,
): Promise<void> {
  const { state } = ctx;
  if (await state.isFinished(cycleId, jobIds.posts(cycleId))) return;
  const now = ctx.clock();
  // Carried in each post's job, so a post makes no look-up of its own (and a held one still has them).
  const enrichments = await state.enrichments(cycleId);
  const evaluations = (await state.posts(cycleId)).sort(compareUrgency);
  const { byChannel, held } = planPosts(ctx, { cycleId, now, log, enrichments }, evaluations);
  // Held posts are not the cycle's to wait for: they go out at their route's opening, registered
  // first with the others of their channel and opening, so none of them runs before the batch is known.
  for (const group of heldGroups(held)) await ctx.held.register(group.channel, group.at, group.alertKeys);
  await addJobs(ctx, 'notify', held);
  const posts: QueuedNotify[] = [];
  for (const [channel, inChannel] of byChannel) {
    posts.push(...(await channelPosts(ctx, { job, cycleId, storms, enrichments }, channel, inChannel)));
  }
  const children = await addJobs(ctx, 'notify', posts);
  await state.finish(cycleId, jobIds.posts(cycleId), { children, counters: { held: held.length } });
}

/** Where and when each new alert goes: due now (by channel) or held for a route's opening. */
function planPosts(
  ctx: PipelineContext,
  cycle: { cycleId: string; now: number; log: Logger; enrichments: Map<string, Enrichment> },
  evaluations: Evaluation[],
): PlannedPosts {
  const { cycleId, now, log, enrichments } = cycle;
  const byChannel = new Map<string, Evaluation[]>();
  const held: QueuedNotify[] = [];
  for (const evaluation of evaluations) {
    const targets = targetsFor(ctx, evaluation);
    if (targets.length === 0) {
      log.warn({ alertKey: evaluation.alertKey }, 'no route and no SLACK_ALERT_CHANNEL: alert not sent');
    }
    const { alertKey } = evaluation;
    const enrichment = enrichments.get(alertKey);
    for (const { channel, route } of targets) {
      const plan = planDelivery({
        cycleId,
        alertKey,
        action: 'post',
        channel,
        route,
        stage: evaluation.stage,
        now,
      });
      if (!plan.held) {
        byChannel.set(channel, [...(byChannel.get(channel) ?? []), evaluation]);
        continue;
      }
      held.push({
        id: plan.id,
        data: {
          cycleId,
          action: 'post',
          alertKey,
          channel,
          inThread: false,
          evaluation,
          ...(enrichment ? { enrichment } : {}),
          ...(plan.at !== undefined ? { heldAt: plan.at } : {}),
        },
        ...(plan.delay ? { delay: plan.delay } : {}),
        // Most urgent first when the opening releases them together (and into one digest's thread).
        priority: Math.min(held.length + 1, MAX_PRIORITY),
      });
    }
  }
  return { byChannel, held };
}

/**
 * One channel's posts, and its digest when the channel is a storm: put up (and waited for) here unless
 * the storm stream did already; rewritten when it went up as "so far", or shows another count than the
 * scan's final one. Posts the storm stream queued itself are not added again.
 */
async function channelPosts(
  ctx: PipelineContext,
  cycle: { job: Job; cycleId: string; storms: StormStream; enrichments: Map<string, Enrichment> },
  channel: string,
  evaluations: Evaluation[],
): Promise<QueuedNotify[]> {
  const { job, cycleId, storms, enrichments } = cycle;
  const { state } = ctx;
  const posts: QueuedNotify[] = [];
  // A digest already up (the scan found the storm early, storm-stream.ts) keeps the channel's new
  // alerts in its thread, even if quiet hours began since and now hold some of them back.
  const alertKeys = evaluations.map((e) => e.alertKey);
  const digestUp = await state.isFinished(cycleId, jobIds.digestPhase(cycleId, channel));
  const storm = digestUp || evaluations.length > ctx.config.digestOver;
  if (storm) {
    if (!digestUp) await queueDigest(ctx, cycleId, channel, alertKeys);
    await waitIdle(ctx, job, cycleId, 'digest');
    const hash = await state.read(cycleId);
    const shown = counterOf(hash[`digestCount:${channel}`]);
    if (hash[`digestPartial:${channel}`] === '1' || shown !== alertKeys.length) {
      posts.push({
        id: jobIds.digestUpdate(cycleId, channel),
        data: { cycleId, action: 'digest', channel, alertKeys, streamed: 'complete' },
      });
    }
  }
  evaluations.forEach((evaluation, index) => {
    const enrichment = enrichments.get(evaluation.alertKey);
    const post = postJob({ cycleId, channel, evaluation, enrichment, inThread: storm, index });
    if (!storms.queued(post.id)) posts.push(post);
  });
  return posts;
}
