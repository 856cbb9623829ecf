import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS, validateMessage } from '../../src/alerts/block-limits.js';
import type { ForecastAlert } from '../../src/forecast/alert-state.js';
import type { ForecastItem } from '../../src/forecast/items.js';
import { buildForecast, type Forecast } from '../../src/forecast/model.js';
import { renderForecastDigest } from '../../src/forecast/render-digest.js';
import { forecastLine } from '../../src/forecast/render-parts.js';
import {
  HOME_STRIP_WEEKS,
  renderForecastHomeStrip,
  renderForecastSummary,
} from '../../src/forecast/render-slack.js';
import { renderForecastText } from '../../src/forecast/render-text.js';
import { BERLIN_SPRING_NOW, DAY, HOUR, item } from './fixtures.js';

const BERLIN = 'Europe/Berlin';
const NOW = BERLIN_SPRING_NOW; // Wednesday 2027-03-24 10:00 in Berlin, ISO week 12

function forecastOf(
  items: ForecastItem[],
  query: Partial<Parameters<typeof buildForecast>[1]> = {},
  undated = new Map<string, number>(),
): Forecast {
  return buildForecast(
    { items, undatedByCustomer: undated },
    { now: NOW, timeZone: BERLIN, days: 90, ...query },
  );
}

function textOf(blocks: unknown[]): string {
  return JSON.stringify(blocks);
}

/** 5,000 items over a year and a few weeks overdue: long, escaping-hungry names, 700 customers. */
function bigForecast(): Forecast {
  const long = (base: string, i: number) => `${base} <&> ${i} `.repeat(30);
  const alerts = new Map<string, ForecastAlert>();
  const items = Array.from({ length: 5_000 }, (_, i) => {
    const sn = `3658B43${String(i).padStart(9, '0')}`;
    if (i % 3 === 0) alerts.set(`13:${sn}`, { state: 'snoozed', by: 'U0123456789', until: NOW + 3 * DAY });
    return item({
      sn,
      customer: long('Customer, "quoted"', i % 700),
      name: long('Plan name', i % 40),
      productLine: long('Line', i % 9),
      kind: i % 2 === 0 ? 'plan' : 'service',
      expiresAt: NOW - 20 * DAY + Math.floor((i * 386 * DAY) / 5_000),
      autoRenew: i % 4 === 0,
    });
  });
  return forecastOf(items, { days: 366, alerts }, new Map([['x', 12]]));
}

describe('forecast renderings stay inside Block Kit limits', () => {
  const big = bigForecast();

  it('the slash command summary', () => {
    const message = renderForecastSummary(big, { takenAt: NOW - HOUR });
    expect(validateMessage(message)).toEqual([]);
    const weekLines = textOf(message.blocks).match(/• 20\d\d-W\d\d · /g) ?? [];
    expect(weekLines.length).toBe(big.weeks.length);
  });

  it('the weekly digest and every reply in its thread', () => {
    const digest = renderForecastDigest(big, { takenAt: NOW - HOUR });
    expect(validateMessage(digest.message)).toEqual([]);
    expect(digest.replies.length).toBe(big.weeks.filter((w) => w.count > 0).length + 1);
    for (const reply of digest.replies) expect(validateMessage(reply)).toEqual([]);
  });

  it('the App Home strip, a few blocks', () => {
    const blocks = renderForecastHomeStrip(big, { takenAt: NOW - HOUR });
    expect(validateMessage({ text: 'home', blocks })).toEqual([]);
    expect(blocks.length).toBeLessThanOrEqual(4);
  });

  it('a long week says how many renewals it could not show', () => {
    const digest = renderForecastDigest(big);
    const reply = digest.replies.find((r) => r.bucket === '2027-W20')!;
    const week = big.weeks.find((w) => w.key === '2027-W20')!;
    const text = reply.blocks.map((b) => (b as { text: { text: string } }).text.text).join('\n');
    const shown = text.split('\n').filter((l) => l.startsWith('• ')).length;
    const more = Number(/…and (\d+) more — `\/yeastar export 366` has every one/.exec(text)?.[1]);
    expect(shown).toBeGreaterThan(5);
    expect(shown + more).toBe(week.count);
    expect(text.length).toBeLessThanOrEqual(3 * SLACK_LIMITS.sectionText);
  });
});

describe('renderForecastSummary', () => {
  const items = [
    item({ sn: 'A', customer: 'Acme <Ltd> & Co', expiresAt: NOW - 3 * DAY }),
    item({ sn: 'B', customer: 'Acme <Ltd> & Co', expiresAt: NOW + 2 * DAY, autoRenew: true }),
    item({ sn: 'C', customer: 'Beacon School', expiresAt: NOW + 6 * DAY }),
    item({
      sn: 'D',
      customer: 'Beacon School',
      expiresAt: NOW + 6 * DAY,
      kind: 'service',
      name: 'Recording',
    }),
  ];

  it('counts per week with auto-renew and need action, overdue first, and the busiest customers', () => {
    const message = renderForecastSummary(forecastOf(items, { days: 14 }), { takenAt: NOW - HOUR });
    const text = textOf(message.blocks);
    expect(message.text).toBe(
      'Forecast: 3 renewals in the next 14 days, 1 auto-renew, 2 need action (1 overdue)',
    );
    expect(text).toContain('*3* renewals in the next 14 days: 1 renew by themselves, *2* need action.');
    expect(text).toContain('• *Overdue*: *1* renewal · 0 auto-renew · *1* need action');
    expect(text).toContain('• W12 · Mar 24 – Mar 28: *1* renewal · 1 auto-renew · *0* need action');
    expect(text).toContain('• W13 · Mar 29 – Apr 4: *2* renewals · 0 auto-renew · *2* need action');
    expect(text).toContain('• W14 · Apr 5 – Apr 7: none');
    expect(text).toContain('1. *Acme &lt;Ltd&gt; &amp; Co*: 2 (1 need action)');
    expect(text).toContain('2. *Beacon School*: 2 (2 need action)');
    expect(text).toContain(`From the last complete cycle, <!date^${Math.floor((NOW - HOUR) / 1000)}^`);
  });

  it('names the customer filter, counts undated items, and warns when the snapshot ends early', () => {
    const forecast = forecastOf(
      items,
      { customer: 'acme', coversUntil: NOW + DAY },
      new Map([['ACME x', 2]]),
    );
    const message = renderForecastSummary(forecast);
    const text = textOf(message.blocks);
    expect(text).toContain('Renewal forecast · next 90 days · “acme”');
    expect(text).toContain('2 plans or services without an expiry date are not listed.');
    expect(text).toContain('too old to cover the last days');
    expect(message.text).toContain('for customers matching "acme"');
  });

  it('says so when nothing is due', () => {
    const message = renderForecastSummary(forecastOf([]));
    expect(validateMessage(message)).toEqual([]);
    expect(textOf(message.blocks)).toContain('No renewals in the next 90 days.');
    expect(message.text).toBe('Forecast: 0 renewals in the next 90 days, 0 auto-renew, 0 need action');
  });
});

describe('renderForecastDigest', () => {
  it('posts one message and one reply per week with renewals, overdue first, each listing its renewals', () => {
    const alerts = new Map<string, ForecastAlert>([
      ['13:B', { state: 'acknowledged', by: 'U0ACK', at: NOW - DAY }],
      ['13:C', { state: 'ordered', by: 'U0ORDER' }],
    ]);
    const forecast = forecastOf(
      [
        item({ sn: 'A', expiresAt: NOW - 3 * DAY }),
        item({ sn: 'B', customer: 'Zeta', expiresAt: NOW + 6 * DAY }),
        item({ sn: 'C', customer: 'Alpha', expiresAt: NOW + 7 * DAY, autoRenew: true }),
      ],
      { days: 30, alerts },
    );
    const { message, replies } = renderForecastDigest(forecast);
    expect(textOf(message.blocks)).toContain('Weekly renewal forecast · 2027-W12');
    expect(textOf(message.blocks)).toContain('in the thread of this message');
    expect(replies.map((r) => [r.bucket, r.text])).toEqual([
      ['overdue', 'Overdue: 1 renewal · 0 auto-renew · 1 need action'],
      ['2027-W13', 'W13 · Mar 29 – Apr 4: 2 renewals · 1 auto-renew · 1 need action'],
    ]);
    const week = (replies[1]!.blocks[0] as { text: { text: string } }).text.text.split('\n');
    expect(week[1]).toMatch(
      /^• \*Alpha\* — Ultimate Plan \(plan\) · `C` · <!date\^\d+\^\{date_short_pretty\}\|[^>]+> · auto-renew · renewal ordered by <@U0ORDER>$/,
    );
    expect(week[2]).toMatch(
      /^• \*Zeta\* — Ultimate Plan \(plan\) · `B` · <!date.+> · \*needs action\* · acknowledged by <@U0ACK>$/,
    );
  });

  it('has no replies when nothing is due', () => {
    expect(renderForecastDigest(forecastOf([])).replies).toEqual([]);
  });
});

describe('renderForecastHomeStrip', () => {
  it('shows this week and the next eleven, the overdue count above them', () => {
    const forecast = forecastOf([
      item({ expiresAt: NOW - DAY }),
      item({ sn: 'B', expiresAt: NOW + 40 * DAY }),
    ]);
    const section = (renderForecastHomeStrip(forecast)[1] as { text: { text: string } }).text.text;
    const weekLines = section.split('\n').filter((l) => /^• W\d\d/.test(l));
    expect(weekLines.length).toBe(HOME_STRIP_WEEKS);
    expect(weekLines[0]).toBe('• W12 · Mar 24 – Mar 28: none');
    expect(section).toContain('• *Overdue*: *1* renewal');
    expect(section).toContain('• W18 · May 3 – May 9: *1* renewal');
  });
});

describe('renderForecastText', () => {
  it('prints the counts in columns, without control characters from the names', () => {
    const forecast = forecastOf(
      [
        item({ sn: 'A', customer: 'Acme\u001b[31m Ltd', expiresAt: NOW - 3 * DAY }),
        item({ sn: 'B', customer: 'Beacon\nSchool', expiresAt: NOW + 6 * DAY, autoRenew: true }),
      ],
      { days: 10 },
      new Map([['Acme\u001b[31m Ltd', 1]]),
    );
    expect(renderForecastText(forecast, { takenAt: NOW - HOUR })).toBe(
      [
        'Renewal forecast: next 10 days in Europe/Berlin, from the cycle of 2027-03-24 09:00 Europe/Berlin',
        '  1 renewals: 1 auto-renew, 0 need action',
        '  1 overdue, 1 of them without auto-renewal',
        '  1 plan or service without an expiry date is not listed',
        '',
        '  Week                        Renewals  Auto-renew Need action',
        '  Overdue                            1           0           1',
        '  W12 · Mar 24 – Mar 28              0           0           0',
        '  W13 · Mar 29 – Apr 3               1           1           0',
        '',
        '  Customers with the most renewals',
        '    1. Acme [31m Ltd                                1 (1 need action)',
        '    2. Beacon School                                1 (0 need action)',
        '',
        '  Product lines',
        '       P-Series Cloud Edition                       2 (1 need action)',
        '',
        'Forecast: 1 renewal in the next 10 days, 1 auto-renew, 0 need action (1 overdue, 1 without an expiry date)',
      ].join('\n'),
    );
  });

  it('gives the demo its one line', () => {
    const forecast = forecastOf([item(), item({ sn: 'B', autoRenew: true })]);
    expect(forecastLine(forecast)).toBe(
      'Forecast: 2 renewals in the next 90 days, 1 auto-renew, 1 need action',
    );
  });
});
