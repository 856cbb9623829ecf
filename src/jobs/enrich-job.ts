import type { Job } from 'bullmq';
import type { Enrichment } from '../alerts/types.js';
import { redactText } from '../logger.js';
import { addJobs, type EnrichData, type NotifyData, type PipelineContext } from './context.js';
import { CYCLE_TTL_SECONDS } from './cycle-state.js';
import { buildEnrichment, countingClient } from './enrich.js';
import { isYeastarUnrecoverable } from './errors.js';
import { jobIds } from './ids.js';

/**
 * Renewal options for one alert, cached in Redis for the cycle so a retry (or the Slack app re-rendering
 * the alert) makes no second API call. An API that keeps failing costs the alert its options, never the
 * alert itself: the last attempt stores the error and lets the notify step go ahead.
 */
export async function processEnrich(ctx: PipelineContext, job: Job<EnrichData>): Promise<void> {
  const { cycleId, alertKey, action, previousStage, evaluation } = job.data;
  const jobId = job.id!;
  if (await ctx.state.isFinished(cycleId, jobId)) return;

  const cacheKey = ctx.state.keys(cycleId).enrich(alertKey);
  const counted = countingClient(ctx.client);
  let failed = 0;
  let enrichment = await readEnrichment(ctx, cycleId, alertKey);
  if (!enrichment) {
    try {
      enrichment = await buildEnrichment(counted.client, evaluation);
    } catch (error) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!lastAttempt && !isYeastarUnrecoverable(error)) throw error;
      failed = 1;
      const reason = redactText(error instanceof Error ? error.message : String(error));
      enrichment = { options: [], error: reason };
      ctx.logger.warn(
        { alertKey, cycleId, err: error },
        'renewal options unavailable; the alert goes out without them',
      );
    }
    await ctx.redis.set(cacheKey, JSON.stringify(enrichment), 'EX', CYCLE_TTL_SECONDS);
  }

  // New alerts wait for the orchestrator (storm control needs the cycle's total); changes go out now.
  const children =
    action === 'post'
      ? []
      : await addJobs<NotifyData>(ctx, 'notify', [
          {
            id: jobIds.notify(cycleId, alertKey, action),
            data: { cycleId, action, alertKey, previousStage, evaluation },
          },
        ]);
  await ctx.state.finish(cycleId, jobId, {
    children,
    counters: { apiCalls: counted.calls(), enrichErrors: failed },
  });
}

export async function readEnrichment(
  ctx: Pick<PipelineContext, 'redis' | 'state'>,
  cycleId: string,
  alertKey: string,
): Promise<Enrichment | null> {
  const raw = await ctx.redis.get(ctx.state.keys(cycleId).enrich(alertKey));
  return raw ? (JSON.parse(raw) as Enrichment) : null;
}
