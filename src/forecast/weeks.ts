import { TZDate } from '@date-fns/tz';
import {
  addDays,
  addWeeks,
  endOfISOWeek,
  format,
  getISOWeek,
  getISOWeekYear,
  startOfISOWeek,
} from 'date-fns';
import { localDayNumber } from '../util/calendar-days.js';

/** ISO weeks (Monday to Sunday, numbered in the ISO week-numbering year) on the calendar of a time zone. */

export type IsoWeek = {
  /** `2027-W01`: sorts in time order as text. */
  key: string;
  isoYear: number;
  isoWeek: number;
  /** Monday and Sunday of the week, `yyyy-MM-dd` in the zone. */
  firstDay: string;
  lastDay: string;
};

/** The calendar date `at` falls on in the zone, `yyyy-MM-dd`. */
export function localDate(at: number, timeZone: string): string {
  return format(new TZDate(at, timeZone), 'yyyy-MM-dd');
}

export function isoWeekOf(at: number, timeZone: string): IsoWeek {
  const date = new TZDate(at, timeZone);
  const isoYear = getISOWeekYear(date);
  const isoWeek = getISOWeek(date);
  return {
    key: `${isoYear}-W${String(isoWeek).padStart(2, '0')}`,
    isoYear,
    isoWeek,
    firstDay: format(startOfISOWeek(date), 'yyyy-MM-dd'),
    lastDay: format(endOfISOWeek(date), 'yyyy-MM-dd'),
  };
}

/**
 * `isoWeekOf(at).key`, remembered per calendar day of the zone: a forecast asks it for tens of thousands
 * of items spread over a few dozen days, and each answer formats dates with Intl.
 */
export function weekKeys(timeZone: string): (at: number) => string {
  const byDay = new Map<number, string>();
  return (at) => {
    const day = localDayNumber(at, timeZone);
    let key = byDay.get(day);
    if (key === undefined) {
      key = isoWeekOf(at, timeZone).key;
      byDay.set(day, key);
    }
    return key;
  };
}

/** Every ISO week that has a day from `now`'s day to `days` days later, in order. */
export function weeksOfWindow(now: number, timeZone: string, days: number): IsoWeek[] {
  const today = new TZDate(now, timeZone);
  const lastDay = addDays(today, days);
  const weeks: IsoWeek[] = [];
  for (let monday = startOfISOWeek(today); monday <= lastDay; monday = addWeeks(monday, 1)) {
    weeks.push(isoWeekOf(monday.getTime(), timeZone));
  }
  return weeks;
}
