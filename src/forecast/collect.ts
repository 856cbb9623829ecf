import type { Instance } from '../yeastar/types.js';
import { compareItems, type ForecastItem, forecastItemsOf, type InstanceForecast } from './items.js';
import type { ForecastSnapshot } from './snapshot.js';
import { assertDays, windowEnd } from './window.js';

/**
 * Gathers one cycle's forecast items into a snapshot. What it keeps: every item expiring within
 * `horizonDays` calendar days of `takenAt`'s day (in the time zone) and every overdue one, however old
 * (the contract lists overdue items); later items are dropped, since no command looks further than
 * the configured window. The caller picks the horizon: `FORECAST_DAYS` plus a margin for the days a
 * snapshot may age before the next complete cycle replaces it; `coversUntil` tells readers where the
 * kept items end.
 */

export type SnapshotBuildOptions = {
  takenAt: number;
  timeZone: string;
  horizonDays: number;
  /** `PORTAL_URL`: the base every item's link is made from. */
  portalUrl: string;
};

export interface SnapshotBuilder {
  /** One instance as the client returned it, with the name of the product line it was listed under. */
  addInstance(instance: Instance, productLine: string): void;
  /** Items worked out elsewhere (`forecastItemsOf`), e.g. by the job that scanned a page. */
  add(forecast: InstanceForecast): void;
  build(): ForecastSnapshot;
}

export function createSnapshotBuilder(options: SnapshotBuildOptions): SnapshotBuilder {
  assertDays(options.horizonDays);
  const coversUntil = windowEnd(options.takenAt, options.timeZone, options.horizonDays);
  const items: ForecastItem[] = [];
  const undatedByCustomer = new Map<string, number>();
  const add = (forecast: InstanceForecast) => {
    for (const item of forecast.items) if (item.expiresAt < coversUntil) items.push(item);
    if (forecast.undated > 0) {
      undatedByCustomer.set(
        forecast.customer,
        (undatedByCustomer.get(forecast.customer) ?? 0) + forecast.undated,
      );
    }
  };
  return {
    add,
    addInstance(instance, productLine) {
      add(forecastItemsOf(instance, productLine, options.portalUrl));
    },
    build() {
      return {
        takenAt: options.takenAt,
        coversUntil,
        horizonDays: options.horizonDays,
        portalUrl: options.portalUrl,
        items: [...items].sort(compareItems),
        undatedByCustomer: new Map(undatedByCustomer),
      };
    },
  };
}
