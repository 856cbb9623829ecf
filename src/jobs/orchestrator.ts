import { DelayedError, type Job } from 'bullmq';
import type { Logger } from '../logger.js';
import type { PipelineContext } from './context.js';
import { countingClient } from './counting-client.js';
import { queuePosts } from './cycle-posts.js';
import { type CycleSummary, completeLines, summaryOf } from './cycle-summary.js';
import { Interrupted, waitIdle } from './cycle-wait.js';
import { isYeastarUnrecoverable, unrecoverable } from './errors.js';
import { commitForecastSnapshot } from './forecast-snapshot.js';
import { cycleIdOf, jobIds } from './ids.js';
import { type NotifyData, resolveJob, type ScanData } from './job-data.js';
import { addJobs } from './queue-options.js';
import { ensureIndex } from './rebuild.js';
import { queueReminders } from './reminders.js';
import { createStormStream } from './storm-stream.js';

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

export async function processCycle(
  ctx: PipelineContext,
  job: Job,
  token: string | undefined,
): Promise<CycleSummary> {
  const cycleId = cycleIdOf(job.id!);
  const { state } = ctx;
  const existing = await state.read(cycleId);
  if (existing.status === 'done') return reportCycleEnd(ctx, cycleId);
  if (!existing.startedAt) {
    await ctx.redis.hsetnx(state.keys(cycleId).hash, 'startedAt', ctx.clock());
  }
  await state.finish(cycleId, null, { fields: { status: 'running', phase: 'scan' } });
  const log = ctx.logger.child({ cycleId });

  try {
    // A Redis without the alert index (wiped, or new) is rebuilt from Slack before anything is decided.
    await ensureIndex(ctx, log);
    await startScan(ctx, cycleId, log);
    const storms = createStormStream(ctx, cycleId);
    await waitIdle(ctx, job, cycleId, 'scan', (hash) => storms.advance(hash));
    await sweepVanished(ctx, cycleId, log);
    await queuePosts(ctx, job, cycleId, storms, log);
    await waitIdle(ctx, job, cycleId, 'notify');
    await queueReminders(ctx, cycleId);
    await waitIdle(ctx, job, cycleId, 'remind');
    return await finishCycle(ctx, cycleId, log);
  } catch (error) {
    if (error instanceof Interrupted) {
      // Shutting down: the cycle goes back to the queue and resumes in the next process that takes it.
      await job.moveToDelayed(Date.now() + 1_000, token);
      throw new DelayedError('cycle handed back on shutdown');
    }
    throw error;
  }
}

/** 1. Product lines, and page 1 of each (which adds the other pages). */
async function startScan(ctx: PipelineContext, cycleId: string, log: Logger): Promise<void> {
  if (await ctx.state.isFinished(cycleId, jobIds.products(cycleId))) return;
  const counted = countingClient(ctx.client);
  const lines = await counted.client.listProductLines().catch((error: unknown) => {
    throw isYeastarUnrecoverable(error) ? unrecoverable(error) : error;
  });
  const scans = lines.map((line) => ({
    id: jobIds.scan(cycleId, line.productId, 1),
    data: { cycleId, productId: line.productId, productName: line.name, pageNo: 1 },
  }));
  const children = await addJobs<ScanData>(ctx, 'scan', scans);
  await ctx.state.finish(cycleId, jobIds.products(cycleId), {
    children,
    counters: { apiCalls: counted.calls() },
    fields: { products: JSON.stringify(lines) },
  });
  log.info({ productLines: lines.length }, 'cycle started');
}

/** 2. Instances no longer listed, for every product line whose pages all came back. */
async function sweepVanished(ctx: PipelineContext, cycleId: string, log: Logger): Promise<void> {
  const { state } = ctx;
  if (await state.isFinished(cycleId, jobIds.sweep(cycleId))) return;
  const complete = completeLines(await state.read(cycleId));
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

/** The end: the summary reported, kept as the last cycle, then the status says "done". */
async function finishCycle(ctx: PipelineContext, cycleId: string, log: Logger): Promise<CycleSummary> {
  const { state } = ctx;
  await state.finish(cycleId, null, { fields: { phase: 'done', finishedAt: ctx.clock() } });
  // Reported before the status says "done" (as a failed cycle's outcome precedes "failed"): whoever
  // waits for that status (runCycleNow, npm run check) finds the metrics and the self-monitor told.
  const summary = await reportCycleEnd(ctx, cycleId, undefined, { status: 'done' });
  const last = ctx.redis.multi().set(`${ctx.config.queuePrefix}:lastCycle`, JSON.stringify(summary));
  if (summary.ok) last.set(`${ctx.config.queuePrefix}:lastSuccessfulCycleAt`, String(summary.finishedAt));
  await last.exec();
  await commitForecastSnapshot(ctx, cycleId, log);
  await state.finish(cycleId, null, { fields: { status: 'done' } });
  log.info({ ...summary, cycleId: undefined, productLines: undefined }, 'cycle finished');
  return summary;
}
