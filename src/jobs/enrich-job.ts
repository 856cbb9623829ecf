import type { Job } from 'bullmq';
import type { Enrichment } from '../alerts/types.js';
import { redactText } from '../logger.js';
import type { PipelineContext } from './context.js';
import { countingClient } from './counting-client.js';
import { readEnrichment } from './cycle-state.js';
import { planDelivery, targetsFor } from './delivery.js';
import { isYeastarUnrecoverable } from './errors.js';
import { heldGroups } from './held-digest.js';
import { channelStep, jobIds } from './ids.js';
import type { EnrichData, NotifyData } from './job-data.js';
import { addJobs } from './queue-options.js';
import { buildEnrichment } from './renewal-options.js';

/**
 * Renewal options for alerts, cached in the cycle's hash so a retry (or the Slack app re-rendering the
 * alert) makes no second API call. The scan looks them up itself for the alerts of its page (no job per
 * alert: a job costs more CPU than the look-up); an alert whose look-up failed there gets an enrich job,
 * which retries with backoff. An API that keeps failing costs the alert its options, never the alert
 * itself: the job's last attempt records the error and lets the notify step go ahead.
 */

type PlannedNotify = { id: string; data: NotifyData; delay?: number };

/**
 * The notify jobs of an alert that changed: to each channel the alert has a message in and to each
 * channel its routes now add (finance at 3d), now or at the route's opening. New alerts get none here:
 * they wait for the orchestrator, because storm control needs the cycle's total.
 */
export function plannedNotifies(
  ctx: PipelineContext,
  data: EnrichData,
  enrichment: Enrichment,
): { due: PlannedNotify[]; held: PlannedNotify[] } {
  const { cycleId, alertKey, action, previousStage, evaluation, messages = [] } = data;
  const due: PlannedNotify[] = [];
  const held: PlannedNotify[] = [];
  if (action === 'post') return { due, held };
  const now = ctx.clock();
  const targets = targetsFor(ctx, evaluation);
  const only = data.channels ? new Set(data.channels) : null;
  const channels = [...new Set([...messages.map((m) => m.channel), ...targets.map((t) => t.channel)])].filter(
    (c) => !only || only.has(c),
  );
  for (const channel of channels) {
    const hasMessage = messages.some((m) => m.channel === channel);
    const notify: NotifyData = { cycleId, action, alertKey, channel, previousStage, evaluation, enrichment };
    if (action === 'update' && hasMessage) {
      // A quiet edit of a message already there notifies nobody: quiet hours do not apply.
      due.push({ id: jobIds.notify(cycleId, alertKey, channelStep(action, channel)), data: notify });
      continue;
    }
    const route = targets.find((t) => t.channel === channel)?.route ?? null;
    const plan = planDelivery({ cycleId, alertKey, action, channel, route, stage: evaluation.stage, now });
    if (!plan.held) {
      due.push({ id: plan.id, data: notify });
      continue;
    }
    // A first copy held for the opening is a post like the held new alerts: it joins their batch.
    const batch = !hasMessage && plan.at !== undefined ? { heldAt: plan.at } : {};
    held.push({ id: plan.id, data: { ...notify, ...batch }, ...(plan.delay ? { delay: plan.delay } : {}) });
  }
  if (targets.length === 0 && messages.length === 0) {
    ctx.logger.warn(
      { alertKey, stage: evaluation.stage },
      'no route and no SLACK_ALERT_CHANNEL: alert not sent',
    );
  }
  return { due, held };
}

/** Held notifies: first copies registered with their opening's batch first (held-digest.ts), then queued. */
export async function queueHeld(ctx: PipelineContext, held: PlannedNotify[]): Promise<void> {
  for (const group of heldGroups(held)) await ctx.held.register(group.channel, group.at, group.alertKeys);
  await addJobs<NotifyData>(ctx, 'notify', held);
}

export type PageEnrichment = {
  /** Found now: written with the page's `finish`. */
  enrichments: Record<string, Enrichment>;
  /** Notify jobs for changed alerts whose options were found. */
  due: PlannedNotify[];
  held: PlannedNotify[];
  /** Alerts whose look-up failed: each becomes an enrich job, which retries. */
  retry: Array<{ id: string; data: EnrichData }>;
  apiCalls: number;
};

/** The scan's look-ups for the alerts of one page, in parallel (the client's limiter bounds them). */
export async function enrichPage(ctx: PipelineContext, alerts: EnrichData[]): Promise<PageEnrichment> {
  const result: PageEnrichment = { enrichments: {}, due: [], held: [], retry: [], apiCalls: 0 };
  const counted = countingClient(ctx.client);
  await Promise.all(
    alerts.map(async (data) => {
      let enrichment: Enrichment;
      try {
        enrichment = await buildEnrichment(counted.client, data.evaluation);
      } catch (error) {
        ctx.logger.warn(
          { alertKey: data.alertKey, cycleId: data.cycleId, err: error },
          'renewal options unavailable; an enrich job retries',
        );
        result.retry.push({ id: jobIds.enrich(data.cycleId, data.alertKey), data });
        return;
      }
      result.enrichments[data.alertKey] = enrichment;
      const planned = plannedNotifies(ctx, data, enrichment);
      result.due.push(...planned.due);
      result.held.push(...planned.held);
    }),
  );
  result.apiCalls = counted.calls();
  return result;
}

/** An alert whose look-up failed during the scan: retried here, with backoff, up to the job's attempts. */
export async function processEnrich(ctx: PipelineContext, job: Job<EnrichData>): Promise<void> {
  const { cycleId, alertKey, evaluation } = job.data;
  const jobId = job.id!;
  // No "already finished?" look-up: the cached options make a repeat cost no API call, the notify job's
  // id is deterministic (and it checks for itself) and `finish` counts once.
  const counted = countingClient(ctx.client);
  let failed = 0;
  let enrichment = await readEnrichment(ctx.redis, ctx.config.queuePrefix, cycleId, alertKey);
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
  }
  const { due, held } = plannedNotifies(ctx, job.data, enrichment);
  const children = await addJobs<NotifyData>(ctx, 'notify', due);
  await queueHeld(ctx, held);
  await ctx.state.finish(cycleId, jobId, {
    children,
    enrichments: { [alertKey]: enrichment },
    counters: { apiCalls: counted.calls(), enrichErrors: failed, held: held.length },
  });
}
