/**
 * A counting semaphore: at most `max` tasks run at once, the rest wait in arrival order. A finishing
 * task hands its slot straight to the next waiter, so a newcomer can never slip in between and push
 * the count over `max`.
 */
export type Limiter = {
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly waiting: number;
};

export function createLimiter(max: number): Limiter {
  if (!Number.isInteger(max) || max < 1)
    throw new RangeError(`concurrency must be a whole number >= 1, got ${max}`);
  let active = 0;
  const queue: Array<() => void> = [];
  return {
    async run(task) {
      if (active < max) active++;
      else await new Promise<void>((resolve) => queue.push(resolve));
      try {
        return await task();
      } finally {
        const next = queue.shift();
        if (next) next();
        else active--;
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}
