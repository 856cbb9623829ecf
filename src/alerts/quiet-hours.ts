import { tzOffset } from '@date-fns/tz';
import { stageRank } from './rules.js';
import type { Stage } from './types.js';

/**
 * A route's business hours: when its channel may be posted to for stages below `1d`. Written as
 * `Mon-Fri 08:00-18:00 Europe/Berlin`, `Mon,Wed 09:00-17:00 UTC`, or several windows separated by `;`
 * (`Mon-Fri 08:00-12:00; Mon-Fri 13:00-17:00; Sat 09:00-12:00 Europe/Berlin`). All windows share one IANA
 * time zone, written once (on any window, usually the last). Times are wall-clock times in that zone, so
 * 08:00 stays 08:00 across daylight-saving changes. A window ends before its end time (`18:00` is closed)
 * and may end at `24:00`; it may not cross midnight: write two windows instead.
 */

export type QuietHours = {
  windows: Array<{ days: number[] /* 0=Sun..6=Sat */; start: number /* minutes */; end: number }>;
  timeZone: string;
  source: string;
};

const MINUTE = 60_000;
const DAY = 86_400_000;

const DAY_NAMES: ReadonlyArray<readonly string[]> = [
  ['sun', 'sunday'],
  ['mon', 'monday'],
  ['tue', 'tues', 'tuesday'],
  ['wed', 'wednesday'],
  ['thu', 'thur', 'thurs', 'thursday'],
  ['fri', 'friday'],
  ['sat', 'saturday'],
];

const EXAMPLE = 'e.g. "Mon-Fri 08:00-18:00 Europe/Berlin"';

function dayNumber(word: string, source: string): number {
  const lower = word.trim().toLowerCase();
  const index = DAY_NAMES.findIndex((names) => names.includes(lower));
  if (index < 0) {
    throw new Error(
      `quiet hours "${source}": "${word}" is not a day (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)`,
    );
  }
  return index;
}

/** `Mon-Fri`, `Mon,Wed,Fri`, `Fri-Mon` (wraps over the weekend), `Sat`. */
function parseDays(text: string, source: string): number[] {
  const days = new Set<number>();
  for (const part of text.split(',')) {
    if (part.trim() === '') throw new Error(`quiet hours "${source}": empty day in "${text}"`);
    const range = part.split('-');
    if (range.length > 2) throw new Error(`quiet hours "${source}": "${part}" is not a day or a day range`);
    const first = dayNumber(range[0]!, source);
    const last = range.length === 2 ? dayNumber(range[1]!, source) : first;
    for (let d = first; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === last) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

function parseClock(text: string, source: string): number {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  if (!match || minutes > 59 || hours > 24 || (hours === 24 && minutes !== 0)) {
    throw new Error(`quiet hours "${source}": "${text}" is not a time of day (HH:MM, 00:00 to 24:00)`);
  }
  return hours * 60 + minutes;
}

function isTimeZone(text: string): boolean {
  if (!/^[A-Za-z]/.test(text)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: text });
    return true;
  } catch {
    return false;
  }
}

/** Throws an Error whose message quotes the input and says what is wrong with it. */
export function parseQuietHours(text: string): QuietHours {
  const source = text.replace(/\s+/g, ' ').trim();
  if (source === '') throw new Error(`quiet hours are empty: expected ${EXAMPLE}`);
  const windows: QuietHours['windows'] = [];
  let timeZone: string | null = null;
  for (const piece of source.split(';')) {
    const words = piece.trim().split(' ').filter(Boolean);
    if (words.length === 0) throw new Error(`quiet hours "${source}": empty window between ";"`);
    if (words.length < 2 || words.length > 3) {
      throw new Error(
        `quiet hours "${source}": "${piece.trim()}" is not "DAYS HH:MM-HH:MM [ZONE]", ${EXAMPLE}`,
      );
    }
    const [daysText, timesText, zone] = words as [string, string, string | undefined];
    if (/\d/.test(daysText)) {
      throw new Error(`quiet hours "${source}": "${piece.trim()}" has no days; start with days, ${EXAMPLE}`);
    }
    if (zone !== undefined) {
      if (!isTimeZone(zone)) {
        throw new Error(
          `quiet hours "${source}": "${zone}" is not an IANA time zone such as Europe/Berlin or UTC`,
        );
      }
      if (timeZone !== null && timeZone !== zone) {
        throw new Error(`quiet hours "${source}": one time zone per route, found ${timeZone} and ${zone}`);
      }
      timeZone = zone;
    }
    const times = timesText.split('-');
    if (times.length !== 2) {
      throw new Error(`quiet hours "${source}": "${timesText}" is not a time range such as 08:00-18:00`);
    }
    const start = parseClock(times[0]!, source);
    const end = parseClock(times[1]!, source);
    if (start === 1440) throw new Error(`quiet hours "${source}": a window cannot start at 24:00`);
    if (end <= start) {
      throw new Error(
        `quiet hours "${source}": "${timesText}" ends before it starts; windows crossing midnight are not ` +
          'supported, write two windows instead, e.g. "Mon-Fri 22:00-24:00; Tue-Sat 00:00-06:00 UTC"',
      );
    }
    windows.push({ days: parseDays(daysText, source), start, end });
  }
  if (timeZone === null) {
    throw new Error(`quiet hours "${source}": no time zone; end with an IANA zone, ${EXAMPLE}`);
  }
  return { windows, timeZone, source };
}

function offsetMs(timeZone: string, at: number): number {
  return tzOffset(timeZone, new Date(at)) * MINUTE;
}

/**
 * The first instant at or after `local` at which a window is open, on a "local epoch" (an epoch whose UTC
 * fields are the zone's wall-clock fields). Only valid while the offset stays the same.
 */
function nextOpenLocal(q: QuietHours, local: number): number {
  const dayStart = Math.floor(local / DAY) * DAY;
  const weekday = new Date(dayStart).getUTCDay();
  const minute = (local - dayStart) / MINUTE;
  let best = Number.POSITIVE_INFINITY;
  for (let d = 0; d <= 7; d++) {
    const day = (weekday + d) % 7;
    for (const w of q.windows) {
      if (!w.days.includes(day)) continue;
      if (d === 0 && minute >= w.start && minute < w.end) return local;
      const start = dayStart + d * DAY + w.start * MINUTE;
      if (start > local && start < best) best = start;
    }
  }
  return best;
}

export function isOpen(q: QuietHours, at: number): boolean {
  const local = at + offsetMs(q.timeZone, at);
  return nextOpenLocal(q, local) === local;
}

/** The first instant after `from` whose offset is not `offset` (`to` is known to differ). */
function firstOffsetChange(timeZone: string, offset: number, from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (offsetMs(timeZone, mid) === offset) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * `at` itself when open, else the first instant a window opens. Walks the timeline one UTC-offset
 * stretch at a time: within a stretch wall-clock time is linear, and at a daylight-saving change the
 * clock may jump into (or out of) a window, so the change instant itself is checked.
 */
export function nextOpening(q: QuietHours, at: number): number {
  let t = at;
  // Each loop crosses at most one offset change; a week holds a window, so a few dozen steps suffice.
  for (let step = 0; step < 64; step++) {
    const offset = offsetMs(q.timeZone, t);
    const local = t + offset;
    const candidate = nextOpenLocal(q, local) - offset;
    if (candidate === t) return t;
    if (!Number.isFinite(candidate)) break;
    if (offsetMs(q.timeZone, candidate) === offset) return candidate;
    t = firstOffsetChange(q.timeZone, offset, t, candidate);
    if (isOpen(q, t)) return t;
  }
  throw new Error(`quiet hours "${q.source}" never open after ${new Date(at).toISOString()}`);
}

/** Stages from `1d` on (and `expired`) are too urgent to wait for business hours. */
export function isUrgentStage(stage: Stage): boolean {
  return stageRank(stage) >= stageRank('1d');
}

/** When a post or reminder of `stage`, due at `at`, may go out to a route with quiet hours `q`. */
export function deliverAt(q: QuietHours | null, stage: Stage, at: number): number {
  if (q === null || isUrgentStage(stage)) return at;
  return nextOpening(q, at);
}
