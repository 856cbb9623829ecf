import crypto from 'node:crypto';
import { calendarDaysBetween } from '../util/calendar-days.js';
import type { Instance, InstanceService } from '../yeastar/types.js';
import { KNOWN_PRODUCT_LINES } from '../yeastar/types.js';
import type {
  AlertSubject,
  Evaluation,
  Finding,
  FindingKind,
  HiddenFindings,
  Severity,
  Stage,
} from './types.js';

/**
 * What is wrong with one instance, as a pure function of the instance, the thresholds and the clock.
 * Deciding what to do about it (post, escalate, stay quiet) is the alert store's job, not this file's.
 */

export type RuleOptions = {
  now: number;
  thresholds: readonly number[];
  timeZone: string;
  productName?: string;
};

/** Used only when a caller passes no thresholds at all: the documented `ALERT_DAYS` default. */
const FALLBACK_THRESHOLDS: readonly number[] = [30, 14, 7, 3, 1];

const SEVERITY_ORDER: readonly Severity[] = ['info', 'warning', 'high', 'critical'];

export function alertKeyOf(productId: string, productNo: string): string {
  return `${productId}:${productNo}`;
}

export function calendarDaysLeft(expiresAt: number, now: number, timeZone: string): number {
  return calendarDaysBetween(expiresAt, now, timeZone);
}

/** Days of an `Nd` stage, or null for any other stage. */
export function stageDays(stage: Stage | null): number | null {
  if (stage === null || stage === 'expired' || stage === 'switching') return null;
  const days = Number(stage.slice(0, -1));
  return Number.isFinite(days) ? days : null;
}

const EXPIRED_RANK = 2_000_000;
const DAYS_RANK_BASE = 1_000_000;

export function stageRank(stage: Stage | null): number {
  if (stage === null) return Number.NEGATIVE_INFINITY;
  if (stage === 'switching') return 0;
  if (stage === 'expired') return EXPIRED_RANK;
  const days = stageDays(stage);
  // A malformed stage still outranks "healthy" and "switching" but nothing that names its days.
  if (days === null) return 1;
  return DAYS_RANK_BASE - Math.min(Math.max(days, 0), DAYS_RANK_BASE - 2);
}

export function stageFor(daysLeft: number, thresholds: readonly number[]): Stage | null {
  if (daysLeft < 0) return 'expired';
  let best: number | null = null;
  for (const t of thresholds) if (daysLeft <= t && (best === null || t < best)) best = t;
  return best === null ? null : `${best}d`;
}

function baseSeverity(stage: Stage): Severity {
  if (stage === 'expired') return 'critical';
  if (stage === 'switching') return 'info';
  const days = stageDays(stage);
  if (days === null) return 'info';
  if (days <= 3) return 'high';
  if (days <= 14) return 'warning';
  return 'info';
}

function severityRank(severity: Severity | null): number {
  return severity === null ? -1 : SEVERITY_ORDER.indexOf(severity);
}

/** Auto-renewal makes an alert less urgent, never silent. */
function lowered(severity: Severity, autoRenewal: boolean): Severity {
  if (!autoRenewal) return severity;
  return SEVERITY_ORDER[Math.max(0, SEVERITY_ORDER.indexOf(severity) - 1)]!;
}

type Expiry = { expired: boolean; expiring: boolean; daysLeft: number | null; stage: Stage | null };

/** Shared by plans and services: the status word wins when it is alarming, the date otherwise. */
function expiryOf(
  status: string | null,
  expiresAt: number | null,
  options: RuleOptions,
  thresholds: readonly number[],
): Expiry {
  const maxThreshold = Math.max(...thresholds);
  const counted = expiresAt === null ? null : calendarDaysLeft(expiresAt, options.now, options.timeZone);
  // A date outside what Date can represent counts as no date at all.
  const daysLeft = counted !== null && Number.isFinite(counted) ? counted : null;
  // An expiry earlier today is still "today" on the calendar, but the subscription has already lapsed.
  const pastByDate = daysLeft !== null && (daysLeft < 0 || expiresAt! <= options.now);
  if (status === 'expired' || pastByDate)
    return { expired: true, expiring: false, daysLeft, stage: 'expired' };
  const withinThresholds = daysLeft !== null && daysLeft <= maxThreshold;
  if (status === 'expiring' || withinThresholds) {
    // Without a usable date the earliest stage is the honest one: we cannot tell how close it is.
    const stage =
      (daysLeft === null ? null : stageFor(daysLeft, thresholds)) ?? (`${maxThreshold}d` as Stage);
    return { expired: false, expiring: true, daysLeft, stage };
  }
  return { expired: false, expiring: false, daysLeft, stage: null };
}

function makeFinding(
  kind: FindingKind,
  subject: 'plan' | 'service',
  // Everything of a Finding but what this function derives: kind, subject, and severity from stage.
  fields: Omit<Finding, 'kind' | 'subject' | 'severity'>,
): Finding {
  return {
    kind,
    subject,
    ...fields,
    severity: lowered(baseSeverity(fields.stage), fields.autoRenewal),
  };
}

function planFinding(
  instance: Instance,
  options: RuleOptions,
  thresholds: readonly number[],
): Finding | null {
  const autoRenewal = instance.planAutoRenewal === true;
  const status = instance.planStatus;
  if (status === 'switching') {
    // The switch replaces the expiry: the current plan ends because the next one starts.
    const expiresAt = instance.currentPlanExpireDate ?? instance.planExpireDate;
    return {
      ...makeFinding('switching', 'plan', {
        name: instance.currentPlan ?? instance.planName ?? 'Unnamed plan',
        serviceId: null,
        status,
        expiresAt,
        daysLeft: expiresAt === null ? null : calendarDaysLeft(expiresAt, options.now, options.timeZone),
        stage: 'switching',
        autoRenewal,
        trial: false,
      }),
      nextPlan: instance.nextPlan,
      nextPlanStartAt: instance.nextPlanStartDate,
      nextPlanExpiresAt: instance.nextPlanExpireDate,
    };
  }
  const expiry = expiryOf(status, instance.planExpireDate, options, thresholds);
  if (expiry.stage === null) return null;
  return makeFinding(expiry.expired ? 'expired' : 'expiring', 'plan', {
    name: instance.planName ?? 'Unnamed plan',
    serviceId: null,
    status,
    expiresAt: instance.planExpireDate,
    daysLeft: expiry.daysLeft,
    stage: expiry.stage,
    autoRenewal,
    trial: status === 'trialing',
  });
}

function serviceFinding(
  service: InstanceService,
  options: RuleOptions,
  thresholds: readonly number[],
): Finding | null {
  const expiry = expiryOf(service.serviceStatus, service.serviceExpireDate, options, thresholds);
  if (expiry.stage === null) return null;
  return makeFinding(expiry.expired ? 'service_expired' : 'service_expiring', 'service', {
    name: service.serviceName ?? 'Unnamed service',
    serviceId: service.serviceId,
    status: service.serviceStatus,
    expiresAt: service.serviceExpireDate,
    daysLeft: expiry.daysLeft,
    stage: expiry.stage,
    autoRenewal: service.serviceAutoRenewal === true,
    trial: service.serviceStatus === 'trialing',
  });
}

/** Most urgent first; ties broken so that the same findings always come out in the same order. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    stageRank(b.stage) - stageRank(a.stage) ||
    severityRank(b.severity) - severityRank(a.severity) ||
    (a.subject === b.subject ? 0 : a.subject === 'plan' ? -1 : 1) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
    (a.expiresAt ?? Number.POSITIVE_INFINITY) - (b.expiresAt ?? Number.POSITIVE_INFINITY) ||
    ((a.serviceId ?? '') < (b.serviceId ?? '') ? -1 : (a.serviceId ?? '') > (b.serviceId ?? '') ? 1 : 0)
  );
}

export function productNameOf(productId: string, productName?: string): string {
  return productName ?? KNOWN_PRODUCT_LINES[productId] ?? `Product ${productId}`;
}

function subjectOf(instance: Instance, productName?: string): AlertSubject {
  const user = instance.endUserInfo;
  return {
    alertKey: alertKeyOf(instance.productId, instance.productNo),
    productId: instance.productId,
    productName: productNameOf(instance.productId, productName),
    productNo: instance.productNo,
    planName: instance.planName,
    planStatus: instance.planStatus,
    planExpireDate: instance.planExpireDate,
    planAutoRenewal: instance.planAutoRenewal,
    companyName: user?.companyName ?? null,
    contactName: user?.contactName ?? null,
    email: user?.email ?? instance.customerEmail ?? null,
    url: instance.url,
  };
}

/**
 * Hex SHA-256. Every listed instance is digested each cycle: Node's one-shot `crypto.hash` (20.12+) costs
 * about half a Hash object's; the same bytes come out, so stored digests still match.
 */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** The digest of an evaluation with no findings: the store keeps no record of a healthy instance. */
export const HEALTHY_DIGEST = '';

/** Only what a reader sees as "the facts"; days left and severity follow from these and the clock. */
function digestOf(subject: AlertSubject, findings: readonly Finding[]): string {
  const facts = {
    plan: subject.planName,
    company: subject.companyName,
    findings: findings.map((f) => [
      f.kind,
      f.name,
      f.serviceId,
      f.expiresAt,
      f.stage,
      f.autoRenewal,
      f.trial,
      f.nextPlan ?? null,
      f.nextPlanStartAt ?? null,
    ]),
  };
  return sha256Hex(JSON.stringify(facts)).slice(0, 16);
}

export const PLAN_EXPIRED_REASON = 'the plan itself expired';

/**
 * Inhibition: once the plan itself expired, renewing it is the one thing to do, so its services'
 * own expiry lines (expiring or expired) are left out and only counted. A switching plan yields a
 * single `switching` finding, never also `expiring` for the same date (see `planFinding`).
 */
function inhibit(
  plan: Finding | null,
  services: Finding[],
): { shown: Finding[]; hidden: HiddenFindings | null } {
  if (plan?.kind === 'expired' && services.length > 0) {
    return { shown: [], hidden: { count: services.length, reason: PLAN_EXPIRED_REASON } };
  }
  return { shown: services, hidden: null };
}

export function evaluateInstance(instance: Instance, options: RuleOptions): Evaluation {
  const thresholds = options.thresholds.length > 0 ? options.thresholds : FALLBACK_THRESHOLDS;
  const plan = planFinding(instance, options, thresholds);
  const serviceFindings: Finding[] = [];
  for (const service of instance.serviceList) {
    const finding = serviceFinding(service, options, thresholds);
    if (finding) serviceFindings.push(finding);
  }
  const { shown, hidden } = inhibit(plan, serviceFindings);
  const findings: Finding[] = plan ? [plan, ...shown] : shown;
  findings.sort(compareFindings);

  let severity: Severity | null = null;
  let expiresAt: number | null = null;
  for (const f of findings) {
    if (severityRank(f.severity) > severityRank(severity)) severity = f.severity;
    if (f.expiresAt !== null && (expiresAt === null || f.expiresAt < expiresAt)) expiresAt = f.expiresAt;
  }
  const subject = subjectOf(instance, options.productName);
  return {
    alertKey: subject.alertKey,
    subject,
    stage: findings[0]?.stage ?? null,
    severity,
    findings,
    // The hidden count stays out of the digest: it is a footnote, and the digest tracks what is shown.
    // Nothing shown, nothing to compare: most instances are healthy, and hashing each one every cycle
    // costs the scan CPU for nothing (README: Performance).
    digest: findings.length > 0 ? digestOf(subject, findings) : HEALTHY_DIGEST,
    expiresAt,
    ...(hidden ? { hidden } : {}),
  };
}

/** Most urgent first: stage, then earliest expiry (unknown last), then key for a stable order. */
export function compareUrgency(a: Evaluation, b: Evaluation): number {
  return (
    stageRank(b.stage) - stageRank(a.stage) ||
    (a.expiresAt ?? Number.POSITIVE_INFINITY) - (b.expiresAt ?? Number.POSITIVE_INFINITY) ||
    (a.alertKey < b.alertKey ? -1 : a.alertKey > b.alertKey ? 1 : 0)
  );
}
