import { TZDate } from '@date-fns/tz';
import { addDays, startOfDay, subDays } from 'date-fns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateInstance, stageRank } from '../../src/alerts/rules.js';
import {
  nextStageAt,
  parseSnoozeValue,
  type SnoozeKind,
  snoozeConfirmation,
  snoozeOptions,
  snoozeUntil,
  snoozeValue,
} from '../../src/alerts/snooze.js';
import type { Evaluation } from '../../src/alerts/types.js';
import type { Instance } from '../../src/yeastar/types.js';
import { DAY, instance, THRESHOLDS } from './rules-fixtures.js';

const ZONE = 'Europe/Berlin';
const at = (text: string) => Date.parse(text);
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
/** Sunday 15 June 2025, 14:00 in Berlin. */
const NOW = at('2025-06-15T12:00:00Z');

function evaluate(overrides: Partial<Instance>, now = NOW, timeZone = ZONE): Evaluation {
  return evaluateInstance(instance(overrides), { now, thresholds: THRESHOLDS, timeZone });
}

/** Expires 1 July 2025 12:00 Berlin: 16 calendar days away, stage 30d. */
const in16Days = evaluate({ planExpireDate: at('2025-07-01T10:00:00Z') });

describe('parseSnoozeValue', () => {
  it.each<[string, SnoozeKind | null]>([
    ['1d', { kind: 'for', days: 1 }],
    ['7d', { kind: 'for', days: 7 }],
    ['30d', { kind: 'for', days: 30 }],
    ['next', { kind: 'next_stage' }],
    ['before:3', { kind: 'days_before', days: 3 }],
    ['before:1', { kind: 'days_before', days: 1 }],
    ['0d', null],
    ['366d', null],
    ['-1d', null],
    ['1.5d', null],
    ['before:0', null],
    ['before:', null],
    ['before:x', null],
    ['next ', null],
    ['NEXT', null],
    ['', null],
    [`before:${'9'.repeat(80)}`, null],
  ])('%j → %j', (value, expected) => {
    expect(parseSnoozeValue(value)).toEqual(expected);
  });

  it('round-trips every kind through its menu value', () => {
    for (const kind of [
      { kind: 'for', days: 1 },
      { kind: 'for', days: 7 },
      { kind: 'next_stage' },
      { kind: 'days_before', days: 3 },
    ] as SnoozeKind[]) {
      expect(parseSnoozeValue(snoozeValue(kind))).toEqual(kind);
    }
  });
});

describe('snoozeUntil', () => {
  it('is now plus N days, on the wall clock', () => {
    expect(iso(snoozeUntil({ kind: 'for', days: 1 }, in16Days, THRESHOLDS, NOW, ZONE))).toBe(
      '2025-06-16T12:00:00.000Z',
    );
    // Saturday 29 March 13:00 CET + 1 day = Sunday 30 March 13:00 CEST: 23 hours later.
    const beforeDst = at('2025-03-29T12:00:00Z');
    expect(iso(snoozeUntil({ kind: 'for', days: 1 }, in16Days, THRESHOLDS, beforeDst, ZONE))).toBe(
      '2025-03-30T11:00:00.000Z',
    );
  });

  it.each<[string, SnoozeKind, string | null]>([
    // 14 days before 1 July is 17 June: the 14d stage begins at midnight Berlin (22:00 UTC the day before).
    ['next stage (14d)', { kind: 'next_stage' }, '2025-06-16T22:00:00.000Z'],
    ['3 days before expiry', { kind: 'days_before', days: 3 }, '2025-06-27T22:00:00.000Z'],
    ['1 day before expiry', { kind: 'days_before', days: 1 }, '2025-06-29T22:00:00.000Z'],
    ['16 days before: today, already begun', { kind: 'days_before', days: 16 }, null],
    ['20 days before: past', { kind: 'days_before', days: 20 }, null],
  ])('%s', (_label, kind, expected) => {
    expect(iso(snoozeUntil(kind, in16Days, THRESHOLDS, NOW, ZONE))).toBe(expected);
  });

  it('ends a 1d alert\'s "next stage" snooze at the expiry itself', () => {
    const tomorrow = evaluate({ planExpireDate: at('2025-06-16T08:00:00Z') });
    expect(tomorrow.stage).toBe('1d');
    expect(iso(snoozeUntil({ kind: 'next_stage' }, tomorrow, THRESHOLDS, NOW, ZONE))).toBe(
      '2025-06-16T08:00:00.000Z',
    );
  });

  it('cannot apply to an expired alert, a switching plan or an unknown date (but "for" always can)', () => {
    const expired = evaluate({ planExpireDate: NOW - DAY, planStatus: 'expired' });
    const unknown = evaluate({ planExpireDate: null, planStatus: 'expiring' });
    const switching = evaluate({
      planStatus: 'switching',
      currentPlanExpireDate: NOW + 10 * DAY,
      nextPlan: 'Enterprise',
    });
    expect(switching.stage).toBe('switching');
    for (const evaluation of [expired, unknown, switching]) {
      expect(snoozeUntil({ kind: 'next_stage' }, evaluation, THRESHOLDS, NOW, ZONE)).toBeNull();
    }
    expect(snoozeUntil({ kind: 'days_before', days: 3 }, expired, THRESHOLDS, NOW, ZONE)).toBeNull();
    expect(snoozeUntil({ kind: 'days_before', days: 3 }, unknown, THRESHOLDS, NOW, ZONE)).toBeNull();
    expect(snoozeUntil({ kind: 'for', days: 7 }, expired, THRESHOLDS, NOW, ZONE)).toBe(NOW + 7 * DAY);
  });

  it('skips a stage that is already due when the evaluation is older than the clock', () => {
    // Evaluated at 16 days (30d); asked two days later, the 14d stage began yesterday: next is 7d.
    const later = NOW + 2 * DAY;
    expect(iso(nextStageAt(in16Days, THRESHOLDS, later, ZONE))).toBe('2025-06-23T22:00:00.000Z');
  });
});

describe('snoozeOptions', () => {
  it('offers 1 day, 7 days, next stage and the nearest "days before" ends, with dates in the zone', () => {
    expect(
      snoozeOptions(in16Days, THRESHOLDS, NOW, ZONE).map((o) => [o.value, o.label, iso(o.until)]),
    ).toEqual([
      ['1d', 'Snooze 1 day (Mon 16 Jun)', '2025-06-16T12:00:00.000Z'],
      ['7d', 'Snooze 7 days (Sun 22 Jun)', '2025-06-22T12:00:00.000Z'],
      ['next', 'Until next stage (Tue 17 Jun)', '2025-06-16T22:00:00.000Z'],
      ['before:7', 'Until 7 days before expiry (Tue 24 Jun)', '2025-06-23T22:00:00.000Z'],
      ['before:3', 'Until 3 days before expiry (Sat 28 Jun)', '2025-06-27T22:00:00.000Z'],
      ['before:1', 'Until 1 day before expiry (Mon 30 Jun)', '2025-06-29T22:00:00.000Z'],
    ]);
  });

  it("shows the date as the alert's zone sees it", () => {
    // 22:00 UTC on 16 June is already 17 June in Berlin but still 16 June in New York.
    const ny = evaluate({ planExpireDate: at('2025-07-01T10:00:00Z') }, NOW, 'America/New_York');
    const next = snoozeOptions(ny, THRESHOLDS, NOW, 'America/New_York').find((o) => o.value === 'next');
    expect(next?.label).toBe('Until next stage (Tue 17 Jun)');
    expect(iso(next!.until)).toBe('2025-06-17T04:00:00.000Z');
  });

  it('leaves out what would end after the expiry, since the snooze ends there anyway', () => {
    const threeDays = evaluate({ planExpireDate: at('2025-06-18T10:00:00Z') });
    expect(threeDays.stage).toBe('3d');
    expect(snoozeOptions(threeDays, THRESHOLDS, NOW, ZONE).map((o) => o.value)).toEqual(['1d', 'next']);
  });

  it('offers only fixed durations for an expired alert or an unknown date', () => {
    const expired = evaluate({ planExpireDate: NOW - DAY, planStatus: 'expired' });
    const unknown = evaluate({ planExpireDate: null, planStatus: 'expiring' });
    expect(snoozeOptions(expired, THRESHOLDS, NOW, ZONE).map((o) => o.value)).toEqual(['1d', '7d']);
    expect(snoozeOptions(unknown, THRESHOLDS, NOW, ZONE).map((o) => o.value)).toEqual(['1d', '7d']);
  });

  it('keeps every option value and label within 75 characters, each value parseable', () => {
    const many = [365, 200, 120, 90, 60, 30, 14, 7, 3, 1];
    const far = evaluate({ planExpireDate: NOW + 300 * DAY }, NOW);
    const far2 = evaluateInstance(instance({ planExpireDate: NOW + 300 * DAY }), {
      now: NOW,
      thresholds: many,
      timeZone: ZONE,
    });
    for (const option of [
      ...snoozeOptions(far, THRESHOLDS, NOW, ZONE),
      ...snoozeOptions(far2, many, NOW, ZONE),
    ]) {
      expect(option.value.length).toBeLessThanOrEqual(75);
      expect(option.label.length).toBeLessThanOrEqual(75);
      expect(parseSnoozeValue(option.value)).not.toBeNull();
      expect(option.until).toBeGreaterThan(NOW);
    }
  });
});

describe('snoozeConfirmation', () => {
  it('uses a Slack date, so each reader sees the end in their own zone', () => {
    const until = at('2025-06-16T22:00:00Z');
    expect(snoozeConfirmation({ kind: 'next_stage' }, until, 'U0123ABC')).toBe(
      ':zzz: Snoozed until <!date^1750111200^{date_short_pretty} {time}|2025-06-16 22:00 UTC> (until the next stage) by <@U0123ABC>. ' +
        'It ends early if the subscription is renewed or expires.',
    );
  });
});

describe('snooze: properties', () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Pacific/Auckland', 'Asia/Kolkata'];

  it('"next stage" ends exactly when the rules first see a more urgent stage', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('2025-01-01T00:00:00Z'), max: at('2026-01-01T00:00:00Z') }),
        fc.integer({ min: 1, max: 40 * DAY }),
        fc.constantFrom(...zones),
        (now, ahead, timeZone) => {
          const expiresAt = now + ahead;
          const options = { thresholds: THRESHOLDS, timeZone };
          const subject = instance({ planExpireDate: expiresAt });
          const evaluation = evaluateInstance(subject, { ...options, now });
          if (evaluation.stage === null) return;
          const until = nextStageAt(evaluation, THRESHOLDS, now, timeZone);
          expect(until).not.toBeNull();
          expect(until!).toBeGreaterThan(now);
          const rank = stageRank(evaluation.stage);
          expect(stageRank(evaluateInstance(subject, { ...options, now: until! }).stage)).toBeGreaterThan(
            rank,
          );
          expect(stageRank(evaluateInstance(subject, { ...options, now: until! - 1 }).stage)).toBe(rank);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('snooze ends, in any zone, near any change of offset', () => {
  // Zones with DST at 01:00 UTC, local midnight (Santiago), by 30 minutes (Lord Howe), none at all
  // (Kathmandu's +05:45), and changes that are not twice a year (Casablanca's Ramadan, Apia's 2011 skipped day).
  const zones = [
    'Europe/Berlin',
    'America/New_York',
    'America/Santiago',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
    'Africa/Casablanca',
    'Pacific/Apia',
    'UTC',
  ];
  // Mostly in the months when zones change offset, so the end instants land near a change.
  const instant = fc
    .record({
      year: fc.integer({ min: 2010, max: 2035 }),
      month: fc.constantFrom(0, 2, 3, 4, 8, 9, 10, 11),
      day: fc.integer({ min: 1, max: 31 }),
      minute: fc.integer({ min: 0, max: 24 * 60 - 1 }),
    })
    .map(({ year, month, day, minute }) => Date.UTC(year, month, day) + minute * 60_000);

  it('lasts N days on the wall clock, as date-fns counts them', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        instant,
        fc.constantFrom(1, 2, 7, 30, 180, 365),
        (zone, now, days) => {
          const expected = addDays(new TZDate(now, zone), days).getTime();
          expect(iso(snoozeUntil({ kind: 'for', days }, in16Days, THRESHOLDS, now, zone))).toBe(
            iso(expected),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("ends N days before expiry at that day's midnight, as date-fns counts it", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        instant,
        fc.integer({ min: 1, max: 60 }),
        (zone, expiresAt, days) => {
          const now = expiresAt - 400 * DAY;
          const evaluation = { ...in16Days, stage: '30d', expiresAt } as Evaluation;
          const expected = subDays(startOfDay(new TZDate(expiresAt, zone)), days).getTime();
          // Twice: the second answer comes from what the first remembered.
          for (let i = 0; i < 2; i++) {
            const until = snoozeUntil({ kind: 'days_before', days }, evaluation, THRESHOLDS, now, zone);
            expect(iso(until)).toBe(iso(expected));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
