import type {
  Decision,
  Enrichment,
  Evaluation,
  ResolveReason,
  SlackMessageRef,
  Stage,
} from '../alerts/types.js';
import { jobIds } from './ids.js';

/** The data each queue's jobs carry: what a worker gets, and all it may rely on (jobs outlive a release). */

export type ScanData = { cycleId: string; productId: string; productName: string; pageNo: number };

export type EnrichData = {
  cycleId: string;
  alertKey: string;
  action: 'post' | 'escalate' | 'update';
  previousStage: Stage | null;
  evaluation: Evaluation;
  /** The alert's messages when the scan decided (absent on jobs queued before messages were per channel). */
  messages?: SlackMessageRef[];
  /** Only these channels (a copy behind its record, lagging-copies.ts); absent: every channel. */
  channels?: string[];
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
      /** A first copy in `channel` held for quiet hours until this instant: posted with its batch. */
      heldAt?: number;
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

/** The data of one kind of notify job. */
export type NotifyOf<A extends NotifyData['action']> = Extract<NotifyData, { action: A }>;
