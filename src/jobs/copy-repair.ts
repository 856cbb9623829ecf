import type { Job } from 'bullmq';
import type { PipelineContext } from './context.js';
import { channelStep, jobIds } from './ids.js';
import type { NotifyData } from './job-data.js';
import { jobOptions } from './queue-options.js';

/**
 * An alert's copy in one channel that failed for good (its job's retries ran out, or Slack refused the
 * channel) is retried there by a job of its own, soon and with backoff, instead of waiting for the
 * alert's next change: the other channels' copies are not touched. It keeps the failed job's data (its
 * cycle's `sent` record and post intents with it), so a copy that did reach Slack is not posted twice.
 */

/** First retry after 5 s, then 10, 20, 40 s: a short outage is over within a minute. */
export const REPAIR_DELAY_MS = 5_000;
const REPAIR_ATTEMPTS = 5;

/** The repair job of a notify job that failed for good, or null when it is not one channel's copy. */
export function repairOf(jobId: string, data: NotifyData): { id: string; data: NotifyData } | null {
  if (data.action !== 'post' && data.action !== 'update' && data.action !== 'escalate') return null;
  const id = jobIds.repair(data.alertKey, channelStep(data.action, data.channel));
  // A repair that failed too is left to the alert's next decision: no loop of repairs.
  if (jobId === id) return null;
  return { id, data };
}

export async function queueRepair(ctx: PipelineContext, job: Job<NotifyData>): Promise<void> {
  const repair = repairOf(job.id!, job.data);
  if (!repair || ctx.closing()) return;
  await ctx.queues.notify.add('notify', repair.data, {
    ...jobOptions(ctx, 'notify'),
    jobId: repair.id,
    delay: REPAIR_DELAY_MS,
    attempts: REPAIR_ATTEMPTS,
    backoff: { type: 'exponential', delay: REPAIR_DELAY_MS },
  });
  ctx.logger.warn(
    { jobId: job.id, repairJobId: repair.id, channel: 'channel' in job.data ? job.data.channel : undefined },
    'copy failed in its channel: retried there by its own job',
  );
}
