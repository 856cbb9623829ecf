import type { Redis } from 'ioredis';
import type { AlertStore } from '../alerts/types.js';
import { type ForecastAlert, forecastAlertOf } from './alert-state.js';
import { buildForecast, type Forecast } from './model.js';
import type { ForecastSnapshot } from './snapshot.js';
import { createForecastStore } from './store.js';

/**
 * The forecast as every reader asks for it (the Slack commands, the weekly digest, the App Home,
 * `npm run forecast`): the last complete cycle's snapshot, the alerts' states as they are now, the model.
 * No API call.
 */

export type ForecastAnswer = { forecast: Forecast; snapshot: ForecastSnapshot };

export type ForecastReader = {
  /** null before the first complete cycle. */
  load(query: { days: number; customer?: string | null }): Promise<ForecastAnswer | null>;
};

const ALERT_PAGE = 1_000;

/** Every open alert's state, by alert key; an instance with none is "none". */
export async function alertStates(store: AlertStore, now: number): Promise<Map<string, ForecastAlert>> {
  const states = new Map<string, ForecastAlert>();
  for (let offset = 0; ; offset += ALERT_PAGE) {
    const { records } = await store.listOpen({ offset, limit: ALERT_PAGE });
    for (const record of records) states.set(record.alertKey, forecastAlertOf(record, now));
    if (records.length < ALERT_PAGE) return states;
  }
}

export function createForecastReader(deps: {
  redis: Redis;
  prefix: string;
  store: AlertStore;
  timeZone: string;
  clock: () => number;
}): ForecastReader {
  const snapshots = createForecastStore({ redis: deps.redis, prefix: deps.prefix });
  return {
    async load(query) {
      const snapshot = await snapshots.read();
      if (snapshot === null) return null;
      const now = deps.clock();
      const forecast = buildForecast(snapshot, {
        now,
        timeZone: deps.timeZone,
        days: query.days,
        customer: query.customer ?? null,
        alerts: await alertStates(deps.store, now),
        coversUntil: snapshot.coversUntil,
      });
      return { forecast, snapshot };
    },
  };
}
