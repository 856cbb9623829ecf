import type { Redis } from 'ioredis';
import type { RedisStatus } from './redis-connection.js';

/**
 * `GET /healthz`: healthy only when Redis answers and the last successful cycle is younger than twice
 * the poll interval. The answer says why when it is not, so an operator reading a 503 knows what to fix.
 */
export type HealthReport = {
  status: 'ok' | 'unhealthy';
  reasons: string[];
  lastSuccessfulCycleAt: number | null;
};

export type HealthCheck = () => Promise<{ statusCode: 200 | 503; report: HealthReport }>;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

function humanDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function createHealthCheck(deps: {
  redis: Redis;
  prefix: string;
  pollIntervalMs: number;
  clock?: () => number;
  timeoutMs?: number;
  /** The process's view of its Redis connections: while they are down, no PING is waited for. */
  redisStatus?: () => RedisStatus;
}): HealthCheck {
  const clock = deps.clock ?? Date.now;
  const timeoutMs = deps.timeoutMs ?? 1500;
  return async () => {
    const reasons: string[] = [];
    let lastSuccessfulCycleAt: number | null = null;
    const link = deps.redisStatus?.();
    if (link && !link.up) {
      const seconds = Math.round((Date.now() - link.since) / 1000);
      reasons.push(`redis: not answering for ${seconds} s (${link.reason})`);
      return { statusCode: 503, report: { status: 'unhealthy', reasons, lastSuccessfulCycleAt } };
    }
    try {
      const [pong, last] = await withTimeout(
        Promise.all([deps.redis.ping(), deps.redis.get(`${deps.prefix}:lastSuccessfulCycleAt`)]),
        timeoutMs,
      );
      if (pong !== 'PONG') reasons.push(`redis: unexpected answer to PING`);
      lastSuccessfulCycleAt = last === null ? null : Number(last);
      const maxAge = 2 * deps.pollIntervalMs;
      if (lastSuccessfulCycleAt === null || !Number.isFinite(lastSuccessfulCycleAt)) {
        reasons.push('no successful poll cycle yet');
        lastSuccessfulCycleAt = null;
      } else if (clock() - lastSuccessfulCycleAt > maxAge) {
        reasons.push(
          `last successful poll cycle ${humanDuration(clock() - lastSuccessfulCycleAt)} ago, older than twice the poll interval (${humanDuration(maxAge)})`,
        );
      }
    } catch (error) {
      reasons.push(`redis: not answering (${(error as Error).message})`);
    }
    const ok = reasons.length === 0;
    return {
      statusCode: ok ? 200 : 503,
      report: { status: ok ? 'ok' : 'unhealthy', reasons, lastSuccessfulCycleAt },
    };
  };
}
