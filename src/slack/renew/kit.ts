import { createRenewAudit, type RenewAudit } from '../../renew/audit.js';
import { createFollowQueue } from '../../renew/follow.js';
import { createLedger, type Ledger } from '../../renew/ledger.js';
import { createRenewer, type Renewer, type RenewResult } from '../../renew/renewer.js';
import { createOrderApiFromConfig, type OrderApi } from '../../yeastar/orders.js';
import type { Instance } from '../../yeastar/types.js';
import type { ListenerDeps } from '../listeners/deps.js';
import { type AlertMessenger, createAlertMessenger } from './alert-message.js';

/** What the renewal listeners share: the order API, the ledger, the renewer and the alert messenger. */
export type RenewKit = {
  deps: ListenerDeps;
  mode: 'dry-run' | 'live';
  orders: OrderApi;
  ledger: Ledger;
  audit: RenewAudit;
  renewer: Renewer;
  messenger: AlertMessenger;
  allowed(user: string): boolean;
  findInstance(sn: string, productId?: string): Promise<{ instance: Instance; productName: string } | null>;
  close(): Promise<void>;
};

export type RenewHooks = {
  /** `yeastar_renew_orders_total{result}`. */
  count?: (result: RenewResult) => void;
};

export function createRenewKit(deps: ListenerDeps, hooks: RenewHooks = {}): RenewKit {
  const { config, redis, logger, clock } = deps;
  if (config.renew.mode === 'off') throw new Error('renewing from Slack is off');
  const prefix = config.queuePrefix;
  const orders = createOrderApiFromConfig(config, { redis, logger, clock });
  const ledger = createLedger({ redis, prefix });
  const audit = createRenewAudit({ redis, prefix, clock });
  const followQueue = createFollowQueue(redis, prefix);
  const allowedUsers = new Set(config.renew.allowedUsers);
  const renewer = createRenewer({
    mode: config.renew.mode,
    approvers: config.renew.approvers,
    ledger,
    orders,
    audit,
    logger,
    clock,
    ...(hooks.count ? { count: hooks.count } : {}),
    follow: (entry) => followQueue.follow(entry),
  });

  return {
    deps,
    mode: config.renew.mode,
    orders,
    ledger,
    audit,
    renewer,
    messenger: createAlertMessenger(deps),
    allowed: (user) => allowedUsers.has(user),
    async findInstance(sn, productId) {
      const lines = await deps.client.listProductLines();
      const candidates = productId ? lines.filter((l) => l.productId === productId) : lines;
      for (const line of candidates) {
        const instance = await deps.client.getInstance(line.productId, sn);
        if (instance) return { instance, productName: line.name };
      }
      return null;
    },
    close: () => followQueue.close(),
  };
}
