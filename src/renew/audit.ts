import type { Redis } from 'ioredis';
import { appendAuditEntry } from '../slack/audit.js';

/**
 * Every renewal attempt, in the same stream as activation-code requests, so `/yeastar audit` lists
 * both: `outcome` is `renew_<result>` and `via` the order number (or `slack`).
 */
export type RenewAudit = {
  record(entry: { user: string; sn: string; result: string; orderNo: string | null }): Promise<void>;
};

export function createRenewAudit(deps: { redis: Redis; prefix: string; clock: () => number }): RenewAudit {
  return {
    async record({ user, sn, result, orderNo }) {
      await appendAuditEntry(deps.redis, deps.prefix, {
        user,
        sn,
        at: deps.clock(),
        outcome: `renew_${result}`,
        via: orderNo ?? 'slack',
      });
    },
  };
}
