import type { Redis } from 'ioredis';
import type { RenewOrderState } from '../../alerts/render-renew.js';
import type { AlertRecord } from '../../alerts/types.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { ledgerKey } from '../../renew/ledger.js';

/**
 * The order placed from Slack for an alert's current stage, as the alert shows it, so that a click
 * re-rendering the message (Acknowledge, Snooze) keeps "Renewal ordered by @x · order SO…" and does not
 * offer Renew… again. Null when renewing is off, nothing was ordered, or Redis cannot say.
 */
export async function renewOrderOf(
  deps: { config: Config; redis: Redis; logger: Logger },
  record: AlertRecord,
): Promise<RenewOrderState | null> {
  if (deps.config.renew.mode === 'off' || !record.stage) return null;
  try {
    const raw = await deps.redis.get(ledgerKey(deps.config.queuePrefix, record.alertKey, record.stage));
    if (!raw) return null;
    const entry = JSON.parse(raw) as {
      by?: string;
      orderNo?: string | null;
      status?: string | null;
      state?: string;
    };
    if (!entry.by) return null;
    return { by: entry.by, orderNo: entry.orderNo ?? null, status: entry.status ?? entry.state ?? 'pending' };
  } catch (error) {
    deps.logger.warn(
      { alertKey: record.alertKey, err: (error as Error).message },
      'renewal state unreadable',
    );
    return null;
  }
}
