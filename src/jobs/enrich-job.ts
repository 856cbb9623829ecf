import type { Job } from 'bullmq';
import type { Enrichment } from '../alerts/types.js';
import { redactText } from '../logger.js';
import { addJobs, type EnrichData, type NotifyData, type PipelineContext } from './context.js';
import { CYCLE_TTL_SECONDS } from './cycle-state.js';
import { planDelivery, targetsFor } from './delivery.js';
import { buildEnrichment, countingClient } from './enrich.js';
import { isYeastarUnrecoverable } from './errors.js';
import { channelStep, jobIds } from './ids.js';

/**
 * Renewal options for one alert, cached in Redis for the cycle so a retry (or the Slack app re-rendering
 * the alert) makes no second API call. An API that keeps failing costs the alert its options, never the
 * alert itself: the last attempt stores the error and lets the notify step go ahead.
 */
export async function processEnrich(ctx: PipelineContext, job: Job<EnrichData>): Promise<void> {
  const { cycleId, alertKey, action, previousStage, evaluation, messages = [] } = job.data;
  const jobId = job.id!;
  // No "already finished?" look-up: the cached options make a repeat cost no API call, the notify job's
  // id is deterministic (and it checks for itself) and `finish` counts once.

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

  // New alerts wait for the orchestrator (storm control needs the cycle's total); changes go out now,
  // to each channel the alert has a message in and to each channel its routes now add (finance at 3d).
  const now = ctx.clock();
  const due: Array<{ id: string; data: NotifyData }> = [];
  const held: Array<{ id: string; data: NotifyData; delay?: number }> = [];
  if (action !== 'post') {
    const targets = targetsFor(ctx, evaluation);
    const channels = [...new Set([...messages.map((m) => m.channel), ...targets.map((t) => t.channel)])];
    for (const channel of channels) {
      const hasMessage = messages.some((m) => m.channel === channel);
      const data: NotifyData = { cycleId, action, alertKey, channel, previousStage, evaluation };
      if (action === 'update' && hasMessage) {
        // A quiet edit of a message already there notifies nobody: quiet hours do not apply.
        due.push({ id: jobIds.notify(cycleId, alertKey, channelStep(action, channel)), data });
        continue;
      }
      const route = targets.find((t) => t.channel === channel)?.route ?? null;
      const plan = planDelivery({ cycleId, alertKey, action, channel, route, stage: evaluation.stage, now });
      if (plan.held) held.push({ id: plan.id, data, ...(plan.delay ? { delay: plan.delay } : {}) });
      else due.push({ id: plan.id, data });
    }
    if (targets.length === 0 && messages.length === 0) {
      ctx.logger.warn(
        { alertKey, stage: evaluation.stage },
        'no route and no SLACK_ALERT_CHANNEL: alert not sent',
      );
    }
  }
  const children = await addJobs<NotifyData>(ctx, 'notify', due);
  await addJobs<NotifyData>(ctx, 'notify', held);
  await ctx.state.finish(cycleId, jobId, {
    children,
    counters: { apiCalls: counted.calls(), enrichErrors: failed, held: held.length },
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
