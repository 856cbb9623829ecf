import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ForecastAlert, forecastAlertOf } from '../../src/forecast/alert-state.js';
import type { ForecastItem } from '../../src/forecast/items.js';
import { buildForecast, type Forecast, OVERDUE, TOP_CUSTOMERS } from '../../src/forecast/model.js';
import { arbItems, BERLIN_AUTUMN_NOW, BERLIN_SPRING_NOW, DAY, HOUR, item } from './fixtures.js';

const BERLIN = 'Europe/Berlin';
const ZONES = ['UTC', BERLIN, 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'Australia/Lord_Howe'];

function forecastOf(items: ForecastItem[], query: Partial<Parameters<typeof buildForecast>[1]> = {}) {
  return buildForecast(
    { items, undatedByCustomer: new Map() },
    { now: BERLIN_SPRING_NOW, timeZone: BERLIN, days: 90, ...query },
  );
}

/** An oracle that shares no code with the model: the local date by Intl, the ISO week by UTC arithmetic. */
const formats = new Map<string, Intl.DateTimeFormat>();
function localDate(at: number, timeZone: string): string {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formats.set(timeZone, format);
  }
  return format.format(new Date(at));
}

function addDaysToDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

function isoWeekKey(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  const weekday = (day.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(day.getTime() + (3 - weekday) * DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

function daysBetweenDates(later: string, earlier: string): number {
  return Math.round((Date.parse(`${later}T00:00:00Z`) - Date.parse(`${earlier}T00:00:00Z`)) / DAY);
}

const countsAddUp = (c: { count: number; autoRenew: number; needAction: number }) =>
  c.autoRenew + c.needAction === c.count;

describe('buildForecast: properties', () => {
  const query = fc.record({
    now: fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2029, 0, 1) }),
    timeZone: fc.constantFrom(...ZONES),
    days: fc.integer({ min: 0, max: 120 }),
  });
  const scenario = query.chain((q) => fc.tuple(fc.constant(q), arbItems(q.now - 60 * DAY, 200)));

  it('lists every item due in the window or overdue exactly once, and nothing else', () => {
    fc.assert(
      fc.property(scenario, ([q, items]) => {
        const forecast = forecastOf(items, q);
        const today = localDate(q.now, q.timeZone);
        const expected = items.filter(
          (i) => daysBetweenDates(localDate(i.expiresAt, q.timeZone), today) <= q.days,
        );
        const key = (i: ForecastItem) =>
          JSON.stringify([i.sn, i.productId, i.kind, i.name, i.expiresAt, i.customer]);
        expect(forecast.rows.map(key).sort()).toEqual(expected.map(key).sort());
      }),
    );
  });

  it('puts every row in exactly one bucket: overdue, or the ISO week of its day in the zone', () => {
    fc.assert(
      fc.property(scenario, ([q, items]) => {
        const forecast = forecastOf(items, q);
        const today = localDate(q.now, q.timeZone);
        const weekKeys = forecast.weeks.map((w) => w.key);
        expect(new Set(weekKeys).size).toBe(weekKeys.length);
        expect(weekKeys).not.toContain(OVERDUE);
        for (const row of forecast.rows) {
          const day = localDate(row.expiresAt, q.timeZone);
          expect(row.daysLeft).toBe(daysBetweenDates(day, today));
          if (row.daysLeft < 0) expect(row.bucket).toBe(OVERDUE);
          else {
            expect(row.bucket).toBe(isoWeekKey(day));
            const week = forecast.weeks.find((w) => w.key === row.bucket)!;
            expect(week.firstDay <= day && day <= week.lastDay).toBe(true);
          }
        }
      }),
    );
  });

  it('adds up: weeks and overdue to the total, auto-renew and need action to each count', () => {
    fc.assert(
      fc.property(scenario, ([q, items]) => {
        const f = forecastOf(items, q);
        const inBuckets = f.overdue.count + f.weeks.reduce((sum, w) => sum + w.count, 0);
        expect(inBuckets).toBe(f.rows.length);
        expect(f.total.count).toBe(f.rows.length);
        expect(f.overdue.count).toBe(f.rows.filter((r) => r.bucket === OVERDUE).length);
        for (const w of f.weeks) expect(w.count).toBe(f.rows.filter((r) => r.bucket === w.key).length);
        expect(
          [f.total, f.overdue, ...f.weeks, ...f.topCustomers, ...f.productLines].every(countsAddUp),
        ).toBe(true);
        expect(f.total.autoRenew).toBe(f.rows.filter((r) => r.autoRenew).length);
        expect(f.productLines.reduce((sum, p) => sum + p.count, 0)).toBe(f.rows.length);
      }),
    );
  });

  it('runs the weeks without a gap from the week of today to the week of the last day', () => {
    fc.assert(
      fc.property(query, (q) => {
        const { weeks } = forecastOf([], q);
        const today = localDate(q.now, q.timeZone);
        const lastDay = addDaysToDate(today, q.days);
        expect(weeks[0]!.firstDay <= today && today <= weeks[0]!.lastDay).toBe(true);
        expect(weeks.at(-1)!.firstDay <= lastDay && lastDay <= weeks.at(-1)!.lastDay).toBe(true);
        for (let i = 1; i < weeks.length; i++) {
          expect(daysBetweenDates(weeks[i]!.firstDay, weeks[i - 1]!.firstDay)).toBe(7);
        }
      }),
    );
  });

  it('names the busiest customers, ties in name order, and counts them all', () => {
    fc.assert(
      fc.property(scenario, ([q, items]) => {
        const f = forecastOf(items, q);
        const byCustomer = new Map<string, number>();
        for (const r of f.rows) byCustomer.set(r.customer, (byCustomer.get(r.customer) ?? 0) + 1);
        const expected = [...byCustomer]
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
          .slice(0, TOP_CUSTOMERS);
        expect(f.topCustomers.map((c) => [c.customer, c.count])).toEqual(expected);
        expect(f.customerCount).toBe(byCustomer.size);
      }),
    );
  });
});

describe('buildForecast: weeks in the zone across a change of clocks', () => {
  // Europe/Berlin: summer time starts Sunday 2027-03-28 (UTC+1 → UTC+2), ends Sunday 2027-10-31.
  it.each([
    ['Sunday 23:30 in summer time', BERLIN_SPRING_NOW, Date.UTC(2027, 2, 28, 21, 30), '2027-W12', 4],
    ['Monday 00:30 in summer time', BERLIN_SPRING_NOW, Date.UTC(2027, 2, 28, 22, 30), '2027-W13', 5],
    ['the hour the clocks jumped (03:30)', BERLIN_SPRING_NOW, Date.UTC(2027, 2, 28, 1, 30), '2027-W12', 4],
    ['Sunday 23:30 in winter time', BERLIN_AUTUMN_NOW, Date.UTC(2027, 9, 31, 22, 30), '2027-W43', 4],
    ['Monday 00:30 in winter time', BERLIN_AUTUMN_NOW, Date.UTC(2027, 9, 31, 23, 30), '2027-W44', 5],
    ['the repeated hour (02:30, first time)', BERLIN_AUTUMN_NOW, Date.UTC(2027, 9, 31, 0, 30), '2027-W43', 4],
    [
      'the repeated hour (02:30, second time)',
      BERLIN_AUTUMN_NOW,
      Date.UTC(2027, 9, 31, 1, 30),
      '2027-W43',
      4,
    ],
  ])('%s', (_, now, expiresAt, week, daysLeft) => {
    const [row] = forecastOf([item({ expiresAt })], { now, days: 14 }).rows;
    expect([row!.bucket, row!.daysLeft]).toEqual([week, daysLeft]);
  });

  it('puts the same instant in different weeks in different zones', () => {
    const sundayEveningInNewYork = Date.UTC(2027, 2, 29, 1, 0); // Monday 03:00 in Berlin
    const items = [item({ expiresAt: sundayEveningInNewYork })];
    expect(forecastOf(items, { timeZone: 'America/New_York' }).rows[0]!.bucket).toBe('2027-W12');
    expect(forecastOf(items, { timeZone: BERLIN }).rows[0]!.bucket).toBe('2027-W13');
  });

  it('numbers weeks by the ISO week-numbering year at New Year', () => {
    const now = Date.UTC(2026, 11, 28, 12);
    const f = forecastOf(
      [
        item({ expiresAt: Date.UTC(2027, 0, 2, 12) }), // Saturday 2 January 2027: week 53 of 2026
        item({ expiresAt: Date.UTC(2027, 0, 4, 12), sn: 'B' }), // Monday 4 January: week 1 of 2027
      ],
      { now, days: 14, timeZone: 'UTC' },
    );
    expect(f.rows.map((r) => r.bucket)).toEqual(['2026-W53', '2027-W01']);
    expect(f.weeks.map((w) => [w.key, w.firstDay, w.lastDay])).toEqual([
      ['2026-W53', '2026-12-28', '2027-01-03'],
      ['2027-W01', '2027-01-04', '2027-01-10'],
      ['2027-W02', '2027-01-11', '2027-01-17'],
    ]);
  });
});

describe('buildForecast: window, filter, alerts', () => {
  it('counts today and the next `days` days, overdue before them, and an item due earlier today in this week', () => {
    const f = forecastOf(
      [
        item({ sn: 'overdue', expiresAt: BERLIN_SPRING_NOW - 2 * DAY }),
        item({ sn: 'this-morning', expiresAt: BERLIN_SPRING_NOW - 2 * HOUR }),
        item({ sn: 'last-day', expiresAt: BERLIN_SPRING_NOW + 7 * DAY }),
        item({ sn: 'too-late', expiresAt: BERLIN_SPRING_NOW + 8 * DAY }),
      ],
      { days: 7 },
    );
    expect(f.rows.map((r) => [r.sn, r.daysLeft, r.bucket])).toEqual([
      ['overdue', -2, OVERDUE],
      ['this-morning', 0, '2027-W12'],
      ['last-day', 7, '2027-W13'],
    ]);
    expect(f.overdue.count).toBe(1);
    expect([f.today, f.lastDay]).toEqual(['2027-03-24', '2027-03-31']);
    expect(f.weeks.map((w) => [w.key, w.count])).toEqual([
      ['2027-W12', 1],
      ['2027-W13', 1],
    ]);
  });

  it('filters customers by text in any case, undated counts included', () => {
    const items = [
      item({ customer: 'Acme Ltd' }),
      item({ customer: 'ACME Logistics', sn: 'B' }),
      item({ customer: 'Beacon School', sn: 'C' }),
    ];
    const undatedByCustomer = new Map([
      ['acme ltd', 2],
      ['Beacon School', 5],
    ]);
    const f = buildForecast(
      { items, undatedByCustomer },
      { now: BERLIN_SPRING_NOW, timeZone: BERLIN, days: 90, customer: '  aCmE ' },
    );
    expect(f.customerFilter).toBe('aCmE');
    expect(f.rows.map((r) => r.customer)).toEqual(['Acme Ltd', 'ACME Logistics']);
    expect(f.undated).toBe(2);
    const all = buildForecast(
      { items, undatedByCustomer },
      { now: BERLIN_SPRING_NOW, timeZone: BERLIN, days: 90 },
    );
    expect([all.customerFilter, all.rows.length, all.undated]).toEqual([null, 3, 7]);
  });

  it('marks each row with its instance alert, none when it has no alert', () => {
    const alerts = new Map<string, ForecastAlert>([
      ['13:A', { state: 'acknowledged', by: 'U123', at: BERLIN_SPRING_NOW - DAY }],
      ['9:A', { state: 'ordered', by: 'U456' }],
    ]);
    const items = [
      item({ sn: 'A', productId: '13' }),
      item({ sn: 'A', productId: '13', kind: 'service', name: 'Recording Minutes' }),
      item({ sn: 'A', productId: '9' }),
      item({ sn: 'B' }),
    ];
    expect(forecastOf(items, { alerts }).rows.map((r) => [r.productId, r.sn, r.kind, r.alert.state])).toEqual(
      [
        ['13', 'A', 'plan', 'acknowledged'],
        ['13', 'A', 'service', 'acknowledged'],
        ['9', 'A', 'plan', 'ordered'],
        ['13', 'B', 'plan', 'none'],
      ],
    );
  });

  it('says when the snapshot stops before the window ends', () => {
    const end = (f: Forecast) => f.windowEnd;
    const full = forecastOf([], { days: 7 });
    expect(forecastOf([], { days: 7, coversUntil: end(full) }).incomplete).toBe(false);
    expect(forecastOf([], { days: 7, coversUntil: end(full) - 1 }).incomplete).toBe(true);
    expect(full.incomplete).toBe(false);
  });

  it.each([-1, 1.5, Number.NaN])('refuses %s days', (days) => {
    expect(() => forecastOf([], { days })).toThrow(RangeError);
  });
});

describe('forecastAlertOf', () => {
  const record = {
    acknowledgedBy: null,
    acknowledgedAt: null,
    snoozedUntil: null,
    snoozedBy: null,
    resolvedAt: null,
  };
  const now = BERLIN_SPRING_NOW;

  it.each([
    ['an unanswered alert is open', record, { state: 'open' }],
    [
      'an acknowledged one says who and when',
      { ...record, acknowledgedBy: 'U1', acknowledgedAt: now - HOUR },
      { state: 'acknowledged', by: 'U1', at: now - HOUR },
    ],
    [
      'a running snooze wins over an acknowledgement',
      {
        ...record,
        acknowledgedBy: 'U1',
        acknowledgedAt: now - HOUR,
        snoozedBy: 'U2',
        snoozedUntil: now + DAY,
      },
      { state: 'snoozed', by: 'U2', until: now + DAY },
    ],
    [
      'a snooze that ended is open again',
      { ...record, snoozedBy: 'U2', snoozedUntil: now },
      { state: 'open' },
    ],
    [
      'a resolved alert is none',
      { ...record, acknowledgedBy: 'U1', resolvedAt: now - DAY },
      { state: 'none' },
    ],
  ])('%s', (_, input, expected) => {
    expect(forecastAlertOf(input, now)).toEqual(expected);
  });
});
