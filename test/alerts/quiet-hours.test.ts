import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deliverAt,
  isOpen,
  nextOpening,
  parseQuietHours,
  type QuietHours,
} from '../../src/alerts/quiet-hours.js';
import type { Stage } from '../../src/alerts/types.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();
const at = (text: string) => Date.parse(text);

const berlin = parseQuietHours('Mon-Fri 08:00-18:00 Europe/Berlin');

describe('parseQuietHours', () => {
  it.each<[string, QuietHours['windows'], string]>([
    [
      'Mon-Fri 08:00-18:00 Europe/Berlin',
      [{ days: [1, 2, 3, 4, 5], start: 480, end: 1080 }],
      'Europe/Berlin',
    ],
    ['Mon,Wed 09:00-17:00 UTC', [{ days: [1, 3], start: 540, end: 1020 }], 'UTC'],
    ['sat 9:30-12:00 utc', [{ days: [6], start: 570, end: 720 }], 'utc'],
    ['Fri-Mon 00:00-24:00 Asia/Tokyo', [{ days: [0, 1, 5, 6], start: 0, end: 1440 }], 'Asia/Tokyo'],
    ['Mon-Wed,Fri 08:00-12:00 UTC', [{ days: [1, 2, 3, 5], start: 480, end: 720 }], 'UTC'],
    [
      'Mon-Fri 08:00-12:00; Mon-Fri 13:00-17:00;  Sat 10:00-12:00   America/New_York',
      [
        { days: [1, 2, 3, 4, 5], start: 480, end: 720 },
        { days: [1, 2, 3, 4, 5], start: 780, end: 1020 },
        { days: [6], start: 600, end: 720 },
      ],
      'America/New_York',
    ],
    [
      'Monday 08:00-10:00 Europe/Berlin; Tuesday 09:00-10:00 Europe/Berlin',
      [
        { days: [1], start: 480, end: 600 },
        { days: [2], start: 540, end: 600 },
      ],
      'Europe/Berlin',
    ],
  ])('parses %j', (text, windows, timeZone) => {
    const q = parseQuietHours(text);
    expect(q.windows).toEqual(windows);
    expect(q.timeZone).toBe(timeZone);
    expect(q.source).toBe(text.replace(/\s+/g, ' ').trim());
  });

  it.each([
    ['', /empty/],
    ['Mon-Fri 08:00-18:00', /no time zone/],
    ['Mon-Fri 08:00-18:00 Mars/Olympus', /"Mars\/Olympus" is not an IANA time zone/],
    ['Mon-Fri 22:00-06:00 UTC', /crossing midnight are not supported/],
    ['Mon-Fri 08:00-08:00 UTC', /ends before it starts/],
    ['Mon-Fri 8-18 UTC', /"8-18" is not a time of day|not a time/],
    ['Mon-Fri 08:00-25:00 UTC', /"25:00" is not a time of day/],
    ['Mon-Fri 08:60-09:00 UTC', /"08:60" is not a time of day/],
    ['Mon-Fri 24:00-24:00 UTC', /cannot start at 24:00/],
    ['Mon-Fry 08:00-18:00 UTC', /"Fry" is not a day/],
    ['Mon,,Tue 08:00-18:00 UTC', /empty day/],
    ['Mon-Fri 08:00-18:00 UTC; ', /empty window/],
    ['Mon-Fri 08:00-18:00 UTC; Sat 09:00-12:00 Europe/Berlin', /one time zone per route/],
    ['08:00-18:00 UTC', /"08:00-18:00 UTC" has no days/],
    ['Mon-Fri', /not "DAYS HH:MM-HH:MM \[ZONE\]"/],
  ])('refuses %j', (text, message) => {
    expect(() => parseQuietHours(text)).toThrow(message);
  });
});

describe('isOpen', () => {
  it.each([
    ['2025-06-16T06:00:00Z', true, 'Monday 08:00 in Berlin (CEST): opens'],
    ['2025-06-16T05:59:59Z', false, 'Monday 07:59:59 in Berlin'],
    ['2025-06-16T15:59:59Z', true, 'Monday 17:59:59'],
    ['2025-06-16T16:00:00Z', false, 'Monday 18:00: the end time is closed'],
    ['2025-06-14T10:00:00Z', false, 'Saturday noon'],
    ['2025-01-13T07:00:00Z', true, 'Monday 08:00 in winter (CET)'],
    ['2025-01-13T06:30:00Z', false, 'Monday 07:30 in winter, 08:30 in UTC'],
  ])('%s → %s (%s)', (time, open) => {
    expect(isOpen(berlin, at(time))).toBe(open);
  });

  it('treats 24:00 as the end of the day', () => {
    const q = parseQuietHours('Sun 20:00-24:00 UTC');
    expect(isOpen(q, at('2025-06-15T23:59:59Z'))).toBe(true);
    expect(isOpen(q, at('2025-06-16T00:00:00Z'))).toBe(false);
  });
});

describe('nextOpening', () => {
  it.each([
    ['an alert on Friday evening waits for Monday 08:00', '2025-06-13T17:30:00Z', '2025-06-16T06:00:00.000Z'],
    ['Saturday waits for Monday', '2025-06-14T09:00:00Z', '2025-06-16T06:00:00.000Z'],
    ['early Tuesday waits for 08:00 that day', '2025-06-17T03:00:00Z', '2025-06-17T06:00:00.000Z'],
    ['open now: the same instant', '2025-06-17T10:11:12.345Z', '2025-06-17T10:11:12.345Z'],
    ['18:00 sharp waits for the next morning', '2025-06-17T16:00:00Z', '2025-06-18T06:00:00.000Z'],
    // Europe/Berlin switches to summer time on Sunday 30 March 2025: Monday 08:00 is then 06:00 UTC.
    ['Friday before spring DST → Monday 08:00 CEST', '2025-03-28T18:00:00Z', '2025-03-31T06:00:00.000Z'],
    // And back to winter time on Sunday 26 October 2025: Monday 08:00 is then 07:00 UTC.
    ['Friday before autumn DST → Monday 08:00 CET', '2025-10-24T17:00:00Z', '2025-10-27T07:00:00.000Z'],
  ])('%s', (_label, from, expected) => {
    expect(iso(nextOpening(berlin, at(from)))).toBe(expected);
  });

  it('opens when the clock jumps into a window that starts inside the skipped hour', () => {
    // 02:30 does not exist in Berlin on 30 March 2025: the window is open from 03:00 CEST (01:00 UTC).
    const q = parseQuietHours('Sun 02:30-04:00 Europe/Berlin');
    expect(iso(nextOpening(q, at('2025-03-29T12:00:00Z')))).toBe('2025-03-30T01:00:00.000Z');
  });

  it('skips a window that lies wholly inside the skipped hour, to the next week', () => {
    const q = parseQuietHours('Sun 02:15-02:45 Europe/Berlin');
    expect(iso(nextOpening(q, at('2025-03-29T12:00:00Z')))).toBe('2025-04-06T00:15:00.000Z');
  });

  it('opens twice on the night the clock goes back, once per occurrence of the hour', () => {
    const q = parseQuietHours('Sun 02:15-02:45 Europe/Berlin');
    // First 02:15 is CEST (00:15 UTC); after it closes, the repeated 02:15 CET (01:15 UTC) opens again.
    expect(iso(nextOpening(q, at('2025-10-25T12:00:00Z')))).toBe('2025-10-26T00:15:00.000Z');
    expect(iso(nextOpening(q, at('2025-10-26T00:50:00Z')))).toBe('2025-10-26T01:15:00.000Z');
  });

  it('respects several windows, taking the earliest', () => {
    const q = parseQuietHours('Mon-Fri 08:00-12:00; Mon-Fri 13:00-17:00 UTC');
    expect(iso(nextOpening(q, at('2025-06-16T12:30:00Z')))).toBe('2025-06-16T13:00:00.000Z');
    expect(iso(nextOpening(q, at('2025-06-16T17:30:00Z')))).toBe('2025-06-17T08:00:00.000Z');
  });
});

describe('deliverAt', () => {
  const fridayEvening = at('2025-06-13T17:30:00Z');
  const monday = at('2025-06-16T06:00:00Z');
  it.each<[Stage, number]>([
    ['30d', monday],
    ['14d', monday],
    ['7d', monday],
    ['3d', monday],
    ['2d', monday],
    ['switching', monday],
    ['1d', fridayEvening],
    ['expired', fridayEvening],
  ])('a %s alert due on Friday evening goes out at the right time', (stage, expected) => {
    expect(deliverAt(berlin, stage, fridayEvening)).toBe(expected);
  });

  it('delivers at once when the route has no quiet hours', () => {
    expect(deliverAt(null, '30d', fridayEvening)).toBe(fridayEvening);
  });
});

describe('quiet hours: properties', () => {
  const zones = [
    'UTC',
    'Europe/Berlin',
    'America/New_York',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'Pacific/Auckland',
  ];
  const windowArb = fc
    .record({
      days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
      start: fc.integer({ min: 0, max: 1439 }),
      length: fc.integer({ min: 1, max: 1440 }),
    })
    .map(({ days, start, length }) => ({
      days: [...days].sort((a, b) => a - b),
      start,
      end: Math.min(1440, start + length),
    }));
  const quietArb = fc
    .record({
      windows: fc.array(windowArb, { minLength: 1, maxLength: 3 }),
      timeZone: fc.constantFrom(...zones),
    })
    .map((q) => ({ ...q, source: 'generated' }));
  // Around the 2025 DST changes of the zones above, and any other time of the year.
  const timeArb = fc.oneof(
    fc.integer({ min: at('2025-01-01T00:00:00Z'), max: at('2026-01-01T00:00:00Z') }),
    fc
      .constantFrom(at('2025-03-28T00:00:00Z'), at('2025-10-24T00:00:00Z'), at('2025-04-04T00:00:00Z'))
      .chain((base) => fc.integer({ min: base, max: base + 4 * DAY })),
  );

  it('nextOpening is open, not before t, and no whole open minute lies between t and it', () => {
    fc.assert(
      fc.property(quietArb, timeArb, (q, t) => {
        const next = nextOpening(q, t);
        expect(next).toBeGreaterThanOrEqual(t);
        expect(isOpen(q, next)).toBe(true);
        if (next === t) return;
        // Openings fall on whole minutes, so checking each minute boundary in between finds any earlier one.
        for (let m = Math.ceil(t / MINUTE) * MINUTE; m < next; m += MINUTE) {
          if (isOpen(q, m)) throw new Error(`open at ${iso(m)} before ${iso(next)} (from ${iso(t)})`);
        }
        expect(isOpen(q, t)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('deliverAt never sends early and never holds back 1d or expired', () => {
    fc.assert(
      fc.property(
        quietArb,
        timeArb,
        fc.constantFrom<Stage>('30d', '7d', '3d', 'switching', '1d', 'expired'),
        (q, t, stage) => {
          const when = deliverAt(q, stage, t);
          if (stage === '1d' || stage === 'expired') expect(when).toBe(t);
          else expect(isOpen(q, when)).toBe(true);
          expect(when).toBeGreaterThanOrEqual(t);
          expect(when - t).toBeLessThanOrEqual(8 * DAY + 2 * HOUR);
        },
      ),
      { numRuns: 200 },
    );
  });
});
