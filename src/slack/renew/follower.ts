import type { WebClient } from '@slack/web-api';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AlertStore } from '../../alerts/types.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { createFollowWorker, type FinalOrder, type FollowData } from '../../renew/follow.js';
import { createLedger } from '../../renew/ledger.js';
import { createOrderApiFromConfig } from '../../yeastar/orders.js';
import { createAlertMessenger } from './alert-message.js';
import { followMessage } from './thread.js';

/**
 * The worker that follows orders placed from Slack (src/renew/follow.ts) and tells the alert: the
 * outcome and amount in its thread, the message updated ("… · paid/succeeded"); a failed or cancelled
 * order brings the Renew button back. Runs in `npm start` beside the pipeline's workers.
 */

export type RenewFollowerDeps = {
  config: Config;
  /** Its own connection: a BullMQ worker blocks on it. */
  connection: Redis;
  /** For the ledger, the tokens and the alert store's reads. */
  redis: Redis;
  store: AlertStore;
  slack: WebClient;
  logger: Logger;
  clock: () => number;
};

export function amountText(final: FinalOrder): string | null {
  const amount = final.details?.totalAmount;
  if (amount === null || amount === undefined) return null;
  return `${final.details?.currencyCode ?? ''} ${amount.toFixed(2)}`.trim();
}

export function startRenewFollower(deps: RenewFollowerDeps): Worker<FollowData> {
  const { config, redis, logger, clock } = deps;
  const prefix = config.queuePrefix;
  const messenger = createAlertMessenger({ config, store: deps.store, redis, logger, clock });
  const orders = createOrderApiFromConfig(config, { redis, logger, clock });
  return createFollowWorker(deps.connection, prefix, {
    ledger: createLedger({ redis, prefix }),
    orders,
    logger,
    async onFinal(final) {
      const { entry, status } = final;
      logger.info({ sn: entry.sn, orderNo: entry.orderNo, status }, 'renewal order final');
      const fallback = entry.channel && entry.ts ? { channel: entry.channel, ts: entry.ts } : null;
      await messenger.reply(
        deps.slack,
        entry.alertKey,
        fallback,
        followMessage(entry, status, amountText(final)),
      );
      await messenger.show(deps.slack, entry.alertKey, { by: entry.by, orderNo: entry.orderNo, status });
    },
  });
}
