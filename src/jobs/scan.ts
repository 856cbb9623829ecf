import type { Job } from 'bullmq';
import { evaluateInstance } from '../alerts/rules.js';
import type { Evaluation } from '../alerts/types.js';
import type { YeastarClient } from '../yeastar/types.js';
import type { PipelineContext } from './context.js';
import { countingClient } from './counting-client.js';
import { enrichPage, queueHeld } from './enrich-job.js';
import { isYeastarUnrecoverable, unrecoverable } from './errors.js';
import { forecastPart } from './forecast-snapshot.js';
import { jobIds } from './ids.js';
import { type EnrichData, type NotifyData, resolveJob, type ScanData } from './job-data.js';
import { laggingCopies } from './lagging-copies.js';
import { addJobs } from './queue-options.js';

/** Page 1's later pages go to Redis this many at a time, so the workers' fetches get turns between them. */
const LATER_BATCH = 50;

/**
 * One page of one product line: fetch, evaluate, decide (one store round trip), look up the renewal
 * options of the page's new and changed alerts, then hand on only the instances whose decision is not
 * "nothing". Page 1 learns `totalPage` and adds the other pages as their own jobs, so a product line is
 * fetched in parallel, not page after page.
 */
export async function processScan(ctx: PipelineContext, job: Job<ScanData>): Promise<void> {
  const { cycleId, productId } = job.data;
  const jobId = job.id!;
  const counted = countingClient(ctx.client);
  const { children, fields, alerts, resolves, held, posts, listed, later, forecast } = await readPage(
    ctx,
    job,
    counted.client,
  );
  const enriched = await enrichPage(ctx, alerts);
  // Page 1's other pages, past the head: added only now, a batch at a time (see readPage).
  for (let i = 0; i < later.length; i += LATER_BATCH) {
    children.push(...(await addJobs<ScanData>(ctx, 'scan', later.slice(i, i + LATER_BATCH))));
  }
  children.push(
    ...(await addJobs(ctx, 'enrich', enriched.retry)),
    ...(await addJobs(ctx, 'notify', [...resolves, ...enriched.due])),
  );
  // Held deliveries are not the cycle's to wait for: they go out at their route's opening.
  await queueHeld(ctx, [...enriched.held, ...held]);

  await ctx.state.finish(cycleId, jobId, {
    children,
    fields,
    posts,
    enrichments: enriched.enrichments,
    forecast,
    counters: {
      instances: listed.instances,
      skipped: listed.skipped,
      apiCalls: counted.calls() + enriched.apiCalls,
      held: enriched.held.length + held.length,
      [`done:${productId}`]: 1,
      // Listed instances per product line, malformed ones too: the self-monitor's "did the list shrink?".
      [`seen:${productId}`]: listed.instances + listed.skipped,
    },
  });
}

/**
 * Fetch, evaluate and decide; what it returns is all the rest of the job needs. The page and its
 * hundred evaluations stay in here, so they are garbage before the renewal look-ups (API round trips)
 * and the writes that follow, instead of being carried through them.
 */
async function readPage(ctx: PipelineContext, job: Job<ScanData>, client: YeastarClient) {
  const { cycleId, productId, productName, pageNo } = job.data;
  const jobId = job.id!;
  // No "already finished?" look-up first: it would be a third Redis round trip on every page, to save
  // one API call on the rare retry of a page that had finished. Such a retry is harmless: `decide`
  // returns this evaluator's earlier decisions, job ids are deterministic and `finish` counts once.
  const page = await client
    .getInstancePage(productId, pageNo, ctx.config.yeastar.pageSize)
    .catch((error: unknown) => {
      throw isYeastarUnrecoverable(error) ? unrecoverable(error) : error;
    });

  const children: string[] = [];
  const fields: Record<string, number> = {};
  let later: Array<{ id: string; data: ScanData }> = [];
  if (pageNo === 1) {
    const totalPage = Math.max(1, page.totalPage);
    fields[`total:${productId}`] = totalPage;
    const more = [];
    for (let p = 2; p <= totalPage; p++) {
      more.push({
        id: jobIds.scan(cycleId, productId, p),
        data: { cycleId, productId, productName, pageNo: p },
      });
    }
    // Only a head of pages now, enough to keep every API slot busy for a while; the rest after this
    // page's own look-ups. Adding hundreds of jobs keeps Redis and this thread busy, and a BullMQ worker
    // fetches its first jobs one round trip at a time: added at once, they held every API slot idle at the
    // start of a cycle meanwhile (README: Performance).
    const head = 2 * ctx.tuning.scanConcurrency;
    children.push(...(await addJobs<ScanData>(ctx, 'scan', more.slice(0, head))));
    later = more.slice(head);
  }

  const now = ctx.clock();
  const options = { now, thresholds: ctx.config.alertDays, timeZone: ctx.config.timeZone, productName };
  const evaluations = page.instances.map((instance) => evaluateInstance(instance, options));
  const decisions = await ctx.store.decide(cycleId, jobId, evaluations, now);
  const forecast = forecastPart(ctx, page.instances, productName, now);

  const alerts: EnrichData[] = [];
  const resolves: Array<{ id: string; data: NotifyData }> = [];
  const posts: Evaluation[] = [];
  const held: Array<{ id: string; data: NotifyData; delay?: number }> = [];
  for (const d of decisions) {
    if (d.action === 'post' || d.action === 'escalate' || d.action === 'update') {
      // No message anywhere yet (its first post is still held for quiet hours, or was lost): whatever
      // changed, it is a post, so it meets the held one under the same job id instead of doubling it.
      const action = d.messages.length === 0 ? 'post' : d.action;
      alerts.push({
        cycleId,
        alertKey: d.alertKey,
        action,
        previousStage: d.previousStage,
        evaluation: d.evaluation,
        messages: d.messages,
      });
      if (action === 'post') posts.push(d.evaluation);
    } else if (d.action === 'resolve') {
      resolves.push(resolveJob(cycleId, d, 'renewed', d.evaluation.subject.planExpireDate));
    } else {
      const lagging = laggingCopies(ctx, cycleId, d, now);
      if (lagging.behind) alerts.push(lagging.behind);
      resolves.push(...lagging.due);
      held.push(...lagging.held);
    }
  }
  const listed = { instances: page.instances.length, skipped: page.skipped.length };
  return { children, fields, alerts, resolves, held, posts, listed, later, forecast };
}
