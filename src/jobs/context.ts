import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Route } from '../alerts/routes.js';
import type { AlertStore } from '../alerts/types.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { ChannelLimiter } from '../slack/channel-limiter.js';
import type { SlackHistory } from '../slack/history.js';
import type { SlackWebClient } from '../slack/web-client.js';
import type { YeastarClient } from '../yeastar/types.js';
import type { CycleState } from './cycle-state.js';
import type { CycleSummary } from './cycle-summary.js';
import type { HeldBatch } from './held-digest.js';
import type { QueueName } from './ids.js';
import type { PostIntents } from './notify/post-intent.js';
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
  /** How often `npm start` checks its poll schedule is still in Redis (schedule-keeper.ts). */
  scheduleCheckMs?: number;
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
    // caps the requests anyway). README, Performance: what 2× and 3× left unused.
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

export type PipelineContext = {
  config: Config;
  client: YeastarClient;
  store: AlertStore;
  /** Its errors are the SlackApiError family, which the notify jobs act on. */
  slack: SlackWebClient;
  logger: Logger;
  clock: Clock;
  /** The pipeline's own connection: cycle bookkeeping, enrichment cache, Slack buckets. */
  redis: Redis;
  state: CycleState;
  limiter: ChannelLimiter;
  /** Posts held for quiet hours, by channel and opening: digested together when they are many. */
  held: HeldBatch;
  /** Slack's history, where a post whose answer was lost is found by its post id (exactly once). */
  history: SlackHistory;
  /** What each post is about to be, written before it is sent. */
  intents: PostIntents;
  queues: Record<QueueName, Queue>;
  tuning: PipelineTuning;
  /** ROUTES_FILE, checked at start; null without one (everything to SLACK_ALERT_CHANNEL). */
  routes: Route[] | null;
  selfMonitor: SelfMonitor;
  onCycleFinished?: (summary: CycleSummary) => void;
  /** True once close() began: long-running jobs hand their work back instead of finishing it. */
  closing: () => boolean;
};
