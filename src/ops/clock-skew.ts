import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';

/**
 * How far Redis's clock is from the bot's. Keys expire on Redis's clock while the bot decides what is due
 * on its own (src/clock.ts), and BullMQ's delayed jobs are promoted on the clock of whichever process looks:
 * with clocks apart, lifetimes and delays land early or late by that much.
 */

/** Above this, the start logs a warning: NTP keeps hosts within milliseconds, so seconds mean no NTP. */
export const CLOCK_SKEW_WARN_SECONDS = 3;

/**
 * Redis's `TIME` minus the bot's clock, in seconds (positive: Redis is ahead). The bot's side is the middle
 * of the round trip, so the figure is good to half a round trip.
 */
export async function measureClockSkew(redis: Redis, clock: Clock): Promise<number> {
  const sent = clock();
  const [seconds, micros] = await redis.time();
  const received = clock();
  const redisMs = Number(seconds) * 1000 + Number(micros) / 1000;
  return (redisMs - (sent + received) / 2) / 1000;
}

/** The start's check: one warning line when the clocks are seconds apart; the skew either way. */
export async function warnOnClockSkew(deps: { redis: Redis; clock: Clock; logger: Logger }): Promise<number> {
  const skew = await measureClockSkew(deps.redis, deps.clock);
  if (Math.abs(skew) > CLOCK_SKEW_WARN_SECONDS) {
    deps.logger.warn(
      { clockSkewSeconds: Number(skew.toFixed(3)) },
      `this host's clock and Redis's are ${Math.abs(skew).toFixed(1)} s apart: key lifetimes and job delays ` +
        'will be off by as much; synchronise both hosts with NTP',
    );
  }
  return skew;
}
