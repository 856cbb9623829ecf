import { alertKeyOf } from '../alerts/rules.js';
import { calendarDaysBetween } from '../util/calendar-days.js';
import { type ForecastAlert, NO_ALERT } from './alert-state.js';
import { compareItems, compareText, type ForecastItem } from './items.js';
import { type IsoWeek, localDate, weekKeys, weeksOfWindow } from './weeks.js';
import { assertDays, windowEnd } from './window.js';

/**
 * The renewal forecast: which items fall due from today to `days` calendar days ahead (in the time
 * zone), and which are already overdue, counted per ISO week, per customer and per product line. Pure:
 * the clock, the zone and the alerts' states come in.
 *
 * Overdue means a calendar day before today (days left negative). Such items go in one `overdue` bucket,
 * not in the weeks they fell in: the weeks run from the one holding today to the one holding the
 * window's last day, empty weeks included. An item due earlier today is in this week, with 0 days left.
 */

export const OVERDUE = 'overdue';
/** How many customers the summaries name. */
export const TOP_CUSTOMERS = 10;

export type ForecastQuery = {
  now: number;
  timeZone: string;
  /** `FORECAST_DAYS`, or the days a command asked for: today and this many days after it. */
  days: number;
  /** Only customers whose name holds this text, in any case; blank or absent: every customer. */
  customer?: string | null;
  /** By alert key (`productId:productNo`); an instance not in it has no alert (`none`). */
  alerts?: ReadonlyMap<string, ForecastAlert>;
  /** The snapshot's `coversUntil`: a window reaching past it is reported as incomplete. */
  coversUntil?: number | null;
};

export type ForecastRow = ForecastItem & {
  /** Calendar days from today to the expiry day, in the zone; negative when overdue. */
  daysLeft: number;
  /** `OVERDUE` or an ISO week key such as `2027-W01`. */
  bucket: string;
  alert: ForecastAlert;
};

export type Counts = { count: number; autoRenew: number; needAction: number };
export type WeekBucket = IsoWeek & Counts;
export type CustomerCount = Counts & { customer: string };
export type ProductLineCount = Counts & { productLine: string };

export type Forecast = {
  now: number;
  timeZone: string;
  days: number;
  /** The filter applied, trimmed; null when none. */
  customerFilter: string | null;
  /** The first instant after the window. */
  windowEnd: number;
  /** The window's first and last days, `yyyy-MM-dd` in the zone. */
  today: string;
  lastDay: string;
  /** Overdue and due items, in `compareItems` order (by expiry first). */
  rows: ForecastRow[];
  overdue: Counts;
  weeks: WeekBucket[];
  /** Overdue and due together. */
  total: Counts;
  /** The `TOP_CUSTOMERS` with the most items; ties in name order. */
  topCustomers: CustomerCount[];
  /** How many customers have items (named in `topCustomers` or not). */
  customerCount: number;
  /** Every product line with items, most items first; ties in name order. */
  productLines: ProductLineCount[];
  /** Plans and services without an expiry date (of the filtered customers). */
  undated: number;
  /** The snapshot stops before the window's end: the last days may lack items. */
  incomplete: boolean;
};

export type ForecastInput = {
  /** Every dated item of the last complete cycle (a snapshot's `items`). */
  items: readonly ForecastItem[];
  /** A snapshot's `undatedByCustomer`. */
  undatedByCustomer: ReadonlyMap<string, number>;
};

function zero(): Counts {
  return { count: 0, autoRenew: 0, needAction: 0 };
}

function tally(counts: Counts, row: ForecastRow): void {
  counts.count += 1;
  if (row.autoRenew) counts.autoRenew += 1;
  else counts.needAction += 1;
}

function customerMatcher(filter: string | null): (customer: string) => boolean {
  if (filter === null) return () => true;
  const needle = filter.toLowerCase();
  return (customer) => customer.toLowerCase().includes(needle);
}

function rowsOf(
  input: ForecastInput,
  query: ForecastQuery,
  end: number,
  matches: (customer: string) => boolean,
): ForecastRow[] {
  const weekKeyOf = weekKeys(query.timeZone);
  const rows: ForecastRow[] = [];
  for (const item of input.items) {
    // Before the window's end is the same as "at most `days` calendar days left", and cheaper to ask.
    if (!(item.expiresAt < end) || !matches(item.customer)) continue;
    const daysLeft = calendarDaysBetween(item.expiresAt, query.now, query.timeZone);
    // Spelled out, not spread: one object shape for every row, several times faster to build.
    rows.push({
      sn: item.sn,
      productId: item.productId,
      productLine: item.productLine,
      customer: item.customer,
      name: item.name,
      kind: item.kind,
      expiresAt: item.expiresAt,
      autoRenew: item.autoRenew,
      portalUrl: item.portalUrl,
      daysLeft,
      bucket: daysLeft < 0 ? OVERDUE : weekKeyOf(item.expiresAt),
      alert: query.alerts?.get(alertKeyOf(item.productId, item.sn)) ?? NO_ALERT,
    });
  }
  return rows.sort(compareItems);
}

/** Counts per key, most first, ties in key order. */
function ranked<K extends string>(
  rows: readonly ForecastRow[],
  keyOf: (row: ForecastRow) => string,
  field: K,
) {
  const byKey = new Map<string, Counts>();
  for (const row of rows) {
    const key = keyOf(row);
    let counts = byKey.get(key);
    if (!counts) {
      counts = zero();
      byKey.set(key, counts);
    }
    tally(counts, row);
  }
  return [...byKey]
    .sort((a, b) => b[1].count - a[1].count || compareText(a[0], b[0]))
    .map(([key, counts]) => ({ [field]: key, ...counts }) as Counts & Record<K, string>);
}

function bucketsOf(rows: readonly ForecastRow[], query: ForecastQuery) {
  const overdue = zero();
  const total = zero();
  const weeks: WeekBucket[] = weeksOfWindow(query.now, query.timeZone, query.days).map((w) => ({
    ...w,
    ...zero(),
  }));
  const byKey = new Map(weeks.map((w) => [w.key, w]));
  for (const row of rows) {
    tally(total, row);
    const bucket = row.bucket === OVERDUE ? overdue : byKey.get(row.bucket);
    // Unreachable: the weeks cover every day of the window. Said loudly rather than counted nowhere.
    if (!bucket) throw new Error(`forecast: ${row.bucket} is not a week of the window`);
    tally(bucket, row);
  }
  return { overdue, weeks, total };
}

function undatedOf(input: ForecastInput, matches: (customer: string) => boolean): number {
  let undated = 0;
  for (const [customer, count] of input.undatedByCustomer) if (matches(customer)) undated += count;
  return undated;
}

export function buildForecast(input: ForecastInput, query: ForecastQuery): Forecast {
  assertDays(query.days);
  const filter = query.customer?.trim() || null;
  const matches = customerMatcher(filter);
  const end = windowEnd(query.now, query.timeZone, query.days);
  const rows = rowsOf(input, query, end, matches);
  const customers = ranked(rows, (r) => r.customer, 'customer');
  return {
    now: query.now,
    timeZone: query.timeZone,
    days: query.days,
    customerFilter: filter,
    windowEnd: end,
    today: localDate(query.now, query.timeZone),
    lastDay: localDate(end - 1, query.timeZone),
    rows,
    ...bucketsOf(rows, query),
    topCustomers: customers.slice(0, TOP_CUSTOMERS),
    customerCount: customers.length,
    productLines: ranked(rows, (r) => r.productLine, 'productLine'),
    undated: undatedOf(input, matches),
    incomplete: query.coversUntil != null && end > query.coversUntil,
  };
}
