import type { WebClient } from '@slack/web-api';
import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AlertStore, Evaluation, ResolveReason, Stage } from '../alerts/types.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { YeastarClient } from '../yeastar/types.js';
import type { CycleState } from './cycle-state.js';
import type { QueueName } from './ids.js';
import type { ChannelLimiter } from './slack-limit.js';

/** What every processor needs: built once by the pipeline, passed in, never a module global. */

export type PipelineTuning = {
  /** First retry delay; doubles per attempt. */
  backoffMs: number;
  /** How often the orchestrator reads the cycle's counters while it waits. */
  pollIntervalMs: number;
  /** After this long without progress, the orchestrator checks its jobs are still alive. */
  stallCheckMs: number;
  scanConcurrency: number;
  enrichConcurrency: number;
  notifyConcurrency: number;
  /** Workspace-wide Slack calls (BullMQ's queue limiter), on top of the per-channel bucket. */
  slackLimit: { max: number; duration: number };
  attempts: Record<QueueName, number>;
  /** How often workers look for jobs whose process died (their lock expired). */
  stalledIntervalMs: number;
};

export function defaultTuning(config: Config): PipelineTuning {
  return {
    backoffMs: 1_000,
    pollIntervalMs: 150,
    stallCheckMs: 30_000,
    scanConcurrency: config.yeastar.concurrency,
    enrichConcurrency: config.yeastar.concurrency,
    notifyConcurrency: 4,
    slackLimit: { max: 20, duration: 1_000 },
    attempts: { poll: 3, scan: 6, enrich: 4, notify: 8 },
    stalledIntervalMs: 30_000,
  };
}

export type ScanData = { cycleId: string; productId: string; productName: string; pageNo: number };

export type EnrichData = {
  cycleId: string;
  alertKey: string;
  action: 'post' | 'escalate' | 'update';
  previousStage: Stage | null;
  evaluation: Evaluation;
};

export type NotifyData =
  | { cycleId: string; action: 'digest'; channel: string }
  | {
      cycleId: string;
      action: 'post';
      alertKey: string;
      channel: string;
      /** Posted in the thread of the cycle's digest for `channel`. */
      inThread: boolean;
      evaluation: Evaluation;
    }
  | {
      cycleId: string;
      action: 'escalate' | 'update';
      alertKey: string;
      previousStage: Stage | null;
      evaluation: Evaluation;
    }
  | {
      cycleId: string;
      action: 'resolve';
      alertKey: string;
      reason: ResolveReason;
      renewedUntil: number | null;
      evaluation: Evaluation;
    };

export type PipelineContext = {
  config: Config;
  client: YeastarClient;
  store: AlertStore;
  slack: WebClient;
  logger: Logger;
  clock: () => number;
  /** The pipeline's own connection: cycle bookkeeping, enrichment cache, Slack buckets. */
  redis: Redis;
  state: CycleState;
  limiter: ChannelLimiter;
  queues: Record<QueueName, Queue>;
  tuning: PipelineTuning;
  /** True once close() began: long-running jobs hand their work back instead of finishing it. */
  closing: () => boolean;
};

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

export async function addJobs<T>(
  ctx: Pick<PipelineContext, 'queues' | 'tuning'>,
  queue: QueueName,
  jobs: Array<{ id: string; data: T; priority?: number }>,
): Promise<string[]> {
  if (jobs.length === 0) return [];
  const base = jobOptions(ctx, queue);
  await ctx.queues[queue].addBulk(
    jobs.map((j) => ({
      name: queue,
      data: j.data,
      opts: { ...base, jobId: j.id, ...(j.priority ? { priority: j.priority } : {}) },
    })),
  );
  return jobs.map((j) => j.id);
}

/** Where an alert goes. One channel for now; routing by product line or customer can come later. */
export function channelsFor(ctx: Pick<PipelineContext, 'config'>, _evaluation: Evaluation): string[] {
  const channel = ctx.config.slack.alertChannel;
  return channel ? [channel] : [];
}
