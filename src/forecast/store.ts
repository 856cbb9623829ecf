import type { Redis } from 'ioredis';
import { createSnapshotBuilder } from './collect.js';
import { decodeSnapshot, encodeSnapshotAsync, type ForecastSnapshot } from './snapshot.js';

/**
 * Where the forecast lives in Redis, under the queue prefix. During a cycle every scanned page leaves
 * its items as a small snapshot of its own (one hash field per page job, so a retried page replaces its
 * part); once the cycle is complete they become the one snapshot that commands, the weekly digest, the
 * App Home and `npm run forecast` read. Lifetimes are relative (PEXPIRE); the snapshot itself has none:
 * it stays until the next complete cycle replaces it, and says its age.
 */

/** As long as a cycle's own bookkeeping (CYCLE_TTL_SECONDS): parts of a cycle that never ends go with it. */
export const PAGE_PARTS_TTL_MS = 86_400_000;
/**
 * Days kept past FORECAST_DAYS, so a snapshot that ages until the next complete cycle still covers
 * the window (a command on a week-old snapshot says when it does not).
 */
export const HORIZON_MARGIN_DAYS = 7;

export type ForecastKeys = { snapshot: string; snapshotCycle: string; pages: (cycleId: string) => string };

export function forecastKeys(prefix: string): ForecastKeys {
  return {
    snapshot: `${prefix}:forecast:snapshot`,
    // Which cycle wrote it: a retried end of cycle does not rebuild it from parts already dropped.
    snapshotCycle: `${prefix}:forecast:snapshot:cycle`,
    // The cycle's own key for them (cycleKeys().forecast): each page's `finish` writes its part there.
    pages: (cycleId) => `${prefix}:cycle:${cycleId}:forecast`,
  };
}

export type ForecastStore = {
  keys: ForecastKeys;
  /** One page's part of the cycle's snapshot, as a page's `finish` stores it (the benchmark uses this). */
  savePage(cycleId: string, pageId: string, part: Buffer): Promise<void>;
  /**
   * Joins the cycle's parts into the snapshot and stores it, dropping the parts; false when this cycle
   * wrote it already (a retried end of cycle).
   */
  commit(
    cycleId: string,
    options: { takenAt: number; timeZone: string; horizonDays: number; portalUrl: string },
  ): Promise<{ written: boolean; bytes: number; items: number }>;
  /** The last complete cycle's snapshot, or null before the first. */
  read(): Promise<ForecastSnapshot | null>;
};

export function createForecastStore(options: { redis: Redis; prefix: string }): ForecastStore {
  const { redis } = options;
  const keys = forecastKeys(options.prefix);
  let cached: { cycle: string; snapshot: ForecastSnapshot } | null = null;
  return {
    keys,
    async savePage(cycleId, pageId, part) {
      const key = keys.pages(cycleId);
      await redis.multi().hset(key, pageId, part).pexpire(key, PAGE_PARTS_TTL_MS).exec();
    },
    async commit(cycleId, build) {
      if ((await redis.get(keys.snapshotCycle)) === cycleId) return { written: false, bytes: 0, items: 0 };
      const parts = await redis.hvalsBuffer(keys.pages(cycleId));
      const snapshot = await joinParts(parts, build);
      const bytes = await encodeSnapshotAsync(snapshot);
      await redis
        .multi()
        .set(keys.snapshot, bytes)
        .set(keys.snapshotCycle, cycleId)
        .unlink(keys.pages(cycleId))
        .exec();
      return { written: true, bytes: bytes.length, items: snapshot.items.length };
    },
    async read() {
      // The App Home reads it on every open and click: a snapshot already decoded is not decoded again.
      const cycle = await redis.get(keys.snapshotCycle);
      if (cycle !== null && cached?.cycle === cycle) return cached.snapshot;
      const [[readError, bytes], [, writtenBy]] = (await redis
        .multi()
        .getBuffer(keys.snapshot)
        .get(keys.snapshotCycle)
        .exec()) as [[Error | null, Buffer | null], [Error | null, string | null]];
      if (readError) throw readError;
      if (bytes === null) return null;
      const snapshot = decodeSnapshot(bytes);
      cached = writtenBy === null ? null : { cycle: writtenBy, snapshot };
      return snapshot;
    },
  };
}

/** Parts decoded between two turns of the event loop: slash commands are acknowledged meanwhile. */
const PARTS_PER_TURN = 50;

/**
 * The parts as one snapshot. Each part was cut at its own page's horizon; the snapshot claims to cover
 * only as far as every part does.
 */
export async function joinParts(
  parts: readonly Buffer[],
  options: { takenAt: number; timeZone: string; horizonDays: number; portalUrl: string },
): Promise<ForecastSnapshot> {
  const builder = createSnapshotBuilder(options);
  let coversUntil = Number.POSITIVE_INFINITY;
  for (let i = 0; i < parts.length; i++) {
    if (i > 0 && i % PARTS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    const part = decodeSnapshot(parts[i]!);
    coversUntil = Math.min(coversUntil, part.coversUntil);
    builder.add({ customer: '', items: part.items, undated: 0 });
    for (const [customer, undated] of part.undatedByCustomer) builder.add({ customer, items: [], undated });
  }
  const snapshot = builder.build();
  return { ...snapshot, coversUntil: Math.min(snapshot.coversUntil, coversUntil) };
}
