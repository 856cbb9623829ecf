import type { Redis } from 'ioredis';
import { type Clock, lifetimeUntil } from '../clock.js';

/**
 * Posts held for a route's quiet hours all go out at its opening: a night's worth of new alerts would
 * flood the channel at 08:00, which storm control exists to prevent. So the held posts of one channel
 * and one opening instant are registered together; at the opening, when there are more than
 * DIGEST_OVER of them, the first post to run puts one digest in the channel and every post goes in its
 * thread, exactly as a storm within a cycle does.
 *
 * Keys: `${prefix}:held:${channel}:${at}` (the set of alertKeys), `…:digest` (the digest's ts) and
 * `…:claim` (who is posting it). They expire a day after the opening, as a lifetime from the app's clock
 * (src/clock.ts): the opening is an instant on that clock, not on Redis's.
 */

const KEEP_AFTER_OPENING_MS = 86_400_000;
/** Long enough for one digest post; a claimer that died gives way after it. */
const CLAIM_MS = 60_000;

export type HeldBatch = {
  /** Registers held posts (idempotent: a cycle that finds them already queued adds nothing). */
  register(channel: string, at: number, alertKeys: string[]): Promise<void>;
  size(channel: string, at: number): Promise<number>;
  members(channel: string, at: number): Promise<string[]>;
  /** The ts of the batch's digest message, once posted. */
  digestTs(channel: string, at: number): Promise<string | null>;
  /** True for the one post that should put the digest up (again true for it when it retries). */
  claimDigest(channel: string, at: number, jobId: string): Promise<boolean>;
  recordDigest(channel: string, at: number, ts: string): Promise<void>;
};

export function createHeldBatch(deps: { redis: Redis; prefix: string; clock: Clock }): HeldBatch {
  const { redis, prefix, clock } = deps;
  const key = (channel: string, at: number) => `${prefix}:held:${channel}:${at}`;
  const lifetime = (at: number) => lifetimeUntil(at, clock(), KEEP_AFTER_OPENING_MS);
  return {
    async register(channel, at, alertKeys) {
      if (alertKeys.length === 0) return;
      await redis
        .multi()
        .sadd(key(channel, at), ...alertKeys)
        .pexpire(key(channel, at), lifetime(at))
        .exec();
    },
    size: (channel, at) => redis.scard(key(channel, at)),
    members: (channel, at) => redis.smembers(key(channel, at)),
    digestTs: (channel, at) => redis.get(`${key(channel, at)}:digest`),
    async claimDigest(channel, at, jobId) {
      const claim = `${key(channel, at)}:claim`;
      if ((await redis.set(claim, jobId, 'PX', CLAIM_MS, 'NX')) === 'OK') return true;
      return (await redis.get(claim)) === jobId;
    },
    async recordDigest(channel, at, ts) {
      await redis.set(`${key(channel, at)}:digest`, ts, 'PX', lifetime(at));
    },
  };
}

/** Held posts grouped by channel and opening instant, for `register`. */
export function heldGroups(
  posts: Array<{ data: { channel?: string; alertKey?: string; heldAt?: number } }>,
): Array<{ channel: string; at: number; alertKeys: string[] }> {
  const groups = new Map<string, { channel: string; at: number; alertKeys: string[] }>();
  for (const { data } of posts) {
    if (data.channel === undefined || data.alertKey === undefined || data.heldAt === undefined) continue;
    const id = `${data.channel}\n${data.heldAt}`;
    const group = groups.get(id) ?? { channel: data.channel, at: data.heldAt, alertKeys: [] };
    group.alertKeys.push(data.alertKey);
    groups.set(id, group);
  }
  return [...groups.values()];
}
