import { TZDate } from '@date-fns/tz';
import { addDays, startOfDay } from 'date-fns';

/**
 * The forecast's window, in calendar days of the time zone: today and the next `days` days. Its end is
 * the first instant after it (midnight starting day `days + 1`), worked out by date-fns so that a change
 * of offset inside the window moves it by the hour it should.
 */
export function windowEnd(now: number, timeZone: string, days: number): number {
  return startOfDay(addDays(new TZDate(now, timeZone), days + 1)).getTime();
}

/** A window length: a whole number of days, 0 (today only) or more. */
export function assertDays(days: number): void {
  if (!Number.isSafeInteger(days) || days < 0) {
    throw new RangeError(`forecast days must be a whole number of days, 0 or more (got ${days})`);
  }
}
