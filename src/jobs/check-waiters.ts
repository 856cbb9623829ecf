import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { cycleKeys } from './cycle-state.js';
import { cycleIdOf } from './ids.js';

/**
 * The cycles `npm run check` asked for, and whether anyone still waits for them. A check adds its own
 * cycle job and waits for it; one that was killed leaves the job behind, and with one cycle at a time
 * the next check would run every such job one after another before its own (each a full cycle). A
 * check therefore says in Redis that it waits (a key with a short lifetime it renews), and the next
 * check drops the jobs nobody waits for that never started: its own fresh cycle does their work. A
 * cycle that did start is kept: it is finished first, so what it left (posts, a digest's thread) is
 * completed, and nothing is posted twice.
 */

/** How long a waiter's mark lives without renewal; renewed every third of it. */
export const WAITER_TTL_MS = 3_000;

export const CHECK_JOB_PREFIX = 'check-';

export type CheckWaiters = {
  /** Marks `jobId` as waited for until `release` is called (or the process dies). */
  hold(jobId: string): Promise<() => Promise<void>>;
  /**
   * Removes check cycles nobody waits for that never started; resolves with how many. A check killed a
   * moment ago still has its mark for up to WAITER_TTL_MS: a waiting check calls this again meanwhile,
   * at most once per `everyMs`.
   */
  dropAbandoned(everyMs?: number): Promise<number>;
};

export function createCheckWaiters(deps: {
  redis: Redis;
  prefix: string;
  queue: Queue;
  logger: Logger;
}): CheckWaiters {
  const { redis, prefix, queue, logger } = deps;
  const waiterKey = (jobId: string) => `${prefix}:check:waiting:${jobId}`;
  let lastDrop = Number.NEGATIVE_INFINITY;

  return {
    async hold(jobId) {
      const key = waiterKey(jobId);
      await redis.set(key, '1', 'PX', WAITER_TTL_MS);
      const renew = setInterval(() => {
        redis.pexpire(key, WAITER_TTL_MS).catch((error: unknown) => {
          logger.debug({ err: (error as Error).message }, 'check waiter renewal failed');
        });
      }, WAITER_TTL_MS / 3);
      renew.unref();
      return async () => {
        clearInterval(renew);
        await redis.del(key).catch((error: unknown) => {
          logger.debug({ err: (error as Error).message }, 'check waiter not removed; it expires by itself');
        });
      };
    },
    async dropAbandoned(everyMs = 0) {
      if (performance.now() - lastDrop < everyMs) return 0;
      lastDrop = performance.now();
      const jobs = await queue.getJobs(['wait', 'prioritized', 'delayed', 'paused']);
      let dropped = 0;
      for (const job of jobs) {
        const jobId = job?.id;
        if (!jobId?.startsWith(CHECK_JOB_PREFIX)) continue;
        const [waited, started] = await Promise.all([
          redis.exists(waiterKey(jobId)),
          redis.hexists(cycleKeys(prefix, cycleIdOf(jobId)).hash, 'startedAt'),
        ]);
        if (waited === 1 || started === 1) continue;
        try {
          await job.remove();
          dropped++;
        } catch (error) {
          // Taken by a worker since the listing: it runs, which is what it was queued for.
          logger.debug({ jobId, err: (error as Error).message }, 'abandoned check cycle not removed');
        }
      }
      if (dropped > 0) {
        logger.info(
          { dropped },
          'dropped cycles queued by checks that are gone; this check runs one fresh cycle',
        );
      }
      return dropped;
    },
  };
}
