import type { JobsOptions } from 'bullmq';
import type { PipelineContext } from './context.js';
import type { QueueName } from './ids.js';

/** Bounded history so Redis does not grow: a day of completed jobs (enough to refuse duplicates
 * within a cycle), a week of failures for the operator. */
export function jobOptions(ctx: Pick<PipelineContext, 'tuning'>, queue: QueueName): JobsOptions {
  return {
    attempts: ctx.tuning.attempts[queue],
    backoff: { type: 'exponential', delay: ctx.tuning.backoffMs },
    removeOnComplete: { age: 86_400, count: queue === 'poll' ? 200 : 20_000 },
    removeOnFail: { age: 7 * 86_400, count: 2_000 },
  };
}

/** BullMQ's largest priority; beyond it posts simply share the lowest one. */
export const MAX_PRIORITY = 2_097_152;

export async function addJobs<T>(
  ctx: Pick<PipelineContext, 'queues' | 'tuning'>,
  queue: QueueName,
  jobs: Array<{ id: string; data: T; priority?: number; delay?: number }>,
): Promise<string[]> {
  if (jobs.length === 0) return [];
  const base = jobOptions(ctx, queue);
  await ctx.queues[queue].addBulk(
    jobs.map((j) => ({
      name: queue,
      data: j.data,
      opts: {
        ...base,
        jobId: j.id,
        ...(j.priority ? { priority: j.priority } : {}),
        ...(j.delay && j.delay > 0 ? { delay: j.delay } : {}),
      },
    })),
  );
  return jobs.map((j) => j.id);
}
