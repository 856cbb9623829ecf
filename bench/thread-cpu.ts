import { readFileSync } from 'node:fs';

/**
 * This process's CPU split by thread, from Linux's counters: the whole process (every thread, those that
 * have exited included) and its main thread, where the bot's JavaScript runs. What is left is V8's helper
 * threads (mostly the optimizing compiler, then garbage collection: a `perf` profile of a run) and
 * libuv's pool.
 *
 * Both figures come from the same counters, read one right after the other, the whole process last, so
 * the part never comes out larger than the whole. (A thread's event-loop busy time would not do: it is
 * wall time, and keeps counting while the thread waits for a core.)
 */

export type CpuSnapshot = {
  /** Every thread of the process, in seconds of CPU. */
  total: number;
  /** The kernel's share of `total`. */
  system: number;
  main: number;
};

export type CpuSplit = CpuSnapshot & {
  /** V8's and libuv's threads, and any thread that ended: `total` less the main thread. */
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

/** Null where /proc cannot be read (not Linux). */
export function cpuSnapshot(): CpuSnapshot | null {
  const main = statSeconds(`/proc/self/task/${process.pid}/stat`);
  const whole = statSeconds('/proc/self/stat');
  if (!main || !whole) return null;
  return { total: whole.user + whole.system, system: whole.system, main: main.user + main.system };
}

/** What each part used between two snapshots. */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuSplit {
  const total = after.total - before.total;
  const main = after.main - before.main;
  // Each counter is rounded down to a tick on its own, so the rest may read a tick under zero.
  const rest = Math.max(0, total - main);
  return { total, system: after.system - before.system, main, rest };
}
