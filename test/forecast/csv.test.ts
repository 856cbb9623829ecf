import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORECAST_CSV_COLUMNS, forecastCsv, spreadsheetText } from '../../src/forecast/csv.js';
import { isoFormatter, isoInZone } from '../../src/forecast/iso-time.js';
import { buildForecast, type ForecastRow } from '../../src/forecast/model.js';
import { arbItems, BERLIN_AUTUMN_NOW, BERLIN_SPRING_NOW, DAY, item } from './fixtures.js';

const BERLIN = 'Europe/Berlin';
const HEADER = 'sn,product_line,customer,item,kind,expires_at,days_left,auto_renew,alert_state,portal_url';

function readCsv(text: string): Array<Record<string, string>> {
  return parse(text, { bom: true, columns: true }) as Array<Record<string, string>>;
}

function rowsOf(items = [item()], timeZone = BERLIN, now = BERLIN_SPRING_NOW): ForecastRow[] {
  return buildForecast({ items, undatedByCustomer: new Map() }, { now, timeZone, days: 90 }).rows;
}

/** What a reader of the file should find for a row: the model's facts, as text. */
function expectedRecord(row: ForecastRow, timeZone: string): Record<string, string> {
  return {
    sn: row.sn,
    product_line: spreadsheetText(row.productLine),
    customer: spreadsheetText(row.customer),
    item: spreadsheetText(row.name),
    kind: row.kind,
    expires_at: isoInZone(row.expiresAt, timeZone),
    days_left: String(row.daysLeft),
    auto_renew: row.autoRenew ? 'yes' : 'no',
    alert_state: row.alert.state,
    portal_url: row.portalUrl,
  };
}

describe('forecastCsv', () => {
  it("starts with a byte order mark and the contract's header, records ending in CRLF", () => {
    const bytes = Buffer.from(forecastCsv(rowsOf(), BERLIN), 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.split('\r\n')[0]).toBe(HEADER);
    expect(FORECAST_CSV_COLUMNS.join(',')).toBe(HEADER);
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('writes one row as a spreadsheet shows it', () => {
    const expiresAt = Date.UTC(2027, 3, 5, 7, 0, 0); // 09:00 summer time in Berlin
    const text = forecastCsv(rowsOf([item({ expiresAt, autoRenew: true })]), BERLIN);
    expect(text.split('\r\n')[1]).toBe(
      '3658B4311196UZ4A,P-Series Cloud Edition,Acme Ltd,Ultimate Plan,plan,2027-04-05T09:00:00+02:00,12,yes,none,' +
        'https://partner.yeastar.com/?productId=13&productNo=3658B4311196UZ4A',
    );
  });

  it('quotes commas, quotes and every kind of line break, and keeps non-ASCII text', () => {
    const customers = [
      'Müller, Söhne & Co',
      'The "Best" Hotel',
      'Line\none',
      'Carriage\rreturn',
      'Both\r\nbreaks',
    ];
    const rows = rowsOf(customers.map((customer, i) => item({ customer, sn: `SN${i}` })));
    const text = forecastCsv(rows, BERLIN);
    expect(text).toContain(',"Müller, Söhne & Co",');
    expect(text).toContain(',"The ""Best"" Hotel",');
    expect(text).toContain(',"Line\none",');
    expect(text).toContain(',"Carriage\rreturn",');
    expect(text).toContain(',"Both\r\nbreaks",');
    expect(readCsv(text).map((r) => r.customer)).toEqual(customers);
  });

  it('writes names a spreadsheet would run as formulas as text, and keeps a negative days_left a number', () => {
    const customers = [
      '=HYPERLINK("http://x","y")',
      '+49 Telecom',
      '-minus',
      '@SUM(A1)',
      '\tTabbed',
      'Plain = fine',
    ];
    const rows = rowsOf(
      customers.map((customer, i) =>
        item({ customer, sn: `SN${i}`, expiresAt: BERLIN_SPRING_NOW - 3 * DAY }),
      ),
    );
    const records = readCsv(forecastCsv(rows, BERLIN));
    expect(records.map((r) => r.customer)).toEqual([
      `'=HYPERLINK("http://x","y")`,
      `'+49 Telecom`,
      `'-minus`,
      `'@SUM(A1)`,
      `'\tTabbed`,
      'Plain = fine',
    ]);
    for (const record of records) expect(record.days_left).toMatch(/^-\d+$/);
  });

  it('reads back, through a CSV parser, as exactly the rows of the model', () => {
    fc.assert(
      fc.property(
        arbItems(BERLIN_AUTUMN_NOW - 30 * DAY, 120, 30),
        fc.constantFrom(BERLIN, 'UTC', 'Asia/Kolkata', 'America/St_Johns'),
        (items, timeZone) => {
          const rows = rowsOf(items, timeZone, BERLIN_AUTUMN_NOW);
          const records = readCsv(forecastCsv(rows, timeZone));
          expect(records).toEqual(rows.map((row) => expectedRecord(row, timeZone)));
          for (const [i, record] of records.entries()) {
            expect(Date.parse(record.expires_at!)).toBe(Math.floor(rows[i]!.expiresAt / 1000) * 1000);
          }
        },
      ),
    );
  });

  it('writes only the header when nothing is due', () => {
    expect(forecastCsv([], BERLIN)).toBe(`\uFEFF${HEADER}\r\n`);
  });
});

const anyInstant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) });
/** The last week of March or October, when Europe's clocks change (and a few other zones' are near). */
const nearEuropeanClockChange = fc
  .record({
    year: fc.integer({ min: 2000, max: 2050 }),
    month: fc.constantFrom(2, 9),
    day: fc.integer({ min: 24, max: 31 }),
    minute: fc.integer({ min: 0, max: 24 * 60 - 1 }),
  })
  .map(({ year, month, day, minute }) => Date.UTC(year, month, day) + minute * 60_000 + 17_000);

describe('isoFormatter', () => {
  it.each([
    [BERLIN, Date.UTC(2027, 0, 4, 8, 0, 0), '2027-01-04T09:00:00+01:00'],
    [BERLIN, Date.UTC(2027, 2, 28, 0, 59, 59), '2027-03-28T01:59:59+01:00'],
    [BERLIN, Date.UTC(2027, 2, 28, 1, 0, 0), '2027-03-28T03:00:00+02:00'],
    [BERLIN, Date.UTC(2027, 9, 31, 0, 30, 0), '2027-10-31T02:30:00+02:00'],
    [BERLIN, Date.UTC(2027, 9, 31, 1, 30, 0), '2027-10-31T02:30:00+01:00'],
    ['UTC', Date.UTC(2027, 0, 4, 8, 0, 0), '2027-01-04T08:00:00+00:00'],
    ['Asia/Kolkata', Date.UTC(2027, 0, 4, 20, 0, 0), '2027-01-05T01:30:00+05:30'],
    ['Pacific/Chatham', Date.UTC(2027, 0, 4, 8, 0, 0), '2027-01-04T21:45:00+13:45'],
  ])('%s %d → %s', (zone, at, expected) => {
    expect(isoFormatter(zone)(at)).toBe(expected);
    expect(isoInZone(at, zone)).toBe(expected);
  });

  it('says what date-fns says, for any instant in any zone', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(BERLIN, 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'UTC'),
        fc.array(fc.oneof(anyInstant, nearEuropeanClockChange), { maxLength: 20 }),
        (zone, instants) => {
          const iso = isoFormatter(zone);
          for (const at of instants) expect(iso(at)).toBe(isoInZone(at, zone));
        },
      ),
    );
  });
});
