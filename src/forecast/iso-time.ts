import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { steadyOffsetMs } from '../util/calendar-days.js';

/**
 * ISO 8601 local time with its UTC offset in a time zone, to the second: `2027-01-04T09:00:00+01:00`
 * (`+00:00` for UTC, never `Z`, so every row reads alike).
 *
 * date-fns formats every instant of a day whose offset changes, and the offset text of every other day;
 * the wall-clock digits of a steady day are the UTC digits of the instant moved by that offset. An
 * export of tens of thousands of rows then takes a few ms instead of half a second (a TZDate per row
 * formats with Intl several times), with the same text: the tests compare the two.
 */
const PATTERN = "yyyy-MM-dd'T'HH:mm:ssxxx";

export function isoInZone(at: number, timeZone: string): string {
  return format(new TZDate(at, timeZone), PATTERN);
}

export function isoFormatter(timeZone: string): (at: number) => string {
  const offsetText = new Map<number, string>();
  return (at) => {
    const offset = steadyOffsetMs(at, timeZone);
    const wall = offset === null ? null : new Date(at + offset);
    // Years outside 0000–9999 have no four-digit form: date-fns says what it says.
    if (offset === null || wall === null || wall.getUTCFullYear() < 0 || wall.getUTCFullYear() > 9999) {
      return isoInZone(at, timeZone);
    }
    let suffix = offsetText.get(offset);
    if (suffix === undefined) {
      suffix = format(new TZDate(at, timeZone), 'xxx');
      offsetText.set(offset, suffix);
    }
    return wall.toISOString().slice(0, 19) + suffix;
  };
}
