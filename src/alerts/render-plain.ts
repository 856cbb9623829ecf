import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import type { AlertView } from './render.js';
import {
  alertTitle,
  daysLeftNow,
  hiddenText,
  isExpiredKind,
  optionFor,
  portalLink,
  relativeDays,
  renewalText,
} from './render.js';
import { compareUrgency } from './rules.js';
import type { Finding, Severity } from './types.js';

/** The alert as terminal text, for `npm run demo`: the same facts as the Slack message, no Slack markup. */

const ANSI: Record<Severity, string> = {
  critical: '\x1b[1;31m',
  high: '\x1b[31m',
  warning: '\x1b[33m',
  info: '\x1b[36m',
};
const RESET = '\x1b[0m';

/** API text must not move the cursor or recolour the terminal. */
export function clean(raw: string | null | undefined, fallback = '—'): string {
  const visible = Array.from(raw ?? '', (ch) => {
    const code = ch.codePointAt(0)!;
    return code < 0x20 || (code >= 0x7f && code <= 0x9f) ? ' ' : ch;
  }).join('');
  const text = visible.replace(/\s+/g, ' ').trim();
  return text === '' ? fallback : text;
}

function readableDate(epochMs: number, timeZone: string): string {
  if (!Number.isFinite(epochMs) || Number.isNaN(new Date(epochMs).getTime())) return 'date unknown';
  return `${format(new TZDate(epochMs, timeZone), 'yyyy-MM-dd HH:mm')} ${timeZone}`;
}

function expiry(expiresAt: number | null, expired: boolean, view: AlertView): string {
  if (expiresAt === null) return 'date unknown';
  const past = expired || expiresAt <= view.now;
  return `${readableDate(expiresAt, view.timeZone)} (${relativeDays(daysLeftNow(expiresAt, view), past)})`;
}

function planLines(view: AlertView): string[] {
  const { subject, findings } = view.evaluation;
  const plan = findings.find((f) => f.subject === 'plan');
  const autoRenewal = plan ? plan.autoRenewal : subject.planAutoRenewal;
  const auto = `auto-renewal ${autoRenewal === null ? 'unknown' : autoRenewal ? 'on' : 'off'}`;
  if (plan?.kind === 'switching') {
    const next = [`  Next plan:    ${clean(plan.nextPlan, 'not named')}`];
    if (plan.nextPlanStartAt != null) next[0] += ` from ${readableDate(plan.nextPlanStartAt, view.timeZone)}`;
    if (plan.nextPlanExpiresAt != null)
      next[0] += ` until ${readableDate(plan.nextPlanExpiresAt, view.timeZone)}`;
    return [
      `  Current plan: ${clean(plan.name)} until ${expiry(plan.expiresAt, false, view)} · ${auto}`,
      ...next,
    ];
  }
  const name = clean(plan?.name ?? subject.planName, 'Unnamed plan');
  const trial = (plan?.trial ?? subject.planStatus === 'trialing') ? ' (trial)' : '';
  const expiresAt = plan ? plan.expiresAt : subject.planExpireDate;
  const expired = (plan ? isExpiredKind(plan.kind) : false) || (expiresAt !== null && expiresAt <= view.now);
  const verb = expiresAt === null ? 'expiry' : expired ? 'expired' : 'expires';
  const lines = [`  Plan:         ${name}${trial} — ${verb} ${expiry(expiresAt, expired, view)} · ${auto}`];
  const renewal = plan ? renewalText(optionFor(plan, view.enrichment)) : null;
  if (renewal) lines.push(`                ${clean(renewal)}`);
  return lines;
}

function serviceLine(finding: Finding, view: AlertView): string[] {
  const expired = isExpiredKind(finding.kind);
  const verb = finding.expiresAt === null ? '' : expired ? 'expired ' : 'expires ';
  const auto = finding.autoRenewal ? 'auto-renewal on' : 'auto-renewal off';
  const lines = [
    `    - ${clean(finding.name)} — ${verb}${expiry(finding.expiresAt, expired, view)} · ${auto}`,
  ];
  const renewal = renewalText(optionFor(finding, view.enrichment));
  if (renewal) lines.push(`      ${clean(renewal)}`);
  return lines;
}

/**
 * What is expiring and when, as of the view's clock: "Service expired 11 days ago: Extension Expansion",
 * "Plan expiring, date unknown: Standard Plan", "Plan switching in 24 days: Enterprise Plan → Ultimate Plan".
 */
function headline(view: AlertView): string {
  const { findings } = view.evaluation;
  const top = findings[0];
  if (!top) return alertTitle(view.evaluation);
  const what = top.subject === 'plan' ? 'Plan' : 'Service';
  const days = daysLeftNow(top.expiresAt, view);
  const expired = isExpiredKind(top.kind) || (top.expiresAt !== null && top.expiresAt <= view.now);
  let state: string;
  if (top.kind === 'switching')
    state = `Plan switching${days === null ? '' : ` ${relativeDays(days, false)}`}`;
  else if (days === null) state = `${what} ${expired ? 'expired' : 'expiring'}, date unknown`;
  else state = `${what} ${expired ? relativeDays(days, true) : `expires ${relativeDays(days, false)}`}`;
  const name =
    top.kind === 'switching' ? `${clean(top.name)} → ${clean(top.nextPlan, 'next plan')}` : clean(top.name);
  const more = findings.length > 1 ? ` (+${findings.length - 1} more)` : '';
  return `${state}: ${name}${more}`;
}

export function renderPlain(view: AlertView, options: { color: boolean }): string {
  const { evaluation, record } = view;
  const { subject } = evaluation;
  const severity = evaluation.severity ?? 'info';
  const tag = `[${severity.toUpperCase()}]`;
  const head = `${options.color ? ANSI[severity] + tag + RESET : tag} ${clean(subject.productNo)} · ${headline(view)}`;
  const lines = [head, `  Product line: ${clean(subject.productName)}`];
  const customer = [subject.companyName, subject.contactName, subject.email]
    .filter(Boolean)
    .map((v) => clean(v));
  if (customer.length > 0) lines.push(`  Customer:     ${customer.join(', ')}`);
  lines.push(...planLines(view));
  const services = evaluation.findings.filter((f) => f.subject === 'service');
  if (services.length > 0) {
    lines.push(`  Services (${services.length}):`);
    for (const finding of services) lines.push(...serviceLine(finding, view));
  }
  const hidden = hiddenText(evaluation);
  if (hidden) lines.push(`  ${clean(hidden)}`);
  if (view.enrichment?.error) lines.push(`  Renewal options unavailable: ${clean(view.enrichment.error)}`);
  if (subject.url) lines.push(`  Instance URL: ${clean(subject.url)}`);
  if (record?.acknowledgedBy) {
    const at =
      record.acknowledgedAt === null ? '' : ` at ${readableDate(record.acknowledgedAt, view.timeZone)}`;
    lines.push(`  Acknowledged by ${clean(record.acknowledgedBy)}${at}`);
  }
  if (record?.snoozedUntil != null && record.snoozedUntil > view.now) {
    lines.push(
      `  Snoozed until ${readableDate(record.snoozedUntil, view.timeZone)} by ${clean(record.snoozedBy, 'someone')}`,
    );
  }
  lines.push(`  Portal:       ${portalLink(view.portalUrl, subject.productId, subject.productNo)}`);
  return lines.join('\n');
}

/** Every view, most urgent first, separated by blank lines. */
export function renderPlainList(views: readonly AlertView[], options: { color: boolean }): string {
  if (views.length === 0) return 'No renewal alerts.';
  return [...views]
    .sort((a, b) => compareUrgency(a.evaluation, b.evaluation))
    .map((view) => renderPlain(view, options))
    .join('\n\n');
}
