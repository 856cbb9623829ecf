import { DelayedError, type Job } from 'bullmq';
import { stageRank } from '../alerts/rules.js';
import type { Evaluation } from '../alerts/types.js';
import { addJobs, channelsFor, type NotifyData, type PipelineContext, type ScanData } from './context.js';
import { countingClient } from './enrich.js';
import { isYeastarUnrecoverable, unrecoverable } from './errors.js';
import { cycleIdOf, jobIds, queueOfJobId } from './ids.js';

/**
 * One poll cycle, start to finish. It only enqueues and waits: scans, enrichment and Slack run in their
 * own workers. Every step is keyed by the cycle id (derived from this job's id), so an orchestrator
 * retried after a crash resumes where it was without doubling a job, a count or a message.
 */

export type CycleSummary = {
  cycleId: string;
  startedAt: number;
  finishedAt: number;
  ok: boolean;
  instances: number;
  skipped: number;
  posted: number;
  escalated: number;
  updated: number;
  resolved: number;
  digests: number;
  apiCalls: number;
  errors: number;
  enrichErrors: number;
  productLines: Array<{ productId: string; name: string; pages: number; done: number; failed: number }>;
};

export type CycleProgress = {
  cycleId: string;
  phase: string;
  pending: number;
  productLines: CycleSummary['productLines'];
};

const num = (value: string | undefined) => (value === undefined ? 0 : Number(value) || 0);

export function productLinesOf(hash: Record<string, string>): CycleSummary['productLines'] {
  const products = hash.products
    ? (JSON.parse(hash.products) as Array<{ productId: string; name: string }>)
    : [];
  return products.map((p) => ({
    productId: p.productId,
    name: p.name,
    pages: num(hash[`total:${p.productId}`]),
    done: num(hash[`done:${p.productId}`]),
    failed: num(hash[`failed:${p.productId}`]),
  }));
}

export function summaryOf(cycleId: string, hash: Record<string, string>): CycleSummary {
  const errors = num(hash.errors);
  return {
    cycleId,
    startedAt: num(hash.startedAt),
    finishedAt: num(hash.finishedAt),
    ok: hash.status === 'done' && errors === 0,
    instances: num(hash.instances),
    skipped: num(hash.skipped),
    posted: num(hash.posted),
    escalated: num(hash.escalated),
    updated: num(hash.updated),
    resolved: num(hash.resolved),
    digests: num(hash.digests),
    apiCalls: num(hash.apiCalls),
    errors,
    enrichErrors: num(hash.enrichErrors),
    productLines: productLinesOf(hash),
  };
}

/** Most urgent first: the stage, then the earliest expiry (unknown last), then the key for a stable order. */
export function compareUrgency(a: Evaluation, b: Evaluation): number {
  return (
    stageRank(b.stage) - stageRank(a.stage) ||
    (a.expiresAt ?? Number.POSITIVE_INFINITY) - (b.expiresAt ?? Number.POSITIVE_INFINITY) ||
    (a.alertKey < b.alertKey ? -1 : a.alertKey > b.alertKey ? 1 : 0)
  );
}

class Interrupted extends Error {}

/** BullMQ's largest priority; beyond it posts simply share the lowest one. */
const MAX_PRIORITY = 2_097_152;

export async function processCycle(
  ctx: PipelineContext,
  job: Job,
  token: string | undefined,
): Promise<CycleSummary> {
  const cycleId = cycleIdOf(job.id!);
  const { state } = ctx;
  const keys = state.keys(cycleId);
  const existing = await state.read(cycleId);
  if (existing.status === 'done') return summaryOf(cycleId, existing);
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
    await waitIdle(ctx, job, cycleId, 'scan');

    // 2. Instances no longer listed, for every product line whose pages all came back.
    if (!(await state.isFinished(cycleId, jobIds.sweep(cycleId)))) {
      const hash = await state.read(cycleId);
      const resolves: Array<{ id: string; data: NotifyData }> = [];
      for (const line of productLinesOf(hash)) {
        if (line.failed > 0 || line.pages === 0 || line.done < line.pages) continue;
        const decisions = await ctx.store.sweepVanished(cycleId, line.productId, ctx.clock());
        for (const d of decisions) {
          if (d.action !== 'resolve') continue;
          resolves.push({
            id: jobIds.notify(cycleId, d.alertKey, 'resolve'),
            data: {
              cycleId,
              action: 'resolve',
              alertKey: d.alertKey,
              reason: d.resolveReason ?? 'vanished',
              renewedUntil: null,
              evaluation: d.evaluation,
            },
          });
        }
      }
      const children = await addJobs(ctx, 'notify', resolves);
      await state.finish(cycleId, jobIds.sweep(cycleId), { children, fields: { phase: 'notify' } });
    }

    // 3. New alerts, most urgent first; a storm becomes one digest per channel with the alerts in its thread.
    if (!(await state.isFinished(cycleId, jobIds.posts(cycleId)))) {
      const byChannel = new Map<string, Evaluation[]>();
      for (const evaluation of (await state.posts(cycleId)).sort(compareUrgency)) {
        const channel = channelsFor(ctx, evaluation)[0];
        if (!channel) continue;
        byChannel.set(channel, [...(byChannel.get(channel) ?? []), evaluation]);
      }
      const posts: Array<{ id: string; data: NotifyData; priority: number }> = [];
      for (const [channel, evaluations] of byChannel) {
        const storm = evaluations.length > ctx.config.digestOver;
        if (storm) {
          const phaseId = jobIds.digestPhase(cycleId, channel);
          if (!(await state.isFinished(cycleId, phaseId))) {
            const children = await addJobs<NotifyData>(ctx, 'notify', [
              { id: jobIds.digest(cycleId, channel), data: { cycleId, action: 'digest', channel } },
            ]);
            await state.finish(cycleId, phaseId, { children });
          }
          await waitIdle(ctx, job, cycleId, 'digest');
        }
        evaluations.forEach((evaluation, index) => {
          posts.push({
            id: jobIds.notify(cycleId, evaluation.alertKey, 'post'),
            data: {
              cycleId,
              action: 'post',
              alertKey: evaluation.alertKey,
              channel,
              inThread: storm,
              evaluation,
            },
            priority: Math.min(index + 1, MAX_PRIORITY),
          });
        });
      }
      const children = await addJobs(ctx, 'notify', posts);
      await state.finish(cycleId, jobIds.posts(cycleId), { children });
    }
    await waitIdle(ctx, job, cycleId, 'notify');

    await state.finish(cycleId, null, { fields: { status: 'done', phase: 'done', finishedAt: ctx.clock() } });
    const summary = summaryOf(cycleId, await state.read(cycleId));
    const last = ctx.redis.multi().set(`${ctx.config.queuePrefix}:lastCycle`, JSON.stringify(summary));
    if (summary.ok) last.set(`${ctx.config.queuePrefix}:lastSuccessfulCycleAt`, String(summary.finishedAt));
    await last.exec();
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until every job the cycle registered has finished: a completion count, not a sleep. */
async function waitIdle(ctx: PipelineContext, job: Job, cycleId: string, phase: string): Promise<void> {
  let lastPending = -1;
  let lastChange = Date.now();
  for (;;) {
    if (ctx.closing()) throw new Interrupted();
    const hash = await ctx.state.read(cycleId);
    const pending = num(hash.pending);
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
    await sleep(ctx.tuning.pollIntervalMs);
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

/** What a job that failed for good adds to its cycle: an error, and for a scan a failed page. */
export function failureCounters(jobId: string, data?: { productId?: unknown }): Record<string, number> {
  const counters: Record<string, number> = { errors: 1 };
  if (queueOfJobId(jobId) === 'scan') {
    const productId = typeof data?.productId === 'string' ? data.productId : jobId.split('|')[2];
    if (productId) counters[`failed:${productId}`] = 1;
  }
  return counters;
}
