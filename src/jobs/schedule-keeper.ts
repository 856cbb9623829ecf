import type { Queue } from 'bullmq';
import type { Logger } from '../logger.js';

/**
 * The poll schedule lives in Redis, with everything else: a Redis that lost its data (a FLUSHALL, a
 * failover without persistence) would leave `npm start` running with no cycle ever again. So the process
 * looks for its scheduler now and then and upserts it again when it is gone; the next cycle then finds the
 * alert index missing and rebuilds it from Slack (rebuild.ts) before it posts anything.
 */
export function keepSchedule(options: {
  queue: Queue;
  schedulerId: string;
  upsert: () => Promise<unknown>;
  everyMs: number;
  logger: Logger;
}): () => void {
  const { queue, schedulerId, upsert, everyMs, logger } = options;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      try {
        if (await queue.getJobScheduler(schedulerId)) return;
        logger.warn('poll schedule missing from Redis (data lost?): set again');
        await upsert();
      } catch (error) {
        // Redis down: the link reports it; the next tick tries again.
        logger.debug({ err: error }, 'schedule check failed');
      } finally {
        busy = false;
      }
    })();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
