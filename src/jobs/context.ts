import type { WebClient } from '@slack/web-api';
import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Route } from '../alerts/routes.js';
import type {
  AlertStore,
  Decision,
  Enrichment,
  Evaluation,
  ResolveReason,
  SlackMessageRef,
  Stage,
} from '../alerts/types.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { ChannelLimiter } from '../slack/channel-limiter.js';
import type { YeastarClient } from '../yeastar/types.js';
import type { CycleState } from './cycle-state.js';
import type { HeldBatch } from './held-digest.js';
import { jobIds, type QueueName } from './ids.js';
import type { CycleSummary } from './orchestrator.js';
import type { SelfMonitor } from './self-monitor.js';

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
  /**
   * How long a job stays locked to its worker without renewal (renewed every half of it). A process that
   * dies leaves its jobs locked this long before another process takes them over.
   */
  lockDurationMs: number;
};

export function defaultTuning(config: Config): PipelineTuning {
  return {
    backoffMs: 1_000,
    pollIntervalMs: 50,
    stallCheckMs: 30_000,
    // Three times the API's concurrency: while a job parses, evaluates or talks to Redis it holds no API
    // slot, and another job's request must be waiting on the HTTP thread to take it (the thread's limiter
    // caps the requests anyway). Paired bench runs: 2× left slots unused 0.51 to 0.64 s a cycle, 3× 0.42
    // to 0.58 s.
    scanConcurrency: 3 * config.yeastar.concurrency,
    enrichConcurrency: 3 * config.yeastar.concurrency,
    notifyConcurrency: 8,
    slackLimit: { max: 20, duration: 1_000 },
    attempts: { poll: 3, scan: 6, enrich: 4, notify: 8 },
    // A killed process's jobs (its cycle, its pages, its posts) are taken over 8 to 10 s after it died,
    // not BullMQ's 30 to 60 s: the next `npm run check` does not start by waiting for them. A lock is
    // renewed every 4 s, from a timer of the event loop, which never stalls for seconds here (the API's
    // requests run on their own thread).
    stalledIntervalMs: 2_000,
    lockDurationMs: 8_000,
  };
}

export type ScanData = { cycleId: string; productId: string; productName: string; pageNo: number };

export type EnrichData = {
  cycleId: string;
  alertKey: string;
  action: 'post' | 'escalate' | 'update';
  previousStage: Stage | null;
  evaluation: Evaluation;
  /** The alert's messages when the scan decided (absent on jobs queued before messages were per channel). */
  messages?: SlackMessageRef[];
};

export type NotifyData =
  | {
      cycleId: string;
      action: 'digest';
      channel: string;
      /** The alerts in the digest's thread (absent: every new alert routed to `channel`). */
      alertKeys?: string[];
      /**
       * Put up while the scan runs ('partial': more may follow), or the rewrite of such a digest with the
       * whole storm once the scan is over ('complete'). Absent: posted after the scan, complete.
       */
      streamed?: 'partial' | 'complete';
    }
  | {
      cycleId: string;
      action: 'post';
      alertKey: string;
      channel: string;
      /** Posted in the thread of the cycle's digest for `channel`. */
      inThread: boolean;
      evaluation: Evaluation;
      /** The renewal options (absent on older jobs: read from the cycle's hash). */
      enrichment?: Enrichment | null;
      /** Held for quiet hours until this instant: posted with the rest of its batch (held-digest.ts). */
      heldAt?: number;
    }
  | {
      cycleId: string;
      action: 'escalate' | 'update';
      alertKey: string;
      /** The channel whose message this job updates, or posts when the channel has none yet. */
      channel: string;
      previousStage: Stage | null;
      evaluation: Evaluation;
      /** The renewal options (absent on older jobs: read from the cycle's hash). */
      enrichment?: Enrichment | null;
    }
  | {
      cycleId: string;
      action: 'remind';
      alertKey: string;
      channel: string;
      /** The stage the reminder is about: a stage change meanwhile makes it moot. */
      stage: Stage;
      /** Slack mention markup for the route's `mention` (at `1d` and `expired`), or null. */
      mentions: string | null;
    }
  | {
      cycleId: string;
      action: 'resolve';
      alertKey: string;
      reason: ResolveReason;
      renewedUntil: number | null;
      evaluation: Evaluation;
    };

/** The notify job that resolves an alert: the same for a renewal (scan) and a vanished instance (sweep). */
export function resolveJob(
  cycleId: string,
  decision: Decision,
  reason: ResolveReason,
  renewedUntil: number | null,
): { id: string; data: NotifyData } {
  return {
    id: jobIds.notify(cycleId, decision.alertKey, 'resolve'),
    data: {
      cycleId,
      action: 'resolve',
      alertKey: decision.alertKey,
      reason: decision.resolveReason ?? reason,
      renewedUntil,
      evaluation: decision.evaluation,
    },
  };
}

export type PipelineContext = {
  config: Config;
  client: YeastarClient;
  store: AlertStore;
  slack: WebClient;
  logger: Logger;
  clock: Clock;
  /** The pipeline's own connection: cycle bookkeeping, enrichment cache, Slack buckets. */
  redis: Redis;
  state: CycleState;
  limiter: ChannelLimiter;
  /** Posts held for quiet hours, by channel and opening: digested together when they are many. */
  held: HeldBatch;
  queues: Record<QueueName, Queue>;
  tuning: PipelineTuning;
  /** ROUTES_FILE, checked at start; null without one (everything to SLACK_ALERT_CHANNEL). */
  routes: Route[] | null;
  selfMonitor: SelfMonitor;
  onCycleFinished?: (summary: CycleSummary) => void;
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
