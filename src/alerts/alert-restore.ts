import type { Redis } from 'ioredis';
import { defineScript, readLua } from '../util/redis-script.js';

/**
 * Writes an open alert back into the store's keys (the same layout as alert-store.ts) from what its
 * Slack messages say, for a Redis that lost its data. One Lua script per alert: the record and its
 * indexes appear together or not at all.
 */

export type RestoredAlert = {
  alertKey: string;
  productId: string;
  productNo: string;
  stage: string;
  digest: string;
  /** One message per channel (the first posted there), with the stage it shows. */
  messages: Array<{ channel: string; ts: string; stage?: string }>;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  snoozedBy: string | null;
  snoozedUntil: number | null;
};

const LUA = readLua(new URL('./lua/restore.lua', import.meta.url));
/** As alert-store.ts: an unknown expiry sorts last until the next cycle's decision scores it. */
const UNKNOWN_EXPIRY_SCORE = 9e15;

export type AlertRestore = {
  /** True when the record was created, false when one existed (its missing channels added). */
  restore(alert: RestoredAlert, now: number): Promise<boolean>;
};

export function createAlertRestore(deps: { redis: Redis; prefix: string }): AlertRestore {
  const { redis, prefix } = deps;
  const run = defineScript(redis, 'alertRestore', LUA);
  return {
    async restore(alert, now) {
      const reply = await run(
        [
          `${prefix}:alert:${alert.alertKey}`,
          `${prefix}:alerts:open`,
          `${prefix}:alerts:count:stage`,
          `${prefix}:alerts:count:product`,
          `${prefix}:alerts:product:${alert.productId}`,
          `${prefix}:alerts:sn:${alert.productNo}`,
        ],
        [
          alert.alertKey,
          alert.productId,
          alert.productNo,
          alert.stage,
          alert.digest,
          JSON.stringify(alert.messages),
          alert.acknowledgedBy ?? '',
          alert.acknowledgedAt ?? '',
          alert.snoozedBy ?? '',
          alert.snoozedUntil ?? '',
          now,
          UNKNOWN_EXPIRY_SCORE,
        ],
      );
      return Number(reply) === 1;
    },
  };
}
