import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from './redis.js';

/** Fails the run at once, with the fix, when no Redis answers: integration tests need a real one. */
export default async function setup(): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `No Redis answers at ${TEST_REDIS_URL} (${(error as Error).message}). Start one (redis-server --port 6379) or set TEST_REDIS_URL; bash .ci/run does both.`,
    );
  } finally {
    redis.disconnect();
  }
}
