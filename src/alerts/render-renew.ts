import type { ActionsBlockElement } from './block-kit.js';
import { SLACK_LIMITS, truncate } from './block-limits.js';
import type { Evaluation } from './types.js';

/**
 * The renewal parts of an alert message (pure): the `Renew…` and `Enable auto-renewal` buttons
 * (CONTRACT: "Renewing from Slack") and the line saying who ordered and where the order stands.
 */

export type RenewMode = 'off' | 'dry-run' | 'live';

export const RENEW_ACTION_IDS = Object.freeze({
  open: 'renew_open',
  autoRenew: 'autorenew_enable',
  approve: 'renew_approve',
});

/** What the alert shows about an order placed from Slack. */
export type RenewOrderState = {
  by: string;
  orderNo: string | null;
  /** `pending`, `succeed`, `failed`, …; `awaiting approval` before the second person; `dry-run`. */
  status: string;
};

const RENEWABLE = new Set(['expiring', 'expired', 'service_expiring', 'service_expired']);

/** A finding that a renewal order can fix: an expiring or expired plan or service. */
export function isRenewable(evaluation: Evaluation): boolean {
  return evaluation.findings.some((f) => RENEWABLE.has(f.kind));
}

/** Auto-renewal is off on the plan or on a service with a finding. */
export function autoRenewalOff(evaluation: Evaluation): boolean {
  if (evaluation.subject.planAutoRenewal === false) return true;
  return evaluation.findings.some((f) => RENEWABLE.has(f.kind) && !f.autoRenewal);
}

/** An order that failed or was cancelled leaves the alert needing action again: the button comes back. */
export function orderIsLive(order: RenewOrderState | null | undefined): boolean {
  return !!order && !['failed', 'cancelled', 'invalid', 'refunded'].includes(order.status);
}

export function renewButtons(
  evaluation: Evaluation,
  mode: RenewMode | undefined,
  order: RenewOrderState | null | undefined,
): ActionsBlockElement[] {
  if (!mode || mode === 'off' || !isRenewable(evaluation)) return [];
  const value = truncate(evaluation.alertKey, SLACK_LIMITS.buttonValue);
  const out: ActionsBlockElement[] = [];
  if (!orderIsLive(order)) {
    out.push({
      type: 'button',
      action_id: RENEW_ACTION_IDS.open,
      text: { type: 'plain_text', text: mode === 'dry-run' ? 'Renew… (dry run)' : 'Renew…', emoji: true },
      value,
    });
  }
  if (autoRenewalOff(evaluation)) {
    out.push({
      type: 'button',
      action_id: RENEW_ACTION_IDS.autoRenew,
      text: { type: 'plain_text', text: 'Enable auto-renewal', emoji: true },
      value,
      confirm: {
        title: { type: 'plain_text', text: 'Enable auto-renewal?' },
        text: {
          type: 'mrkdwn',
          text: truncate(
            `The Partner Portal will renew *${evaluation.subject.productNo}* automatically from now on. It cannot be switched off from Slack.`,
            300,
          ),
        },
        confirm: { type: 'plain_text', text: 'Enable' },
        deny: { type: 'plain_text', text: 'Cancel' },
      },
    });
  }
  return out;
}

const STATUS_EMOJI: Record<string, string> = {
  pending: ':hourglass_flowing_sand:',
  succeed: ':white_check_mark:',
  failed: ':x:',
  cancelled: ':x:',
  'awaiting approval': ':raised_hand:',
  'dry-run': ':test_tube:',
};

/** "renewal ordered by @x · order SO… · pending" (a context line), or nothing. */
export function renewLine(order: RenewOrderState | null | undefined): string | null {
  if (!order) return null;
  const emoji = STATUS_EMOJI[order.status] ?? ':receipt:';
  const status = order.status === 'succeed' ? 'paid/succeeded' : order.status;
  const number = order.orderNo ? ` · order ${order.orderNo}` : '';
  return `${emoji} Renewal ordered by <@${order.by}>${number} · ${status}`;
}
