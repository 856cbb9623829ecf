import type { Redis } from 'ioredis';
import type { AlertRecord, AlertStore } from '../alerts/types.js';
import { ledgerKey } from '../renew/ledger.js';
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

/**
 * Every open alert's state, by alert key; an instance with none is "none". With `orders` (Redis and the
 * key prefix), an alert whose current stage has a renewal order placed from Slack (src/renew/ledger.ts:
 * in flight or succeeded; a failed or cancelled one is released) is `ordered`, whoever acknowledged it.
 */
export async function alertStates(
  store: AlertStore,
  now: number,
  orders?: { redis: Redis; prefix: string },
): Promise<Map<string, ForecastAlert>> {
  const states = new Map<string, ForecastAlert>();
  for (let offset = 0; ; offset += ALERT_PAGE) {
    const { records } = await store.listOpen({ offset, limit: ALERT_PAGE });
    for (const record of records) states.set(record.alertKey, forecastAlertOf(record, now));
    if (orders) await markOrdered(states, records, orders);
    if (records.length < ALERT_PAGE) return states;
  }
}

async function markOrdered(
  states: Map<string, ForecastAlert>,
  records: readonly AlertRecord[],
  { redis, prefix }: { redis: Redis; prefix: string },
): Promise<void> {
  const staged = records.filter((record) => record.stage);
  if (staged.length === 0) return;
  const entries = await redis.mget(staged.map((record) => ledgerKey(prefix, record.alertKey, record.stage!)));
  staged.forEach((record, i) => {
    const order = orderedBy(entries[i] ?? null);
    if (order) states.set(record.alertKey, { state: 'ordered', by: order.by, at: order.at });
  });
}

/** Who placed the order a ledger entry records; null for none, or one still awaiting its approver. */
function orderedBy(raw: string | null): { by: string; at: number | null } | null {
  if (raw === null) return null;
  try {
    const entry = JSON.parse(raw) as { state?: unknown; by?: unknown; at?: unknown };
    if (entry.state === 'awaiting_approval' || typeof entry.by !== 'string') return null;
    return { by: entry.by, at: typeof entry.at === 'number' ? entry.at : null };
  } catch {
    // A record we cannot read says nothing about an order; the alert keeps its own state.
    return null;
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
        alerts: await alertStates(deps.store, now, { redis: deps.redis, prefix: deps.prefix }),
        coversUntil: snapshot.coversUntil,
      });
      return { forecast, snapshot };
    },
  };
}
