import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeysMatching } from '../../src/ops/redis-keys.js';

/** The Redis the tests use: `TEST_REDIS_URL`, else `REDIS_URL`, else the local default. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run shares: every key a test makes starts with it. */
export function uniquePrefix(label = 'test'): string {
  return `t-${label}-${randomBytes(5).toString('hex')}`;
}

export function connectRedis(): Redis {
  return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false });
}

/** Every key matching a SCAN glob, e.g. `${prefix}*`: for tests that check what was left behind. */
export async function listKeys(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/** Deletes every key under `prefix` (and only those): tests never FLUSHALL a shared server. */
export function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  return deleteKeysMatching(redis, `${prefix}*`);
}

/** A connection and a prefix for one test file, cleaned up by `close()`. */
export async function redisFixture(
  label?: string,
): Promise<{ redis: Redis; prefix: string; close: () => Promise<void> }> {
  const redis = connectRedis();
  const prefix = uniquePrefix(label);
  return {
    redis,
    prefix,
    close: async () => {
      await deleteKeys(redis, prefix);
      await redis.quit();
    },
  };
}
