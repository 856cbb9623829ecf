import type { AlertRecord } from '../alerts/types.js';

/**
 * What the alert of an instance says about its renewal, as the forecast shows it. The state is per
 * instance (one alert per SN), so every item of an instance shows the same one.
 */

export const ALERT_STATES = ['open', 'acknowledged', 'snoozed', 'ordered', 'none'] as const;
export type ForecastAlertState = (typeof ALERT_STATES)[number];

export type ForecastAlert = {
  state: ForecastAlertState;
  /** Slack user ID of who acknowledged, snoozed or ordered, when known. */
  by?: string | null;
  /** When they did (epoch ms), when known. */
  at?: number | null;
  /** `snoozed` only: until when. */
  until?: number | null;
};

export const NO_ALERT: ForecastAlert = Object.freeze({ state: 'none' });

/**
 * The forecast's view of one alert record at `now`: a resolved alert is no alert, a running snooze wins
 * over an acknowledgement (it is the later and narrower decision), and an unanswered alert is open.
 * `ordered` is not in the record: the caller that knows about renewal orders sets it.
 */
export function forecastAlertOf(
  record: Pick<
    AlertRecord,
    'acknowledgedBy' | 'acknowledgedAt' | 'snoozedUntil' | 'snoozedBy' | 'resolvedAt'
  >,
  now: number,
): ForecastAlert {
  if (record.resolvedAt !== null) return NO_ALERT;
  if (record.snoozedUntil !== null && record.snoozedUntil > now) {
    return { state: 'snoozed', by: record.snoozedBy, until: record.snoozedUntil };
  }
  if (record.acknowledgedBy !== null) {
    return { state: 'acknowledged', by: record.acknowledgedBy, at: record.acknowledgedAt };
  }
  return { state: 'open' };
}
