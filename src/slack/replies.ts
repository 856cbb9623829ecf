import type { ContextBlock, KnownBlock, SectionBlock } from '../alerts/block-kit.js';
import { SLACK_LIMITS, truncate } from '../alerts/block-limits.js';
import {
  fitMrkdwn,
  portalLink,
  relativeDays,
  SEVERITY_EMOJI,
  slackDate,
  stageTitle,
} from '../alerts/render.js';
import { calendarDaysLeft, productNameOf } from '../alerts/rules.js';
import type { AlertRecord } from '../alerts/types.js';
import type { Instance } from '../yeastar/types.js';
import type { ActivationResult } from './activation.js';
import type { AuditEntry } from './audit.js';
import { USAGE } from './commands.js';

/**
 * What the bot answers, ephemerally, to `/yeastar` and to button clicks: pure functions of the facts
 * and the clock, each shaped to fit one Slack message. Text from the API is escaped and cut.
 */

export type Reply = { text: string; blocks: KnownBlock[] };

export const EXPIRING_PAGE_SIZE = 40;
export const EXPIRING_MORE_ACTION = 'expiring_more';
/** Below Slack's hidden ~13 k limit on the text of all blocks of a message. */
const PAGE_TEXT_BUDGET = 10_000;
const NAME_MAX = 80;

type Clock = { now: number; timeZone: string };

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } };
}

function context(text: string): ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.textObject) }] };
}

function clean(raw: string | null | undefined, fallback: string, max = NAME_MAX): string {
  const text = (raw ?? '').replace(/\s+/g, ' ').trim();
  return fitMrkdwn(text === '' ? fallback : text, max);
}

function mention(userId: string | null): string {
  return userId && /^[A-Z0-9]{2,40}$/i.test(userId) ? `<@${userId}>` : 'someone';
}

/** "<date> (in 3 days)", in the reader's own time zone via Slack's date token. */
export function whenText(expiresAt: number | null, clock: Clock): string {
  if (expiresAt === null || !Number.isFinite(expiresAt)) return 'date unknown';
  const days = calendarDaysLeft(expiresAt, clock.now, clock.timeZone);
  return `${slackDate(expiresAt, '{date_short_pretty}')} (${relativeDays(days, expiresAt <= clock.now)})`;
}

/** One line of an alert's state: acknowledged, snoozed, resolved. Empty when none applies. */
export function alertStateText(record: AlertRecord, now: number): string {
  const parts: string[] = [];
  if (record.resolvedAt !== null) {
    const why = record.resolveReason === 'vanished' ? 'no longer listed' : 'renewed';
    parts.push(`resolved (${why}) ${slackDate(record.resolvedAt)}`);
  }
  if (record.acknowledgedBy) {
    const at = record.acknowledgedAt === null ? '' : ` at ${slackDate(record.acknowledgedAt)}`;
    parts.push(`acknowledged by ${mention(record.acknowledgedBy)}${at}`);
  }
  if (record.snoozedUntil !== null && record.snoozedUntil > now && record.resolvedAt === null) {
    parts.push(`snoozed until ${slackDate(record.snoozedUntil)} by ${mention(record.snoozedBy)}`);
  }
  return parts.join(' · ');
}

/** Where the alert was posted (one copy per routed channel) and when people were last notified. */
export function deliveryText(record: AlertRecord): string {
  const channels = record.messages.map((r) => r.channel).filter((c) => /^[CGD][A-Z0-9]{2,40}$/.test(c));
  const parts: string[] = [];
  if (channels.length > 0) parts.push(`posted in ${channels.map((c) => `<#${c}>`).join(', ')}`);
  if (record.notifiedAt != null && Number.isFinite(record.notifiedAt)) {
    parts.push(`last notified ${slackDate(record.notifiedAt)}`);
  }
  return parts.join(' · ');
}

export function textReply(text: string): Reply {
  return { text: truncate(text, 1_000), blocks: [section(text)] };
}

/** A one-line problem, then the usage: for bad input of every kind. */
export function usageReply(problem: string | null): Reply {
  const lead = problem ? `:warning: ${problem}\n\n` : '';
  return { text: truncate(problem ?? 'Usage of /yeastar', 1_000), blocks: [section(lead + USAGE)] };
}

// --- status ---------------------------------------------------------------------------------------

export function statusReply(
  view: Clock & {
    instance: Instance;
    productName: string | null;
    record: AlertRecord | null;
    portalUrl: string;
  },
): Reply {
  const { instance, record } = view;
  const sn = clean(instance.productNo, 'unknown', 40);
  const product = clean(view.productName ?? productNameOf(instance.productId), 'unknown product');
  const trial = instance.planStatus === 'trialing' ? ' — *trial*' : '';
  const fields = [
    `*Plan*\n${clean(instance.planName, 'Unnamed plan')}${trial}\nstatus: ${clean(instance.planStatus, 'unknown', 30)}`,
    `*Plan expiry*\n${whenText(instance.planExpireDate, view)}`,
    `*Auto-renewal*\n${instance.planAutoRenewal === null ? 'unknown' : instance.planAutoRenewal ? 'on' : 'off'}`,
  ];
  const user = instance.endUserInfo;
  const customer = [user?.companyName, user?.contactName, user?.email ?? instance.customerEmail]
    .filter((v): v is string => !!v && v.trim() !== '')
    .map((v) => clean(v, ''));
  if (customer.length > 0) fields.push(`*Customer*\n${customer.join('\n')}`);
  if (instance.nextPlan) {
    const from = instance.nextPlanStartDate === null ? '' : `\nfrom ${slackDate(instance.nextPlanStartDate)}`;
    fields.push(`*Next plan*\n${clean(instance.nextPlan, 'not named')}${from}`);
  }
  const services = instance.serviceList.map((s) => {
    const auto =
      s.serviceAutoRenewal === null
        ? ''
        : s.serviceAutoRenewal
          ? ' · auto-renewal on'
          : ' · auto-renewal off';
    return `• *${clean(s.serviceName, 'Unnamed service')}* — ${clean(s.serviceStatus, 'status unknown', 30)} — expires ${whenText(s.serviceExpireDate, view)}${auto}`;
  });
  const blocks: KnownBlock[] = [
    section(`*${sn}* · ${product}`),
    {
      type: 'section',
      fields: fields.map((text) => ({ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.fieldText) })),
    },
  ];
  if (services.length > 0) blocks.push(listSection(`*Services* (${services.length})`, services));
  const alert = record
    ? record.resolvedAt === null
      ? `*Alert:* ${stageTitle(record.stage)}${record.severity ? ` (${record.severity})` : ''}${alertStateText(record, view.now) ? ` · ${alertStateText(record, view.now)}` : ''}`
      : `*Alert:* ${alertStateText(record, view.now)}`
    : '*Alert:* none open';
  blocks.push(context(alert));
  const delivery = record && record.resolvedAt === null ? deliveryText(record) : '';
  if (delivery !== '') blocks.push(context(delivery));
  blocks.push(
    context(`<${portalLink(view.portalUrl, instance.productId, instance.productNo)}|Open in Partner Portal>`),
  );
  const planName = (instance.planName ?? 'unnamed plan').replace(/\s+/g, ' ');
  return {
    text: truncate(`${instance.productNo}: ${planName}, ${instance.planStatus ?? 'status unknown'}`, 1_000),
    blocks,
  };
}

/** As many lines as fit one section, then "…and N more". */
function listSection(title: string, lines: string[]): SectionBlock {
  let text = title;
  let shown = 0;
  for (const line of lines) {
    if (text.length + line.length + 40 > SLACK_LIMITS.sectionText) break;
    text += `\n${line}`;
    shown += 1;
  }
  if (shown < lines.length) text += `\n…and ${lines.length - shown} more`;
  return section(text);
}

// --- expiring -------------------------------------------------------------------------------------

export function alertLine(record: AlertRecord, clock: Clock): string {
  const subject = record.evaluation?.subject;
  const sn = clean(subject?.productNo ?? record.alertKey, 'unknown', 40);
  const emoji = SEVERITY_EMOJI[record.severity ?? 'info'];
  const product = clean(subject?.productName ?? productNameOf(subject?.productId ?? ''), '', 40);
  const plan = clean(subject?.planName, 'unnamed plan', 40);
  const expiresAt = record.evaluation?.expiresAt ?? null;
  const state = alertStateText(record, clock.now);
  return `${emoji} *${sn}* · ${stageTitle(record.stage)} · ${whenText(expiresAt, clock)} · ${plan} · _${product}_${state ? ` · ${state}` : ''}`;
}

export type ExpiringPage = Reply & { shown: number; nextOffset: number | null };

/** One page of `/yeastar expiring`: at most 40 alerts, with "Show more" when there are more. */
export function expiringPage(
  page: Clock & { days: number; offset: number; total: number; records: AlertRecord[] },
): ExpiringPage {
  if (page.total === 0) {
    const text = `No open alerts expire within ${page.days} days.`;
    return { ...textReply(text), shown: 0, nextOffset: null };
  }
  const lines: string[] = [];
  let used = 0;
  for (const record of page.records.slice(0, EXPIRING_PAGE_SIZE)) {
    const line = truncate(alertLine(record, page), 600);
    if (used + line.length > PAGE_TEXT_BUDGET && lines.length > 0) break;
    lines.push(line);
    used += line.length + 1;
  }
  const from = page.offset + 1;
  const to = page.offset + lines.length;
  const title = `*${page.total} open ${page.total === 1 ? 'alert' : 'alerts'} expiring within ${page.days} days* (most urgent first; ${from}–${to} shown)`;
  const blocks: KnownBlock[] = [section(title)];
  let chunk = '';
  for (const line of lines) {
    if (chunk !== '' && chunk.length + 1 + line.length > SLACK_LIMITS.sectionText) {
      blocks.push(section(chunk));
      chunk = '';
    }
    chunk = chunk === '' ? line : `${chunk}\n${line}`;
  }
  if (chunk !== '') blocks.push(section(chunk));
  const nextOffset = to < page.total ? to : null;
  if (nextOffset !== null) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: EXPIRING_MORE_ACTION,
          text: { type: 'plain_text', text: `Show more (${page.total - to} left)` },
          value: JSON.stringify({ days: page.days, offset: nextOffset }),
        },
      ],
    });
  }
  return {
    text: `${page.total} open alerts expiring within ${page.days} days (${from}–${to} shown)`,
    blocks,
    shown: lines.length,
    nextOffset,
  };
}

/** The value of a "Show more" button, checked: it came back from Slack, so it is input. */
export function parseMoreValue(value: string | undefined): { days: number; offset: number } | null {
  if (!value || value.length > 200) return null;
  try {
    const parsed = JSON.parse(value) as { days?: unknown; offset?: unknown };
    const { days, offset } = parsed;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 365) return null;
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset > 1_000_000)
      return null;
    return { days, offset };
  } catch {
    return null;
  }
}

// --- activation and audit -------------------------------------------------------------------------

export function activationReply(result: ActivationResult): Reply {
  const sn = clean(result.sn, 'unknown', 40);
  switch (result.outcome) {
    case 'allowed': {
      const when = result.generateTime === null ? '' : ` (generated ${slackDate(result.generateTime)})`;
      const code = fitMrkdwn(result.code.replace(/[`\s]/g, ''), 500);
      return {
        text: `Activation code for ${result.sn}`,
        blocks: [
          section(`:key: Activation code for *${sn}*${when}:\n\`${code}\``),
          context('Only you can see this. The request was recorded in the audit log.'),
        ],
      };
    }
    case 'refused':
      return textReply(
        `:lock: Sorry, you are not on the list of people who may see activation codes, so *${sn}*'s code stays hidden. Ask an admin to add you to ACTIVATION_ALLOWED_USERS. This request was recorded.`,
      );
    case 'not_found':
      return textReply(`No P-Series Software Edition instance with SN *${sn}* was found.`);
    case 'error':
      return textReply(
        `:warning: Could not fetch the activation code of *${sn}*: ${fitMrkdwn(result.reason, 200)}. Try again in a minute.`,
      );
  }
}

export function auditReply(entries: AuditEntry[]): Reply {
  if (entries.length === 0) return textReply('No activation-code requests or renewal attempts recorded yet.');
  const lines = entries.map((e) => {
    const at = Number.isFinite(e.at) && e.at > 0 ? slackDate(e.at) : 'time unknown';
    return `• ${at} · ${mention(e.user)} · *${clean(e.sn, '?', 40)}* · ${clean(e.outcome, '?', 20)} · via ${clean(e.via, '?', 20)}`;
  });
  return {
    text: `The last ${entries.length} activation-code requests and renewal attempts`,
    blocks: [
      listSection(
        `*The last ${entries.length} activation-code requests and renewal attempts*, newest first`,
        lines,
      ),
    ],
  };
}
