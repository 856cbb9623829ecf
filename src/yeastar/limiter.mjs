// @ts-check
/**
 * A counting semaphore: at most `max` tasks run at once, the rest wait in arrival order, urgent ones
 * ahead of the others. A finishing task hands its slot straight to the next waiter, so a newcomer can
 * never slip in between and push the count over `max`.
 *
 * JavaScript with its types beside it (limiter.d.mts), not TypeScript: the HTTP worker thread
 * (http-worker.mjs) loads it, and Node 20 runs a worker's modules without tsx.
 *
 * @param {number} max
 * @returns {import('./limiter.d.mts').Limiter}
 */
export function createLimiter(max) {
  if (!Number.isInteger(max) || max < 1)
    throw new RangeError(`concurrency must be a whole number >= 1, got ${max}`);
  let active = 0;
  /** @type {Array<() => void>} */
  const queue = [];
  /** @type {Array<() => void>} */
  const urgentQueue = [];
  return {
    async run(task, urgent = false) {
      if (active < max) active++;
      else await new Promise((resolve) => (urgent ? urgentQueue : queue).push(() => resolve(undefined)));
      try {
        return await task();
      } finally {
        const next = urgentQueue.shift() ?? queue.shift();
        if (next) next();
        else active--;
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length + urgentQueue.length;
    },
  };
}
