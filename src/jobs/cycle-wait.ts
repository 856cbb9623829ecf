import type { Job } from 'bullmq';
import type { PipelineContext } from './context.js';
import { type CycleProgress, counterOf, failureCounters, productLinesOf } from './cycle-summary.js';
import { queueOfJobId } from './ids.js';

/** The pipeline is closing: the orchestrator hands its cycle back instead of waiting on. */
export class Interrupted extends Error {}

/** Waits until every job the cycle registered has finished: a completion count, not a sleep. */
export async function waitIdle(
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
