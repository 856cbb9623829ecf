/**
 * How a process ends: promptly, with its exit code, whatever is still open. Commands close what they
 * opened; these are the bounds around that, so a connection that never answers, a job that never ends
 * or a handle nobody closed cannot keep a cron job, a CI step or a supervisor waiting.
 */

let abandoned = false;

/**
 * Says that a stop gave up on what was in hand (Redis gone, or the grace period over). BullMQ's workers
 * then still wait for Redis with timers of their own, which nothing else would end: the process exits
 * as soon as the command returned (`exitGuardMs`).
 */
export function abandonWork(): void {
  abandoned = true;
}

/** How long after its command the process may still run: a moment, or none once work was abandoned. */
export function exitGuardMs(): number {
  return abandoned ? 100 : 2_000;
}

/**
 * Exits with `code()` if the process is still alive `ms` from now. The timer is unref'd: a process
 * whose handles are all closed ends by itself before it fires; it fires only for a forgotten one.
 */
export function armExitGuard(ms: number, code: () => number): void {
  setTimeout(() => process.exit(code()), ms).unref();
}

/**
 * Resolves `true` when `work` settles within `ms`, `false` when it does not, or when `giveUp` resolves
 * first (Redis gone: nothing in hand can finish or be handed back without it). `work` keeps running.
 */
export async function settlesWithin(
  work: Promise<unknown>,
  ms: number,
  giveUp: Promise<unknown> = new Promise(() => {}),
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = work.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, late, giveUp.then(() => false)]);
  } finally {
    clearTimeout(timer);
  }
}

export type StopSignals = {
  /** The first SIGTERM or SIGINT. */
  received: Promise<NodeJS.Signals>;
  /** Stops listening (the command ended without a signal). */
  dispose(): void;
};

/**
 * Waits for SIGTERM/SIGINT. The first starts the command's own stop; a second means "now": `onSecond`
 * says so in one line and the process exits 1 at once, with whatever was in hand left to the queue's
 * lock expiry (another process takes it over).
 */
export function stopSignals(onSecond: (signal: NodeJS.Signals) => void): StopSignals {
  let first: NodeJS.Signals | null = null;
  let resolveReceived: (signal: NodeJS.Signals) => void = () => {};
  const received = new Promise<NodeJS.Signals>((resolve) => {
    resolveReceived = resolve;
  });
  const handler = (signal: NodeJS.Signals) => {
    if (first === null) {
      first = signal;
      resolveReceived(signal);
      return;
    }
    onSecond(signal);
    process.exit(1);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    received,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
