import { TZDate } from '@date-fns/tz';
import { addDays, format, startOfDay, subDays } from 'date-fns';
import { localDayNumber, steadyOffsetMs } from '../util/calendar-days.js';
import { stageRank } from './rules.js';
import { slackDate } from './slack-date.js';
import type { Evaluation, Stage } from './types.js';

/**
 * How long a snooze lasts: a number of days, until the alert's next stage begins, or until N days
 * before expiry. This file only computes when a snooze ends; the alert state stores that instant.
 *
 * Contract with the alert state (src/alerts/alert-store.ts): a snooze also ends by itself, whatever its end
 * time, when the instance is renewed (the alert resolves) or its stage reaches `expired` — an expired
 * subscription is never silenced by an earlier snooze.
 */

export type SnoozeKind =
  | { kind: 'for'; days: number }
  | { kind: 'next_stage' }
  | { kind: 'days_before'; days: number };

export type SnoozeOption = { value: string; label: string; until: number };

/** Longest "for N days" and "N days before expiry" accepted from a menu value. */
const MAX_DAYS = 365;
/** Slack `static_select` option values and texts are capped at 75 characters here. */
const OPTION_MAX = 75;
/** At most this many "N days before expiry" entries, so the menu stays short. */
const MAX_BEFORE_OPTIONS = 3;

/** Menu option values: `1d`, `7d` (any `Nd`), `next`, `before:3` (any `before:N`). Null when unknown. */
export function parseSnoozeValue(value: string): SnoozeKind | null {
  if (value.length > OPTION_MAX) return null;
  if (value === 'next') return { kind: 'next_stage' };
  const days = /^([1-9]\d{0,2})d$/.exec(value)?.[1];
  if (days !== undefined && Number(days) <= MAX_DAYS) return { kind: 'for', days: Number(days) };
  const before = /^before:([1-9]\d{0,2})$/.exec(value)?.[1];
  if (before !== undefined && Number(before) <= MAX_DAYS)
    return { kind: 'days_before', days: Number(before) };
  return null;
}

export function snoozeValue(kind: SnoozeKind): string {
  switch (kind.kind) {
    case 'for':
      return `${kind.days}d`;
    case 'next_stage':
      return 'next';
    case 'days_before':
      return `before:${kind.days}`;
  }
}

/**
 * Every alert render builds a snooze menu, and each `TZDate` formats with Intl several times: the pure
 * answers below are remembered (a cycle's alerts share a few expiry instants and calendar days).
 */
const MEMO_MAX = 10_000;
const dayStarts = new Map<string, number>();
const shortDates = new Map<string, string>();

function remember<V>(memo: Map<string, V>, key: string, compute: () => V): V {
  const known = memo.get(key);
  if (known !== undefined) return known;
  const value = compute();
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(key, value);
  return value;
}

const DAY_MS = 86_400_000;

/** Midnight (in `timeZone`) of the calendar day `days` before the expiry's calendar day. */
function dayStartBefore(expiresAt: number, days: number, timeZone: string): number {
  const compute = () => subDays(startOfDay(new TZDate(expiresAt, timeZone)), days).getTime();
  // The answer depends on the expiry's calendar day only, which many alerts share.
  const day = localDayNumber(expiresAt, timeZone);
  return Number.isNaN(day) ? compute() : remember(dayStarts, `${timeZone}|${day}|${days}`, compute);
}

/**
 * The same wall-clock time `days` calendar days after `now`: date-fns' `addDays` on a `TZDate`, without
 * its Intl calls when the zone keeps one offset around the end instant and has the same at `now`
 * (every render asks this twice, for "Snooze 1 day" and "Snooze 7 days"). Around a change of offset,
 * where a wall-clock time can be missing or repeated, `TZDate` decides.
 */
function addLocalDays(now: number, days: number, timeZone: string): number {
  const later = now + days * DAY_MS;
  const offset = steadyOffsetMs(now, timeZone);
  if (
    offset !== null &&
    steadyOffsetMs(later - DAY_MS, timeZone) === offset &&
    steadyOffsetMs(later, timeZone) === offset &&
    steadyOffsetMs(later + DAY_MS, timeZone) === offset
  ) {
    return later;
  }
  return addDays(new TZDate(now, timeZone), days).getTime();
}

/**
 * When the evaluation's next, more urgent stage begins: midnight (in `timeZone`) of the first calendar
 * day on which the earliest expiry is within a smaller threshold, or the expiry itself for `expired`.
 * Null without a known expiry, once expired, and for a switching plan (whose stage does not follow the
 * calendar).
 */
export function nextStageAt(
  evaluation: Evaluation,
  thresholds: readonly number[],
  now: number,
  timeZone: string,
): number | null {
  const { stage, expiresAt } = evaluation;
  if (stage === null || stage === 'expired' || stage === 'switching') return null;
  if (expiresAt === null || !Number.isFinite(expiresAt) || expiresAt <= now) return null;
  const current = stageRank(stage);
  // Largest threshold first: the first one more urgent than now that has not begun yet comes first.
  for (const days of [...thresholds].sort((a, b) => b - a)) {
    if (stageRank(`${days}d` as Stage) <= current) continue;
    const begins = dayStartBefore(expiresAt, days, timeZone);
    if (begins > now) return begins;
  }
  return expiresAt;
}

/** Epoch ms at which a snooze of `kind` chosen at `now` ends, or null when it cannot apply. */
export function snoozeUntil(
  kind: SnoozeKind,
  evaluation: Evaluation,
  thresholds: readonly number[],
  now: number,
  timeZone: string,
): number | null {
  switch (kind.kind) {
    case 'for':
      // Same wall-clock time N days later, so a snooze across a DST change still ends "at 9 again".
      return addLocalDays(now, kind.days, timeZone);
    case 'next_stage':
      return nextStageAt(evaluation, thresholds, now, timeZone);
    case 'days_before': {
      const { expiresAt } = evaluation;
      if (expiresAt === null || !Number.isFinite(expiresAt) || expiresAt <= now) return null;
      if (evaluation.stage === 'expired' || evaluation.stage === null) return null;
      const until = dayStartBefore(expiresAt, kind.days, timeZone);
      return until > now ? until : null;
    }
  }
}

/** "Tue 1 Dec" in the alert's time zone: option text is plain text, so Slack cannot localise it. */
function shortDate(epochMs: number, timeZone: string): string {
  const compute = () => format(new TZDate(epochMs, timeZone), 'EEE d MMM');
  // The text depends on the calendar day only.
  const day = localDayNumber(epochMs, timeZone);
  return Number.isNaN(day) ? compute() : remember(shortDates, `${timeZone}|${day}`, compute);
}

function clip(text: string): string {
  return text.length <= OPTION_MAX ? text : `${text.slice(0, OPTION_MAX - 1)}…`;
}

function labelOf(kind: SnoozeKind): string {
  switch (kind.kind) {
    case 'for':
      return `Snooze ${kind.days} ${kind.days === 1 ? 'day' : 'days'}`;
    case 'next_stage':
      return 'Until next stage';
    case 'days_before':
      return `Until ${kind.days} ${kind.days === 1 ? 'day' : 'days'} before expiry`;
  }
}

/**
 * The snooze menu for one alert: 1 day, 7 days, until the next stage, and until N days before expiry
 * for the thresholds after the next stage (at most three). Options that cannot apply, or that end at the
 * same time as an earlier option, are left out. Each label ends with the end date in the alert's zone.
 */
export function snoozeOptions(
  evaluation: Evaluation,
  thresholds: readonly number[],
  now: number,
  timeZone: string,
): SnoozeOption[] {
  const next = nextStageAt(evaluation, thresholds, now, timeZone);
  const kinds: SnoozeKind[] = [{ kind: 'for', days: 1 }, { kind: 'for', days: 7 }, { kind: 'next_stage' }];
  const later = [...thresholds]
    .sort((a, b) => b - a)
    .filter(
      (days) =>
        next !== null &&
        evaluation.expiresAt !== null &&
        dayStartBefore(evaluation.expiresAt, days, timeZone) > next,
    )
    .slice(-MAX_BEFORE_OPTIONS);
  for (const days of later) kinds.push({ kind: 'days_before', days });

  const options: SnoozeOption[] = [];
  const ends = new Set<number>();
  // The snooze ends at expiry anyway (see the contract above): a date past it would be a false promise.
  const expiry =
    evaluation.stage !== 'expired' && evaluation.expiresAt !== null && evaluation.expiresAt > now
      ? evaluation.expiresAt
      : null;
  for (const kind of kinds) {
    const until = snoozeUntil(kind, evaluation, thresholds, now, timeZone);
    if (until === null || until <= now || ends.has(until)) continue;
    if (expiry !== null && until > expiry) continue;
    ends.add(until);
    options.push({
      value: snoozeValue(kind),
      label: clip(`${labelOf(kind)} (${shortDate(until, timeZone)})`),
      until,
    });
  }
  return options;
}

/** The confirmation posted after a snooze: Slack shows the end in each reader's own time zone. */
export function snoozeConfirmation(kind: SnoozeKind, until: number, userId: string): string {
  const what =
    kind.kind === 'next_stage'
      ? ' (until the next stage)'
      : kind.kind === 'days_before'
        ? ` (until ${kind.days} ${kind.days === 1 ? 'day' : 'days'} before expiry)`
        : '';
  const who = /^[A-Z0-9]{2,40}$/i.test(userId) ? `<@${userId}>` : 'someone';
  return `:zzz: Snoozed until ${slackDate(until)}${what} by ${who}. It ends early if the subscription is renewed or expires.`;
}
