import type { KnownBlock } from '@slack/types';
import { truncate } from '../../alerts/block-limits.js';
import { RENEW_ACTION_IDS } from '../../alerts/render-renew.js';
import type { LedgerEntry } from '../../renew/ledger.js';
import type { RenewOutcome } from '../../renew/renewer.js';
import { ORDER_ENDPOINTS } from '../../yeastar/orders.js';

/** The thread replies (and modal texts) of a renewal (pure). An API refusal shows its reason and request id. */

export type ThreadMessage = { text: string; blocks: KnownBlock[] };

const clean = (s: string, max = 300) =>
  truncate(
    s
      .replace(/[`*_~<>&]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
    max,
  );
const section = (text: string): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, 3000) },
});
const message = (text: string, extra: KnownBlock[] = []): ThreadMessage => ({
  text,
  blocks: [section(text), ...extra],
});
const order = (e: LedgerEntry) =>
  e.orderNo ? `order *${e.orderNo}*` : e.orderId ? `order id ${e.orderId}` : 'an order';

/** What the user who submitted (or approved) is told; `null` when there is nothing to say. */
export function outcomeText(outcome: RenewOutcome, user: string): string {
  switch (outcome.kind) {
    case 'placed':
      return `:receipt: Renewal of *${outcome.entry.sn}* ordered by <@${outcome.entry.by}>${outcome.entry.approvedBy ? `, approved by <@${outcome.entry.approvedBy}>` : ''}: ${order(outcome.entry)} · ${outcome.entry.status ?? 'pending'}. The bot follows it and posts the outcome here.`;
    case 'already':
      return `:information_source: This renewal was already ordered by <@${outcome.entry.by}>: ${order(outcome.entry)} · ${outcome.entry.status ?? outcome.entry.state.replace('_', ' ')}. Nothing new was sent.`;
    case 'awaiting_approval':
      return `:raised_hand: <@${outcome.entry.by}> asks to renew *${outcome.entry.sn}*. Nothing is sent until an approver other than them approves.`;
    case 'dry_run':
      return `:test_tube: Dry run by <@${user}>: nothing was ordered. This is the request that would be sent (\`POST ${ORDER_ENDPOINTS.createOrder}\`):`;
    case 'refused':
      return `:x: The Partner API refused the order: ${clean(outcome.reason)} (code \`${clean(outcome.code, 60)}\`${outcome.requestId ? `, request id \`${clean(outcome.requestId, 64)}\`` : ''}). Nothing was ordered.`;
    case 'unknown':
      return ':warning: The Partner API did not answer in time, and the order list does not show the order yet. Before anything is sent again, the bot checks the order list; it follows up here.';
    case 'error':
      return `:warning: The order could not be sent: ${clean(outcome.reason)}.`;
  }
}

export function outcomeMessage(outcome: RenewOutcome, user: string): ThreadMessage {
  const text = outcomeText(outcome, user);
  if (outcome.kind === 'dry_run') {
    // The body byte for byte: parsing it to pretty-print would round the 19-digit billing id.
    return message(text, [section(`\`\`\`${truncate(outcome.body, 2900)}\`\`\``)]);
  }
  if (outcome.kind === 'awaiting_approval') {
    return message(text, [
      {
        type: 'actions',
        block_id: 'renew_approval',
        elements: [
          {
            type: 'button',
            action_id: RENEW_ACTION_IDS.approve,
            style: 'primary',
            text: { type: 'plain_text', text: 'Approve and order' },
            value: JSON.stringify({ alertKey: outcome.entry.alertKey, stage: outcome.entry.stage }),
          },
        ],
      },
    ]);
  }
  return message(text);
}

export function followMessage(entry: LedgerEntry, status: string, amount: string | null): ThreadMessage {
  const priced = amount ? ` · ${amount}` : '';
  if (status === 'succeed') {
    return message(
      `:white_check_mark: ${order(entry)} for *${entry.sn}* succeeded${priced}. The alert resolves when the next cycle sees the new expiry.`,
    );
  }
  return message(
    `:x: ${order(entry)} for *${entry.sn}* ended as *${clean(status, 40)}*${priced}. The alert needs action again.`,
  );
}

export function autoRenewMessage(
  user: string,
  sn: string,
  result: { ok: true } | { ok: false; reason: string },
): ThreadMessage {
  return result.ok
    ? message(`:repeat: Auto-renewal enabled for *${sn}* by <@${user}>.`)
    : message(`:x: Auto-renewal for *${sn}* was not enabled: ${clean(result.reason)}.`);
}
