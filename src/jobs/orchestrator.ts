import { DelayedError, type Job } from 'bullmq';
import { compareUrgency } from '../alerts/render.js';
import { reminderMentions } from '../alerts/routes.js';
import type { AlertRecord, Evaluation } from '../alerts/types.js';
import type { PipelineContext } from './context.js';
import {
  type CycleProgress,
  type CycleSummary,
  completeLines,
  counterOf,
  failureCounters,
  productLinesOf,
  summaryOf,
} from './cycle-summary.js';
import { planDelivery, routeTo, targetsFor } from './delivery.js';
import { isYeastarUnrecoverable, unrecoverable } from './errors.js';
import { heldGroups } from './held-digest.js';
import { cycleIdOf, jobIds, queueOfJobId } from './ids.js';
import { type NotifyData, resolveJob, type ScanData } from './job-data.js';
import { addJobs, MAX_PRIORITY } from './queue-options.js';
import { countingClient } from './renewal-options.js';
import { createStormStream, postJob, queueDigest } from './storm-stream.js';

/**
 * One poll cycle, start to finish. It only enqueues and waits: scans, enrichment and Slack run in their
 * own workers. Every step is keyed by the cycle id (derived from this job's id), so an orchestrator
 * retried after a crash resumes where it was without doubling a job, a count or a message.
 */

/**
 * Once per cycle, however it ended (done, or its orchestrator failed for good): the self-monitor learns
 * the outcome and the metrics get the summary, in the process that saw the end.
 */
export async function reportCycleEnd(
  ctx: PipelineContext,
  cycleId: string,
  error?: unknown,
  /** Fields about to be written (the final status): the summary reports them already. */
  pending: Record<string, string> = {},
): Promise<CycleSummary> {
  const hash = { ...(await ctx.state.read(cycleId)), ...pending };
  const summary = summaryOf(cycleId, hash);
  // At most once: a retried orchestrator or a second failure report must not count a failure twice.
  if ((await ctx.redis.hsetnx(ctx.state.keys(cycleId).hash, 'reported', '1')) === 0) return summary;
  try {
    await ctx.selfMonitor.afterCycle({
      cycleId,
      ok: summary.ok,
      ...(error !== undefined ? { error } : {}),
      complete: completeLines(hash),
    });
  } catch (failure) {
    ctx.logger.error({ cycleId, err: failure }, 'self-monitoring failed');
  }
  try {
    ctx.onCycleFinished?.(summary);
  } catch (failure) {
    ctx.logger.error({ cycleId, err: failure }, 'onCycleFinished failed');
  }
  return summary;
}

/** Open alerts nobody acknowledged or snoozed whose last notification is `remindEveryMs` old. */
export function needsReminder(record: AlertRecord, now: number, remindEveryMs: number): boolean {
  if (record.resolvedAt !== null || record.acknowledgedBy !== null || record.stage === null) return false;
  if (record.snoozedUntil !== null && record.snoozedUntil > now) return false;
  const last = record.notifiedAt ?? record.firstSeenAt;
  return (record.messages?.length ?? 0) > 0 && last + remindEveryMs <= now;
}

class Interrupted extends Error {}

export async function processCycle(
  ctx: PipelineContext,
  job: Job,
  token: string | undefined,
): Promise<CycleSummary> {
  const cycleId = cycleIdOf(job.id!);
  const { state } = ctx;
  const keys = state.keys(cycleId);
  const existing = await state.read(cycleId);
  if (existing.status === 'done') return reportCycleEnd(ctx, cycleId);
  if (!existing.startedAt) {
    await ctx.redis.hsetnx(keys.hash, 'startedAt', ctx.clock());
  }
  await state.finish(cycleId, null, { fields: { status: 'running', phase: 'scan' } });
  const log = ctx.logger.child({ cycleId });

  try {
    // 1. Product lines, and page 1 of each (which adds the other pages).
    if (!(await state.isFinished(cycleId, jobIds.products(cycleId)))) {
      const counted = countingClient(ctx.client);
      const lines = await counted.client.listProductLines().catch((error: unknown) => {
        throw isYeastarUnrecoverable(error) ? unrecoverable(error) : error;
      });
      const scans = lines.map((line) => ({
        id: jobIds.scan(cycleId, line.productId, 1),
        data: { cycleId, productId: line.productId, productName: line.name, pageNo: 1 },
      }));
      const children = await addJobs<ScanData>(ctx, 'scan', scans);
      await state.finish(cycleId, jobIds.products(cycleId), {
        children,
        counters: { apiCalls: counted.calls() },
        fields: { products: JSON.stringify(lines) },
      });
      log.info({ productLines: lines.length }, 'cycle started');
    }
    const storms = createStormStream(ctx, cycleId);
    await waitIdle(ctx, job, cycleId, 'scan', (hash) => storms.advance(hash));

    // 2. Instances no longer listed, for every product line whose pages all came back.
    if (!(await state.isFinished(cycleId, jobIds.sweep(cycleId)))) {
      const hash = await state.read(cycleId);
      const complete = completeLines(hash);
      // A line listing far fewer instances than before is more likely a broken list than 990 renewals:
      // the self-monitor raises that, and the line's alerts stay open.
      const dropped = new Set((await ctx.selfMonitor.drops(complete)).map((d) => d.productId));
      if (dropped.size > 0) log.warn({ productIds: [...dropped] }, 'instance count dropped: no vanish sweep');
      const resolves: Array<{ id: string; data: NotifyData }> = [];
      for (const line of complete) {
        if (dropped.has(line.productId)) continue;
        const decisions = await ctx.store.sweepVanished(cycleId, line.productId, ctx.clock());
        for (const d of decisions) {
          if (d.action !== 'resolve') continue;
          resolves.push(resolveJob(cycleId, d, 'vanished', null));
        }
      }
      const children = await addJobs(ctx, 'notify', resolves);
      await state.finish(cycleId, jobIds.sweep(cycleId), { children, fields: { phase: 'notify' } });
    }

    // 3. New alerts, most urgent first; a storm becomes one digest per channel with the alerts in its thread.
    if (!(await state.isFinished(cycleId, jobIds.posts(cycleId)))) {
      const byChannel = new Map<string, Evaluation[]>();
      const held: Array<{ id: string; data: NotifyData; delay?: number; priority: number }> = [];
      const now = ctx.clock();
      // Carried in each post's job, so a post makes no look-up of its own (and a held one still has them).
      const enrichments = await state.enrichments(cycleId);
      const withOptions = (alertKey: string) => {
        const enrichment = enrichments.get(alertKey);
        return enrichment ? { enrichment } : {};
      };
      for (const evaluation of (await state.posts(cycleId)).sort(compareUrgency)) {
        const targets = targetsFor(ctx, evaluation);
        if (targets.length === 0) {
          log.warn({ alertKey: evaluation.alertKey }, 'no route and no SLACK_ALERT_CHANNEL: alert not sent');
        }
        for (const { channel, route } of targets) {
          const { alertKey } = evaluation;
          const plan = planDelivery({
            cycleId,
            alertKey,
            action: 'post',
            channel,
            route,
            stage: evaluation.stage,
            now,
          });
          if (plan.held) {
            held.push({
              id: plan.id,
              data: {
                cycleId,
                action: 'post',
                alertKey,
                channel,
                inThread: false,
                evaluation,
                ...withOptions(alertKey),
                ...(plan.at !== undefined ? { heldAt: plan.at } : {}),
              },
              ...(plan.delay ? { delay: plan.delay } : {}),
              // Most urgent first when the opening releases them together (and into one digest's thread).
              priority: Math.min(held.length + 1, MAX_PRIORITY),
            });
          } else {
            byChannel.set(channel, [...(byChannel.get(channel) ?? []), evaluation]);
          }
        }
      }
      // Held posts are not the cycle's to wait for: they go out at their route's opening, registered
      // first with the others of their channel and opening, so none of them runs before the batch is known.
      for (const group of heldGroups(held)) await ctx.held.register(group.channel, group.at, group.alertKeys);
      await addJobs(ctx, 'notify', held);
      const posts: Array<{ id: string; data: NotifyData; priority?: number }> = [];
      for (const [channel, evaluations] of byChannel) {
        // A digest already up (the scan found the storm early, storm-stream.ts) keeps the channel's new
        // alerts in its thread, even if quiet hours began since and now hold some of them back.
        const alertKeys = evaluations.map((e) => e.alertKey);
        const digestUp = await state.isFinished(cycleId, jobIds.digestPhase(cycleId, channel));
        const storm = digestUp || evaluations.length > ctx.config.digestOver;
        if (storm) {
          if (!digestUp) await queueDigest(ctx, cycleId, channel, alertKeys);
          await waitIdle(ctx, job, cycleId, 'digest');
          // Rewritten when it went up as "so far", or shows another count than the scan's final one.
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
      }
      const children = await addJobs(ctx, 'notify', posts);
      await state.finish(cycleId, jobIds.posts(cycleId), { children, counters: { held: held.length } });
    }
    await waitIdle(ctx, job, cycleId, 'notify');

    // 4. Reminders, in each channel's thread, for alerts nobody acted on since the last notification.
    if (!(await state.isFinished(cycleId, jobIds.reminders(cycleId)))) {
      const { due, held } = await planReminders(ctx, cycleId);
      const children = await addJobs(ctx, 'notify', due);
      await addJobs(ctx, 'notify', held);
      await state.finish(cycleId, jobIds.reminders(cycleId), {
        children,
        counters: { held: held.length },
        fields: { phase: 'remind' },
      });
    }
    await waitIdle(ctx, job, cycleId, 'remind');

    await state.finish(cycleId, null, { fields: { phase: 'done', finishedAt: ctx.clock() } });
    // Reported before the status says "done" (as a failed cycle's outcome precedes "failed"): whoever
    // waits for that status (runCycleNow, npm run check) finds the metrics and the self-monitor told.
    const summary = await reportCycleEnd(ctx, cycleId, undefined, { status: 'done' });
    const last = ctx.redis.multi().set(`${ctx.config.queuePrefix}:lastCycle`, JSON.stringify(summary));
    if (summary.ok) last.set(`${ctx.config.queuePrefix}:lastSuccessfulCycleAt`, String(summary.finishedAt));
    await last.exec();
    await state.finish(cycleId, null, { fields: { status: 'done' } });
    log.info({ ...summary, cycleId: undefined, productLines: undefined }, 'cycle finished');
    return summary;
  } catch (error) {
    if (error instanceof Interrupted) {
      // Shutting down: the cycle goes back to the queue and resumes in the next process that takes it.
      await job.moveToDelayed(Date.now() + 1_000, token);
      throw new DelayedError('cycle handed back on shutdown');
    }
    throw error;
  }
}

type PlannedNotify = { id: string; data: NotifyData; delay?: number };

async function planReminders(
  ctx: PipelineContext,
  cycleId: string,
): Promise<{ due: PlannedNotify[]; held: PlannedNotify[] }> {
  const now = ctx.clock();
  const due: PlannedNotify[] = [];
  const held: PlannedNotify[] = [];
  const pageSize = 500;
  const cutoff = now - ctx.config.remindEveryMs;
  for (let offset = 0; ; offset += pageSize) {
    // Only the quiet ones cross the wire: after a storm, a thousand alerts were all just notified.
    const { scanned, records } = await ctx.store.listQuiet({ cutoff, offset, limit: pageSize });
    for (const record of records) {
      if (!record.evaluation || !record.stage || !needsReminder(record, now, ctx.config.remindEveryMs))
        continue;
      const { alertKey, stage, evaluation } = record;
      for (const { channel } of record.messages ?? []) {
        const route = routeTo(ctx, evaluation, channel);
        const plan = planDelivery({ cycleId, alertKey, action: 'remind', channel, route, stage, now });
        const data: NotifyData = {
          cycleId,
          action: 'remind',
          alertKey,
          channel,
          stage,
          mentions: reminderMentions(route, stage),
        };
        if (plan.held) held.push({ id: plan.id, data, ...(plan.delay ? { delay: plan.delay } : {}) });
        else due.push({ id: plan.id, data });
      }
    }
    if (scanned < pageSize) break;
  }
  return { due, held };
}

/** Waits until every job the cycle registered has finished: a completion count, not a sleep. */
async function waitIdle(
  ctx: PipelineContext,
  job: Job,
  cycleId: string,
  phase: string,
  /** Work the orchestrator does meanwhile, each time it reads the cycle (the storm stream). */
  meanwhile?: (hash: Record<string, string>) => Promise<void>,
): Promise<void> {
  let lastPending = -1;
  let lastChange = Date.now();
  for (;;) {
    if (ctx.closing()) throw new Interrupted();
    const since = ctx.state.wakeCount();
    const hash = await ctx.state.read(cycleId);
    await meanwhile?.(hash);
    const pending = counterOf(hash.pending);
    if (pending !== lastPending) {
      lastPending = pending;
      lastChange = Date.now();
      const progress: CycleProgress = { cycleId, phase, pending, productLines: productLinesOf(hash) };
      await job.updateProgress(progress);
    } else if (Date.now() - lastChange > ctx.tuning.stallCheckMs) {
      await settleLostJobs(ctx, cycleId);
      lastChange = Date.now();
    }
    if (pending <= 0) return;
    await ctx.state.nap(cycleId, since, ctx.tuning.pollIntervalMs);
  }
}

/**
 * A job that failed for good without reporting (its process died on the last attempt, or it stalled
 * too often) would keep the cycle waiting for ever: such jobs are counted as errors here.
 */
async function settleLostJobs(ctx: PipelineContext, cycleId: string): Promise<void> {
  for (const jobId of await ctx.state.unfinished(cycleId, 200)) {
    const queue = queueOfJobId(jobId);
    if (!queue || queue === 'poll') continue;
    const status = await ctx.queues[queue].getJobState(jobId);
    if (status === 'failed' || status === 'unknown' || status === 'completed') {
      ctx.logger.warn({ cycleId, jobId, status }, 'job ended without reporting; counted as an error');
      await ctx.state.finish(cycleId, jobId, { counters: failureCounters(jobId) });
    }
  }
}
