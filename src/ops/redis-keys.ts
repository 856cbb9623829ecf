import type { Redis } from 'ioredis';

/**
 * Deletes every key matching `pattern` (a SCAN MATCH glob such as `yeastar-demo-1a2b:*`), in batches, and
 * returns how many went. The demo, the benchmark and the tests clean up only what they made with it:
 * never FLUSHALL on a Redis someone else may use.
 */
export async function deleteKeysMatching(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
