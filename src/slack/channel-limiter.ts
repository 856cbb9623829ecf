import type { Redis } from 'ioredis';
import { defineScript } from '../util/redis-script.js';

/**
 * Slack allows about one message per second per channel with short bursts. A token bucket per channel in
 * Redis, shared by every worker of every process, keeps us under it; a 429 pauses the channel for the
 * `Retry-After` Slack gave. Time is Redis's own (TIME): it is one clock for all processes, and it moves
 * even when the bot's injected clock is frozen in tests.
 */

/*
 * KEYS: bucket hash, pause key. ARGV: tokens per second, burst.
 * Returns 0 when a token was taken, else the milliseconds to wait before trying again.
 */
const TAKE_LUA = `
local pause = redis.call('PTTL', KEYS[2])
if pause > 0 then return pause end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 60000)
return wait
`;

export type ChannelLimiter = {
  /** 0 when the caller may post to `channel` now; otherwise milliseconds to wait. */
  take(channel: string): Promise<number>;
  /** Slack said 429: nobody posts to `channel` for `ms`. */
  pause(channel: string, ms: number): Promise<void>;
};

export function createChannelLimiter(deps: {
  redis: Redis;
  prefix: string;
  postsPerSecond: number;
  burst: number;
}): ChannelLimiter {
  const bucket = (channel: string) => `${deps.prefix}:slack:bucket:${channel}`;
  const pauseKey = (channel: string) => `${deps.prefix}:slack:pause:${channel}`;
  const takeToken = defineScript(deps.redis, 'slackTakeToken', TAKE_LUA);
  return {
    async take(channel) {
      const wait = await takeToken([bucket(channel), pauseKey(channel)], [deps.postsPerSecond, deps.burst]);
      return Number(wait);
    },
    async pause(channel, ms) {
      if (ms > 0) await deps.redis.set(pauseKey(channel), '1', 'PX', Math.ceil(ms));
    },
  };
}
