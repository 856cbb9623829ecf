/**
 * A counting semaphore: at most `max` tasks run at once, the rest wait in arrival order. A finishing
 * task hands its slot straight to the next waiter, so a newcomer can never slip in between and push
 * the count over `max`.
 */
export type Limiter = {
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly waiting: number;
  /**
   * Slot-milliseconds no task held since the limiter was made (each free slot counts its own time):
   * divided by `max`, how long the whole concurrency was left unused.
   */
  idleMs(): number;
};

/** `now` is a monotonic clock in milliseconds (tests hand in their own). */
export function createLimiter(max: number, now: () => number = () => performance.now()): Limiter {
  if (!Number.isInteger(max) || max < 1)
    throw new RangeError(`concurrency must be a whole number >= 1, got ${max}`);
  let active = 0;
  const queue: Array<() => void> = [];
  let idle = 0;
  let since = now();
  // Brings the idle total up to now; called before `active` changes.
  const account = () => {
    const at = now();
    idle += (max - active) * (at - since);
    since = at;
  };
  return {
    async run(task) {
      if (active < max) {
        account();
        active++;
      } else await new Promise<void>((resolve) => queue.push(resolve));
      try {
        return await task();
      } finally {
        const next = queue.shift();
        if (next) next();
        else {
          account();
          active--;
        }
      }
    },
    idleMs() {
      account();
      return idle;
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}
