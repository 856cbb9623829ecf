import { createSnapshotBuilder } from '../forecast/collect.js';
import { encodeSnapshot } from '../forecast/snapshot.js';
import { createForecastStore, HORIZON_MARGIN_DAYS } from '../forecast/store.js';
import type { Logger } from '../logger.js';
import type { Instance } from '../yeastar/types.js';
import type { PipelineContext } from './context.js';
import { completeLines, productLinesOf } from './cycle-summary.js';

/**
 * The renewal forecast's side of a cycle: each scanned page leaves its forecast items in Redis with its
 * "done" (they are in hand there, and the pages of one cycle run in several processes), and the end of
 * a complete cycle joins them into the snapshot the forecast commands read. A cycle with a product line
 * that did not come back whole writes nothing: the last complete snapshot stays.
 */

/** The days a snapshot keeps: FORECAST_DAYS and a margin for its age. */
export function snapshotHorizonDays(ctx: Pick<PipelineContext, 'config'>): number {
  return ctx.config.forecast.days + HORIZON_MARGIN_DAYS;
}

/**
 * One page's part, which the page's `finish` stores with its "done" (cycle-state.ts). Its horizon is a
 * day longer, so a cycle that runs past midnight loses no day.
 */
export function forecastPart(
  ctx: Pick<PipelineContext, 'config'>,
  instances: readonly Instance[],
  productName: string,
  now: number,
): Buffer {
  const builder = createSnapshotBuilder({
    takenAt: now,
    timeZone: ctx.config.timeZone,
    horizonDays: snapshotHorizonDays(ctx) + 1,
    portalUrl: ctx.config.portalUrl,
  });
  for (const instance of instances) builder.addInstance(instance, productName);
  return encodeSnapshot(builder.build());
}

/**
 * At the end of a cycle, before its status says "done". Never fails the cycle: the alerts were posted;
 * a snapshot that could not be written leaves the previous one, and a log line says why.
 */
export async function commitForecastSnapshot(
  ctx: PipelineContext,
  cycleId: string,
  log: Logger,
): Promise<void> {
  try {
    const hash = await ctx.state.read(cycleId);
    const lines = productLinesOf(hash);
    const complete = completeLines(hash);
    if (complete.length !== lines.length) {
      log.warn(
        { complete: complete.length, productLines: lines.length },
        'forecast snapshot not written: the cycle did not read every product line whole',
      );
      return;
    }
    const store = createForecastStore({ redis: ctx.redis, prefix: ctx.config.queuePrefix });
    const result = await store.commit(cycleId, {
      takenAt: ctx.clock(),
      timeZone: ctx.config.timeZone,
      horizonDays: snapshotHorizonDays(ctx),
      portalUrl: ctx.config.portalUrl,
    });
    if (result.written) log.info({ items: result.items, bytes: result.bytes }, 'forecast snapshot written');
  } catch (error) {
    log.error({ err: error }, 'forecast snapshot not written');
  }
}
