import type { KnownBlock, View } from '@slack/types';
import { truncate } from '../../alerts/block-limits.js';
import { MAX_CYCLES } from '../../renew/order-request.js';
import type { CreateOrderRequest } from '../../yeastar/orders.js';
import type { BillingContact } from '../../yeastar/schemas/orders.js';
import type { Instance } from '../../yeastar/types.js';

/**
 * The `renew_confirm` modal (pure): what will be ordered, built from live data, and the few fields the
 * user may change, each an `input` with a `block_id`, an `action_id` and an initial value.
 */

export const RENEW_CALLBACK_ID = 'renew_confirm';
export const FIELDS = {
  cycles: { block: 'renew_cycles', action: 'cycles' },
  contact: { block: 'renew_contact', action: 'billing_contact' },
  po: { block: 'renew_po', action: 'po_number' },
} as const;
export const PO_MAX_LENGTH = 50;

/** What the modal carries from open to submit (`private_metadata`, at most 3,000 characters). */
export type RenewMeta = {
  alertKey: string;
  stage: string;
  sn: string;
  productId: string;
  channel: string | null;
  ts: string | null;
};

export function readMeta(raw: string | undefined): RenewMeta | null {
  try {
    const m = JSON.parse(raw ?? '') as Partial<RenewMeta>;
    if (typeof m.alertKey !== 'string' || typeof m.sn !== 'string' || typeof m.productId !== 'string')
      return null;
    if (typeof m.stage !== 'string') return null;
    return {
      alertKey: m.alertKey,
      stage: m.stage,
      sn: m.sn,
      productId: m.productId,
      channel: typeof m.channel === 'string' ? m.channel : null,
      ts: typeof m.ts === 'string' ? m.ts : null,
    };
  } catch {
    return null;
  }
}

const plain = (text: string) => ({ type: 'plain_text' as const, text: truncate(text, 75), emoji: true });
const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c);

function modal(meta: RenewMeta | null, blocks: KnownBlock[], submit?: string): View {
  return {
    type: 'modal',
    callback_id: RENEW_CALLBACK_ID,
    title: plain('Renew'),
    close: plain('Close'),
    ...(submit ? { submit: plain(submit) } : {}),
    ...(meta ? { private_metadata: JSON.stringify(meta) } : {}),
    blocks,
  };
}

const text = (mrkdwn: string): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(mrkdwn, 3000) },
});

export function loadingView(sn: string): View {
  return modal(null, [text(`:hourglass_flowing_sand: Reading *${esc(sn)}* from the Partner Portal…`)]);
}

export function messageView(mrkdwn: string): View {
  return modal(null, [text(mrkdwn)]);
}

/** The lines saying what will be ordered: each item with its quantity, cycle and number of cycles. */
export function orderLines(instance: Instance, order: CreateOrderRequest): string[] {
  return order.serviceList.map((item) => {
    const name =
      item.serviceType === 'plan'
        ? (instance.planName ?? 'Plan')
        : (instance.serviceList.find((s) => s.serviceId === item.serviceId)?.serviceName ?? 'Service');
    return `• ${item.serviceType === 'plan' ? 'Plan' : 'Service'} *${esc(name)}* × ${item.quantity} · ${item.billingCycle}`;
  });
}

export function confirmView(input: {
  meta: RenewMeta;
  instance: Instance;
  productName: string;
  order: CreateOrderRequest;
  contacts: BillingContact[];
  mode: 'dry-run' | 'live';
  twoPerson: boolean;
}): View {
  const { instance, order, contacts, meta } = input;
  const customer = instance.endUserInfo?.companyName ?? instance.customerEmail ?? 'customer not named';
  const contactOption = (c: BillingContact) => ({
    text: plain(`${c.name ?? 'Billing contact'} · ${c.emailAddress ?? c.billingContactId}`),
    value: c.billingContactId,
  });
  const cycleOption = (n: number) => ({
    text: plain(`${n} × ${order.serviceList[0]?.billingCycle ?? 'annually'}`),
    value: String(n),
  });
  const cycles = Array.from({ length: MAX_CYCLES }, (_, i) => cycleOption(i + 1));
  const blocks: KnownBlock[] = [
    text(`*${esc(instance.productNo)}* · ${esc(input.productName)} · ${esc(customer)}`),
    text(
      [
        `*What will be ordered* (\`${order.operationType}\`, quantity as now: the API refuses any other; billing cycle unchanged):`,
        ...orderLines(instance, order),
        'Price: as the Partner Portal bills it (the API gives none before the order).',
      ].join('\n'),
    ),
    {
      type: 'input',
      block_id: FIELDS.cycles.block,
      label: plain('Number of cycles'),
      element: {
        type: 'static_select',
        action_id: FIELDS.cycles.action,
        options: cycles,
        initial_option: cycles[0],
      },
    },
  ];
  if (contacts.length > 0) {
    const options = contacts.slice(0, 100).map(contactOption);
    blocks.push({
      type: 'input',
      block_id: FIELDS.contact.block,
      label: plain('Billing contact'),
      element: {
        type: 'static_select',
        action_id: FIELDS.contact.action,
        options,
        initial_option: options[0],
      },
    });
  } else {
    blocks.push(
      text(':warning: The Partner API lists no billing contact: add one in the Partner Portal first.'),
    );
  }
  blocks.push({
    type: 'input',
    block_id: FIELDS.po.block,
    optional: true,
    label: plain('PO number'),
    element: { type: 'plain_text_input', action_id: FIELDS.po.action, max_length: PO_MAX_LENGTH },
  });
  const notes = [
    input.mode === 'dry-run'
      ? ':test_tube: Dry run: the order is shown in the alert’s thread and not sent.'
      : null,
    input.twoPerson
      ? ':raised_hand: Two-person rule: a listed approver must approve in the thread before it is sent.'
      : null,
  ].filter((n): n is string => n !== null);
  if (notes.length > 0)
    blocks.push({ type: 'context', elements: notes.map((n) => ({ type: 'mrkdwn', text: n })) });
  const submit =
    contacts.length === 0 ? undefined : input.mode === 'dry-run' ? 'Show dry run' : 'Place order';
  return modal(meta, blocks, submit);
}

export type Submission = { cycles: number; billingId: string; poNumber: string | undefined };

type ViewState = {
  values?: Record<
    string,
    Record<string, { selected_option?: { value?: string } | null; value?: string | null }>
  >;
};

/** The user's choices from a submitted view; null when the submission is not one this modal made. */
export function readSubmission(
  state: ViewState | undefined,
): Submission | { error: Record<string, string> } | null {
  const values = state?.values ?? {};
  const cycles = Number(values[FIELDS.cycles.block]?.[FIELDS.cycles.action]?.selected_option?.value);
  const billingId = values[FIELDS.contact.block]?.[FIELDS.contact.action]?.selected_option?.value;
  const po = values[FIELDS.po.block]?.[FIELDS.po.action]?.value?.trim() ?? '';
  if (!billingId) return null;
  if (!Number.isInteger(cycles) || cycles < 1 || cycles > MAX_CYCLES) {
    return { error: { [FIELDS.cycles.block]: `Choose 1 to ${MAX_CYCLES} cycles.` } };
  }
  if (po.length > PO_MAX_LENGTH || /[\r\n\t]/.test(po)) {
    return { error: { [FIELDS.po.block]: `At most ${PO_MAX_LENGTH} characters, one line.` } };
  }
  return { cycles, billingId, poNumber: po === '' ? undefined : po };
}
