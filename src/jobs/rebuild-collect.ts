import type { RestoredAlert } from '../alerts/alert-restore.js';
import { stageRank } from '../alerts/rules.js';
import type { AlertMetadataState, Stage } from '../alerts/types.js';
import type { HistoryMessage } from '../slack/history.js';

/**
 * The pure half of a rebuild from Slack: what the bot's messages say about its open alerts. An alert's
 * message carries its key, stage, digest and who acknowledged or snoozed it (render.ts, metadataOf);
 * a digest (or held batch's digest) carries alerts in its thread. Per alert and channel the first message
 * posted counts (a duplicate from before is not adopted twice); a resolved one counts for nothing.
 */

type AlertPayload = {
  alertKey?: unknown;
  productId?: unknown;
  productNo?: unknown;
  kind?: unknown;
  stage?: unknown;
} & { [K in keyof AlertMetadataState]?: unknown };

function payloadOf(message: HistoryMessage, eventType: string): AlertPayload | null {
  const meta = message.metadata as { event_type?: unknown; event_payload?: unknown } | undefined;
  if (meta?.event_type !== eventType) return null;
  return meta.event_payload && typeof meta.event_payload === 'object'
    ? (meta.event_payload as AlertPayload)
    : null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const numberOf = (value: unknown): number | null => {
  const n = typeof value === 'string' || typeof value === 'number' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : null;
};

/** A top-level message of the bot that holds alerts in its thread (a storm's or held batch's digest). */
export function isDigestRoot(message: HistoryMessage): boolean {
  return (message.reply_count ?? 0) > 0 && payloadOf(message, 'yeastar_renewal_post') !== null;
}

export type Collected = {
  alerts: Map<string, RestoredAlert>;
  /** Alert message (channel:ts) → the digest ts it sits under, for replies in the right thread. */
  threadRoots: Map<string, string>;
};

export function createCollector(now: number): {
  add(channel: string, message: HistoryMessage, threadRoot?: string): void;
  result(): Collected;
} {
  const alerts = new Map<string, RestoredAlert>();
  const threadRoots = new Map<string, string>();
  return {
    add(channel, message, threadRoot) {
      const p = payloadOf(message, 'yeastar_renewal_alert');
      const alertKey = text(p?.alertKey);
      const productId = text(p?.productId);
      const productNo = text(p?.productNo);
      const stage = text(p?.stage);
      if (!p || !alertKey || !productId || !productNo || !stage || p.kind === 'resolved') return;
      const alert: RestoredAlert = alerts.get(alertKey) ?? {
        alertKey,
        productId,
        productNo,
        stage,
        digest: text(p.digest) ?? '',
        messages: [],
        acknowledgedBy: null,
        acknowledgedAt: null,
        snoozedBy: null,
        snoozedUntil: null,
      };
      const existing = alert.messages.find((m) => m.channel === channel);
      if (existing && Number(existing.ts) <= Number(message.ts)) return;
      if (existing) alert.messages.splice(alert.messages.indexOf(existing), 1);
      alert.messages.push({ channel, ts: message.ts, stage });
      if (threadRoot) threadRoots.set(`${channel}:${message.ts}`, threadRoot);
      // The copy showing the furthest stage is the newest word on the alert.
      if (stageRank(stage as Stage) >= stageRank(alert.stage as Stage)) {
        alert.stage = stage;
        alert.digest = text(p.digest) ?? alert.digest;
      }
      const ackBy = text(p.acknowledgedBy);
      if (ackBy && !alert.acknowledgedBy) {
        alert.acknowledgedBy = ackBy;
        alert.acknowledgedAt = numberOf(p.acknowledgedAt);
      }
      const until = numberOf(p.snoozedUntil);
      if (until !== null && until > now && text(p.snoozedBy) && (alert.snoozedUntil ?? 0) < until) {
        alert.snoozedBy = text(p.snoozedBy);
        alert.snoozedUntil = until;
      }
      alerts.set(alertKey, alert);
    },
    result: () => ({ alerts, threadRoots }),
  };
}
