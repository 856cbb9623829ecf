import { readFileSync } from 'node:fs';

/**
 * This process's CPU split by thread, from Linux's counters: the whole process (every thread, those that
 * have exited included), its main thread (where the bot's JavaScript runs) and, when the transport has
 * one, its HTTP thread. What is left is V8's helper threads (mostly the optimizing compiler, then
 * garbage collection: a `perf` profile of a run) and libuv's pool.
 *
 * Every figure comes from the same counters, read one right after the other, the whole process last, so
 * the parts never add up to more than the whole. (A thread's event-loop busy time would not do: it is
 * wall time, and keeps counting while the thread waits for a core.)
 */

export type CpuSnapshot = {
  /** Every thread of the process, in seconds of CPU. */
  total: number;
  /** The kernel's share of `total`. */
  system: number;
  main: number;
  /** Zero when the process has no HTTP thread (or it has not said its id yet). */
  http: number;
};

export type CpuSplit = CpuSnapshot & {
  /** V8's and libuv's threads, and any thread that ended: `total` less the threads named. */
  rest: number;
};

/** Linux's clock ticks per second (`getconf CLK_TCK`), in which /proc counts CPU time. */
const TICKS_PER_SECOND = 100;

/** User and system seconds of /proc/self/stat or /proc/self/task/<tid>/stat; null when unreadable. */
function statSeconds(path: string): { user: number; system: number } | null {
  try {
    // Fields after the command name (which may hold spaces): state is the first, utime the 12th.
    const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ');
    const user = Number(fields?.[11]) / TICKS_PER_SECOND;
    const system = Number(fields?.[12]) / TICKS_PER_SECOND;
    return Number.isFinite(user) && Number.isFinite(system) ? { user, system } : null;
  } catch {
    return null;
  }
}

const sum = (s: { user: number; system: number } | null) => (s ? s.user + s.system : 0);

/** Null where /proc cannot be read (not Linux). */
export function cpuSnapshot(httpTid: number | undefined): CpuSnapshot | null {
  const main = statSeconds(`/proc/self/task/${process.pid}/stat`);
  // A thread that has ended has no file any more: its time is in the whole process's, counted as rest.
  const http = httpTid === undefined ? null : statSeconds(`/proc/self/task/${httpTid}/stat`);
  const whole = statSeconds('/proc/self/stat');
  if (!main || !whole) return null;
  return { total: sum(whole), system: whole.system, main: sum(main), http: sum(http) };
}

/** What each part used between two snapshots. */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuSplit {
  const total = after.total - before.total;
  const main = after.main - before.main;
  // An HTTP thread that started after `before` counts from zero.
  const http = Math.max(0, after.http - before.http);
  // Each counter is rounded down to a tick on its own, so the rest may read one or two ticks under zero.
  const rest = Math.max(0, total - main - http);
  return { total, system: after.system - before.system, main, http, rest };
}
