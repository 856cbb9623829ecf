import { TZDate } from '@date-fns/tz';
import { format as formatDate } from 'date-fns';
import { SOFTWARE_EDITION_PRODUCT_ID } from '../yeastar/types.js';
import type {
  ActionsBlock,
  ActionsBlockElement,
  ContextBlock,
  HeaderBlock,
  KnownBlock,
  MrkdwnElement,
  SectionBlock,
  StaticSelect,
} from './block-kit.js';
import { SLACK_LIMITS, truncate } from './block-limits.js';
import { alertTitle, renewalText, stageTitle } from './headline.js';
import { type RenewMode, type RenewOrderState, renewButtons, renewLine } from './render-renew.js';
import { calendarDaysLeft, compareUrgency, productNameOf, stageDays, stageRank } from './rules.js';
import { isValidTime, slackDate } from './slack-date.js';
import { snoozeOptions } from './snooze.js';
import type {
  AlertKind,
  AlertMetadataState,
  AlertRecord,
  Enrichment,
  Evaluation,
  Finding,
  RenderedMessage,
  RenewalOption,
  Severity,
  Stage,
} from './types.js';
import { ACTION_IDS } from './types.js';

// Re-exported: the Slack app and the terminal rendering take them from here.
export { alertTitle, renewalText, slackDate, stageTitle };

/**
 * Block Kit messages for alerts: the alert itself (posted, then updated in place), its resolved form,
 * thread replies and the storm digest. Pure: the clock and time zone come in with the view. Every
 * string that came from the API is escaped and cut to fit Slack's limits, so rendering never throws
 * and Slack never rejects a message for its size.
 */

export type AlertView = {
  evaluation: Evaluation;
  record?: Pick<
    AlertRecord,
    'acknowledgedBy' | 'acknowledgedAt' | 'snoozedUntil' | 'snoozedBy' | 'resolvedAt' | 'resolveReason'
  > | null;
  enrichment?: Enrichment | null;
  portalUrl: string;
  now: number;
  timeZone: string;
  /** `ALERT_DAYS`, for the snooze menu's "until the next stage" and "N days before expiry". */
  thresholds?: readonly number[];
  /** `RENEW_MODE`: when not `off`, the renewal buttons (render-renew.ts). */
  renewMode?: RenewMode;
  /** An order placed from Slack for this alert and stage, when one was. */
  renewOrder?: RenewOrderState | null;
};

/** `ALERT_DAYS`' own default, for callers that render without the configured list. */
export const DEFAULT_THRESHOLDS: readonly number[] = Object.freeze([30, 14, 7, 3, 1]);

export const ACTIONS_BLOCK_ID = 'alert_actions';

/** Caps for one value from the API, well inside the field limits so that a whole message stays small. */
const NAME_MAX = 150;
const LIST_ITEM_MAX = 400;
const ERROR_MAX = 300;
const FALLBACK_TEXT_MAX = 1_000;

export const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  warning: ':large_yellow_circle:',
  info: ':large_blue_circle:',
};

const SEVERITY_WORD: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  warning: 'Warning',
  info: 'Info',
};

// --- text helpers -------------------------------------------------------------------------------

function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes `raw` for mrkdwn and cuts it so that the escaped form fits `max` (never mid-entity). */
export function fitMrkdwn(raw: string, max: number): string {
  const full = escapeMrkdwn(raw);
  if (full.length <= max) return full;
  let out = '';
  for (const ch of raw) {
    const piece = escapeMrkdwn(ch);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return out + '…';
}

/** One API-provided line, single-spaced: a newline inside a name must not break our layout. */
export function oneLine(raw: string): string {
  return raw.replace(/\s+/g, ' ').trim();
}

function name(raw: string | null | undefined, fallback: string, max = NAME_MAX): string {
  const text = raw ? oneLine(raw) : '';
  return fitMrkdwn(text === '' ? fallback : text, max);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A readable date in `timeZone` for places Slack does not format (fallbacks, notification text). */
function plainDate(epochMs: number, timeZone: string, pattern = 'yyyy-MM-dd'): string {
  if (!isValidTime(epochMs)) return 'date unknown';
  return formatDate(new TZDate(epochMs, timeZone), pattern);
}

export function userMention(userId: string | null): string {
  if (!userId) return 'someone';
  return /^[A-Z0-9]{2,40}$/i.test(userId) ? `<@${userId}>` : fitMrkdwn(userId, 60);
}

export function portalLink(portalUrl: string, productId: string, productNo: string): string {
  // The portal documents no deep link to one instance: the query names it for whoever opens the page.
  const base = portalUrl.replace(/\/+$/, '');
  const link = `${base}/?productId=${encodeURIComponent(productId)}&productNo=${encodeURIComponent(productNo)}`;
  return link.length <= SLACK_LIMITS.url ? link : truncate(base, SLACK_LIMITS.url);
}

// --- facts shared by every rendering ------------------------------------------------------------

/** Days left as of the view's clock, not as of the evaluation (a stored alert may be re-rendered later). */
export function daysLeftNow(
  expiresAt: number | null,
  view: { now: number; timeZone: string },
): number | null {
  if (expiresAt === null || !isValidTime(expiresAt)) return null;
  return calendarDaysLeft(expiresAt, view.now, view.timeZone);
}

export function isExpiredKind(kind: Finding['kind']): boolean {
  return kind === 'expired' || kind === 'service_expired';
}

/** "in 3 days", "today", "expired 2 days ago", "date unknown". */
export function relativeDays(daysLeft: number | null, expired: boolean): string {
  if (daysLeft === null) return 'date unknown';
  if (expired) {
    if (daysLeft < 0) return `expired ${plural(-daysLeft, 'day')} ago`;
    return daysLeft === 0 ? 'expired today' : 'expired';
  }
  if (daysLeft === 0) return 'today';
  return daysLeft > 0 ? `in ${plural(daysLeft, 'day')}` : `${plural(-daysLeft, 'day')} ago`;
}

/** A stage as a count or a comparison reads it: "expired", "switching plan", "within 3 days". */
function stageShort(stage: Stage): string {
  if (stage === 'expired') return 'expired';
  if (stage === 'switching') return 'switching plan';
  const days = stageDays(stage);
  return days === null ? stage : `within ${plural(days, 'day')}`;
}

/**
 * The notification line, as plain text: what, when, which SN and which plan, e.g.
 * "Expiring in 3 days: SN — Plan (trial)". Days are counted on the view's clock.
 */
export function summaryLine(evaluation: Evaluation, view: { now: number; timeZone: string }): string {
  const { subject } = evaluation;
  const top = evaluation.findings[0];
  const short = (raw: string) => truncate(oneLine(raw), NAME_MAX);
  const sn = short(subject.productNo);
  const planName = subject.planName ? short(subject.planName) : 'unnamed plan';
  if (!top) return `No renewal needed: ${sn} — ${planName}`;
  const days = daysLeftNow(top.expiresAt, view) ?? top.daysLeft;
  const expired = isExpiredKind(top.kind) || (top.expiresAt !== null && top.expiresAt <= view.now);
  const when = (() => {
    if (top.kind === 'switching') return days === null ? '' : ` ${relativeDays(days, false)}`;
    if (days === null) return ' (date unknown)';
    if (expired) return days < 0 ? ` ${plural(-days, 'day')} ago` : days === 0 ? ' today' : '';
    return days === 0 ? ' today' : ` in ${plural(days, 'day')}`;
  })();
  const lead = {
    expired: 'Expired',
    expiring: expired ? 'Expired' : 'Expiring',
    switching: 'Switching plan',
    service_expired: 'Service expired',
    service_expiring: expired ? 'Service expired' : 'Service expiring',
  }[top.kind];
  const what = (() => {
    const topName = short(top.name);
    if (top.kind === 'switching') return `${topName} → ${top.nextPlan ? short(top.nextPlan) : 'next plan'}`;
    if (top.subject === 'service') return `${topName} (${planName})`;
    return topName + (top.trial ? ' (trial)' : '');
  })();
  const more = evaluation.findings.length > 1 ? ` (+${evaluation.findings.length - 1} more)` : '';
  return `${lead}${when}: ${sn} — ${what}${more}`;
}

function fallbackText(line: string): string {
  return fitMrkdwn(line, FALLBACK_TEXT_MAX);
}

export function optionFor(
  finding: Finding,
  enrichment: Enrichment | null | undefined,
): RenewalOption | undefined {
  const options = enrichment?.options ?? [];
  const same = options.filter((o) => o.subject === finding.subject);
  if (finding.subject === 'plan') return same[0];
  return (
    same.find((o) => o.id !== null && o.id === finding.serviceId) ?? same.find((o) => o.name === finding.name)
  );
}

function expiryLine(
  expiresAt: number | null,
  expired: boolean,
  view: { now: number; timeZone: string },
  fallbackDays: number | null,
): string {
  if (expiresAt === null || !isValidTime(expiresAt)) return 'date unknown';
  const days = daysLeftNow(expiresAt, view) ?? fallbackDays;
  const isPast = expired || expiresAt <= view.now;
  return `${slackDate(expiresAt)} (${relativeDays(days, isPast)})`;
}

function field(title: string, lines: string[]): MrkdwnElement {
  const body = lines.filter((l) => l !== '').join('\n');
  return {
    type: 'mrkdwn',
    text: truncate(`*${title}*\n${body === '' ? '—' : body}`, SLACK_LIMITS.fieldText),
  };
}

function factFields(view: AlertView): MrkdwnElement[] {
  const { evaluation, enrichment } = view;
  const { subject } = evaluation;
  const fields = [
    field('Product line', [name(subject.productName, productNameOf(subject.productId))]),
    field('SN', [name(subject.productNo, 'unknown')]),
  ];
  const customer = [subject.companyName, subject.contactName, subject.email]
    .filter((v): v is string => !!v && oneLine(v) !== '')
    .map((v) => name(v, ''));
  if (customer.length > 0) fields.push(field('Customer', customer));

  const plan = evaluation.findings.find((f) => f.subject === 'plan');
  if (plan?.kind === 'switching') {
    fields.push(
      field('Current plan', [
        name(plan.name, 'Unnamed plan'),
        `until ${expiryLine(plan.expiresAt, false, view, plan.daysLeft)}`,
      ]),
    );
    const next = [name(plan.nextPlan, 'not named')];
    if (plan.nextPlanStartAt != null) next.push(`from ${slackDate(plan.nextPlanStartAt)}`);
    if (plan.nextPlanExpiresAt != null) next.push(`until ${slackDate(plan.nextPlanExpiresAt)}`);
    fields.push(field('Next plan', next));
  } else {
    const planName = plan?.name ?? subject.planName;
    const status = plan?.status ?? subject.planStatus;
    const trial = plan?.trial ?? subject.planStatus === 'trialing';
    fields.push(
      field('Plan', [
        name(planName, 'Unnamed plan') + (trial ? ' — *trial*' : ''),
        status ? `status: ${name(status, '')}` : '',
      ]),
    );
    const expiresAt = plan ? plan.expiresAt : subject.planExpireDate;
    fields.push(
      field('Plan expiry', [
        expiryLine(expiresAt, plan ? isExpiredKind(plan.kind) : false, view, plan?.daysLeft ?? null),
      ]),
    );
  }
  const autoRenewal = plan ? plan.autoRenewal : subject.planAutoRenewal;
  fields.push(
    field('Auto-renewal', [
      autoRenewal === null ? 'unknown' : autoRenewal ? 'on (alert lowered one step)' : 'off',
    ]),
  );
  if (plan) {
    const renewal = renewalText(optionFor(plan, enrichment));
    if (renewal) fields.push(field('Plan renewal', [fitMrkdwn(renewal, LIST_ITEM_MAX)]));
  }
  if (subject.url) fields.push(field('Instance URL', [name(subject.url, '', 300)]));
  return fields.slice(0, SLACK_LIMITS.sectionFields);
}

/**
 * Lines under a title, as many as fit in one section, then "…and N more" counting everything not shown
 * (`total` may exceed `lines` when the caller already kept only the first few).
 */
export function listSection(
  title: string,
  lines: string[],
  moreWord = 'more',
  total = lines.length,
): SectionBlock {
  const budget = SLACK_LIMITS.sectionText;
  const moreLine = (hidden: number) => (hidden > 0 ? `\n…and ${hidden} ${moreWord}` : '');
  let text = title;
  let shown = 0;
  for (const line of lines) {
    if (text.length + 1 + line.length + moreLine(total - shown - 1).length > budget) break;
    text += '\n' + line;
    shown += 1;
  }
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: truncate(text + moreLine(total - shown), budget) },
  };
}

function serviceLines(view: AlertView): string[] {
  return view.evaluation.findings
    .filter((f) => f.subject === 'service')
    .map((f) => {
      const expired = isExpiredKind(f.kind);
      const when =
        f.expiresAt === null
          ? 'date unknown'
          : `${expired ? 'expired' : 'expires'} ${expiryLine(f.expiresAt, expired, view, f.daysLeft)}`;
      const flags = [f.trial ? '*trial*' : '', f.autoRenewal ? 'auto-renewal on' : 'auto-renewal off']
        .filter(Boolean)
        .join(' · ');
      const renewal = renewalText(optionFor(f, view.enrichment));
      const line = `• *${name(f.name, 'Unnamed service')}* — ${when} · ${flags}`;
      return renewal ? `${line}\n    ${fitMrkdwn(renewal, LIST_ITEM_MAX)}` : line;
    });
}

function contextBlock(lines: string[]): ContextBlock[] {
  const elements = lines
    .filter(Boolean)
    .slice(0, SLACK_LIMITS.contextElements)
    .map((text): MrkdwnElement => ({ type: 'mrkdwn', text: truncate(text, 1_000) }));
  return elements.length > 0 ? [{ type: 'context', elements }] : [];
}

function stateLines(view: AlertView): string[] {
  const record = view.record;
  if (!record) return [];
  const lines: string[] = [];
  if (record.acknowledgedBy) {
    const at = record.acknowledgedAt === null ? '' : ` at ${slackDate(record.acknowledgedAt)}`;
    lines.push(`:eyes: Acknowledged by ${userMention(record.acknowledgedBy)}${at}`);
  }
  if (record.snoozedUntil !== null && record.snoozedUntil > view.now) {
    lines.push(`:zzz: Snoozed until ${slackDate(record.snoozedUntil)} by ${userMention(record.snoozedBy)}`);
  }
  const ordered = renewLine(view.renewOrder);
  if (ordered) lines.push(ordered);
  return lines;
}

/** "3 services hidden: the plan itself expired" (inhibition), or null when nothing was left out. */
export function hiddenText(evaluation: Evaluation): string | null {
  const hidden = evaluation.hidden;
  if (!hidden || !(hidden.count > 0)) return null;
  return `${plural(hidden.count, 'service')} hidden: ${oneLine(hidden.reason)}`;
}

function hiddenLines(view: AlertView): string[] {
  const text = hiddenText(view.evaluation);
  return text ? [`:information_source: ${fitMrkdwn(text, ERROR_MAX)}`] : [];
}

function enrichmentLines(view: AlertView): string[] {
  const error = view.enrichment?.error;
  return error ? [`:warning: renewal options unavailable: ${fitMrkdwn(oneLine(error), ERROR_MAX)}`] : [];
}

function buttonValue(alertKey: string): string {
  return truncate(alertKey, SLACK_LIMITS.buttonValue);
}

function actionsBlockId(alertKey: string): string {
  // The snooze menu's value is the snooze kind, so the block carries the alert it belongs to.
  const id = `${ACTIONS_BLOCK_ID}:${alertKey}`;
  return id.length <= SLACK_LIMITS.id ? id : ACTIONS_BLOCK_ID;
}

/** The alert an actions block belongs to, or null (for the Slack handlers). */
export function alertKeyFromBlockId(blockId: string): string | null {
  return blockId.startsWith(`${ACTIONS_BLOCK_ID}:`) ? blockId.slice(ACTIONS_BLOCK_ID.length + 1) : null;
}

/**
 * The snooze menu of one alert (1 day, 7 days, until the next stage, until N days before expiry), each
 * option ending with its end date in the alert's zone; null when no snooze can apply. Its value is the
 * snooze kind, so the actions block around it must name the alert.
 */
export function snoozeMenu(
  evaluation: Evaluation,
  view: { now: number; timeZone: string; thresholds?: readonly number[] | undefined },
): StaticSelect | null {
  const options = snoozeOptions(evaluation, view.thresholds ?? DEFAULT_THRESHOLDS, view.now, view.timeZone);
  // Slack rejects a static_select without options: better no menu than no message.
  if (options.length === 0) return null;
  return {
    type: 'static_select',
    action_id: ACTION_IDS.snooze,
    placeholder: { type: 'plain_text', text: 'Snooze…', emoji: true },
    options: options.map((o) => ({ text: { type: 'plain_text', text: o.label }, value: o.value })),
  };
}

function actionsBlock(view: AlertView): ActionsBlock {
  const { subject } = view.evaluation;
  const value = buttonValue(view.evaluation.alertKey);
  const elements: ActionsBlockElement[] = [];
  if (!view.record?.acknowledgedBy) {
    elements.push({
      type: 'button',
      action_id: ACTION_IDS.acknowledge,
      text: { type: 'plain_text', text: 'Acknowledge', emoji: true },
      style: 'primary',
      value,
    });
  }
  const snooze = snoozeMenu(view.evaluation, view);
  if (snooze) elements.push(snooze);
  elements.push(...renewButtons(view.evaluation, view.renewMode, view.renewOrder));
  if (subject.productId === SOFTWARE_EDITION_PRODUCT_ID) {
    elements.push({
      type: 'button',
      action_id: ACTION_IDS.activationCode,
      text: { type: 'plain_text', text: 'Get activation code', emoji: true },
      value,
    });
  }
  elements.push({
    type: 'button',
    action_id: ACTION_IDS.openPortal,
    text: { type: 'plain_text', text: 'Open in Partner Portal', emoji: true },
    url: portalLink(view.portalUrl, subject.productId, subject.productNo),
    value,
  });
  return { type: 'actions', block_id: actionsBlockId(view.evaluation.alertKey), elements };
}

export function header(text: string): HeaderBlock {
  return {
    type: 'header',
    text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: true },
  };
}

/**
 * The alert's state in its message, so a wiped Redis can be rebuilt from Slack (src/jobs/rebuild.ts):
 * the digest the record compares the next evaluation with, and who acknowledged or snoozed it.
 */
function metadataOf(
  evaluation: Evaluation,
  kind: AlertKind,
  record?: AlertView['record'],
): RenderedMessage['metadata'] {
  const { subject } = evaluation;
  const state: AlertMetadataState = {};
  if (evaluation.digest) state.digest = evaluation.digest;
  if (record?.acknowledgedBy) {
    state.acknowledgedBy = record.acknowledgedBy;
    if (record.acknowledgedAt !== null) state.acknowledgedAt = String(record.acknowledgedAt);
  }
  if (record?.snoozedUntil != null && record.snoozedBy) {
    state.snoozedBy = record.snoozedBy;
    state.snoozedUntil = String(record.snoozedUntil);
  }
  return {
    event_type: 'yeastar_renewal_alert',
    event_payload: {
      alertKey: evaluation.alertKey,
      productId: subject.productId,
      productNo: subject.productNo,
      kind,
      stage: evaluation.stage ?? 'resolved',
      ...state,
    },
  };
}

// --- public renderers ---------------------------------------------------------------------------

export function renderAlert(view: AlertView): RenderedMessage {
  const { evaluation } = view;
  const severity = evaluation.severity ?? 'info';
  const title = `${SEVERITY_EMOJI[severity]} ${SEVERITY_WORD[severity]} · ${alertTitle(evaluation)} · ${oneLine(evaluation.subject.productNo)}`;
  const line = summaryLine(evaluation, view);
  const blocks: KnownBlock[] = [
    header(title),
    { type: 'section', text: { type: 'mrkdwn', text: fitMrkdwn(line, FALLBACK_TEXT_MAX) } },
    { type: 'section', fields: factFields(view) },
  ];
  const services = serviceLines(view);
  if (services.length > 0) blocks.push(listSection(`*Services* (${services.length})`, services));
  blocks.push(...contextBlock([...hiddenLines(view), ...enrichmentLines(view), ...stateLines(view)]));
  blocks.push(actionsBlock(view));
  return {
    text: fallbackText(line),
    blocks,
    metadata: metadataOf(evaluation, evaluation.findings[0]?.kind ?? 'resolved', view.record),
  };
}

function resolvedLine(
  reason: 'renewed' | 'vanished',
  renewedUntil: number | null,
  slack: boolean,
  tz: string,
) {
  if (reason === 'vanished') return 'Resolved: no longer listed';
  if (renewedUntil === null || !isValidTime(renewedUntil)) return 'Resolved: renewed';
  return `Resolved: renewed until ${slack ? slackDate(renewedUntil, '{date_short_pretty}') : plainDate(renewedUntil, tz)}`;
}

export function renderResolved(
  view: AlertView & { reason: 'renewed' | 'vanished'; renewedUntil: number | null },
): RenderedMessage {
  const { evaluation } = view;
  const sn = oneLine(evaluation.subject.productNo);
  const plainLine = resolvedLine(view.reason, view.renewedUntil, false, view.timeZone);
  const detail =
    view.reason === 'vanished'
      ? ' (the Partner Portal stopped listing this instance two cycles in a row)'
      : '';
  const blocks: KnownBlock[] = [
    header(`:white_check_mark: Resolved · ${sn}`),
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*${resolvedLine(view.reason, view.renewedUntil, true, view.timeZone)}*${detail}`,
      },
    },
    { type: 'section', fields: factFields(view) },
  ];
  const services = serviceLines(view);
  if (services.length > 0)
    blocks.push(listSection(`*Services at the last alert* (${services.length})`, services));
  const resolvedAt = view.record?.resolvedAt;
  blocks.push(
    ...contextBlock([
      ...stateLines({ ...view, record: view.record ? { ...view.record, snoozedUntil: null } : null }),
      resolvedAt ? `Resolved at ${slackDate(resolvedAt)}` : '',
    ]),
  );
  const planName = evaluation.subject.planName ? ` — ${oneLine(evaluation.subject.planName)}` : '';
  return {
    text: fallbackText(`${plainLine}: ${sn}${planName}`),
    blocks,
    metadata: metadataOf(evaluation, 'resolved'),
  };
}

export function renderThreadReply(
  kind: 'escalated' | 'resolved' | 'vanished' | 'reminder',
  view: AlertView & { previousStage?: Stage | null; renewedUntil?: number | null },
): { text: string; blocks: KnownBlock[] } {
  const { evaluation } = view;
  const line = summaryLine(evaluation, view);
  const sn = oneLine(evaluation.subject.productNo);
  let mrkdwn: string;
  let text: string;
  switch (kind) {
    case 'escalated': {
      const to = stageTitle(evaluation.stage).toLowerCase();
      const was = view.previousStage ? ` (was ${stageShort(view.previousStage)})` : '';
      mrkdwn = `:arrow_up: *Escalated: ${to}*${was}\n${fitMrkdwn(line, 2_000)}`;
      text = `Escalated: ${to}${was}: ${line}`;
      break;
    }
    case 'resolved': {
      const until = view.renewedUntil ?? null;
      mrkdwn = `:white_check_mark: *${resolvedLine('renewed', until, true, view.timeZone)}*`;
      text = `${resolvedLine('renewed', until, false, view.timeZone)}: ${sn}`;
      break;
    }
    case 'vanished':
      mrkdwn = ':white_check_mark: *Resolved: no longer listed* in the Partner Portal (two cycles in a row)';
      text = `Resolved: no longer listed: ${sn}`;
      break;
    case 'reminder':
      mrkdwn = `:bell: *Reminder: not acknowledged yet.* ${fitMrkdwn(line, 2_000)}`;
      text = `Reminder: ${line}`;
      break;
  }
  return {
    text: fallbackText(text),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(mrkdwn, SLACK_LIMITS.sectionText) } }],
  };
}

function countBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  return counts;
}

export function renderDigest(
  evaluations: Evaluation[],
  options: {
    limit?: number;
    now: number;
    timeZone: string;
    /** The alerts waited for the channel's business hours: said so above the counts. */
    heldForQuietHours?: boolean;
    /**
     * Posted while the scan was running ('partial': more may follow), or rewritten with the whole storm
     * after such a start ('complete'): either way its thread is in the order the scan found the alerts.
     */
    streamed?: 'partial' | 'complete';
  },
): { text: string; blocks: KnownBlock[] } {
  const alerts = evaluations.filter((e) => e.stage !== null).sort(compareUrgency);
  const limit = Math.max(0, Math.floor(options.limit ?? 15));
  const byStage = [...countBy(alerts, (e) => e.stage!)].sort(
    (a, b) => stageRank(b[0] as Stage) - stageRank(a[0] as Stage),
  );
  const byProduct = [...countBy(alerts, (e) => oneLine(e.subject.productName))].sort(
    (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
  );
  const stageText = byStage.map(([stage, n]) => `${n} ${stageShort(stage as Stage)}`);
  const title =
    `${alerts.length} renewal ${alerts.length === 1 ? 'alert' : 'alerts'}` +
    (options.streamed === 'partial' ? ' so far' : '');
  const text = fallbackText(alerts.length === 0 ? 'No renewal alerts' : `${title}: ${stageText.join(', ')}`);
  if (alerts.length === 0) {
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'No renewal alerts.' } }] };
  }
  const top = alerts.slice(0, limit).map((e) => {
    const emoji = SEVERITY_EMOJI[e.severity ?? 'info'];
    return `• ${emoji} ${fitMrkdwn(summaryLine(e, options), LIST_ITEM_MAX)} _(${name(e.subject.productName, '', 80)})_`;
  });
  const blocks: KnownBlock[] = [
    header(`:rotating_light: ${title}`),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text:
            (options.heldForQuietHours ? 'Held until business hours began. ' : '') +
            (options.streamed === 'partial'
              ? 'The scan is still running: more may follow. Each alert goes in the thread of this message as it is found.'
              : options.streamed === 'complete'
                ? 'Each alert is in the thread of this message, in the order the scan found them.'
                : 'Each alert is in the thread of this message, most urgent first.'),
        },
      ],
    },
    listSection(
      '*By stage*',
      byStage.map(([stage, n]) => `• ${stageTitle(stage as Stage)}: *${n}*`),
      'more stages',
    ),
    listSection(
      '*By product line*',
      byProduct.map(([product, n]) => `• ${fitMrkdwn(product, NAME_MAX)}: *${n}*`),
      'more product lines',
    ),
  ];
  blocks.push(listSection('*Most urgent*', top, 'more', alerts.length));
  return { text, blocks };
}
