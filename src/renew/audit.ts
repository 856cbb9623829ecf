import type { Redis } from 'ioredis';
import { AUDIT_MAX_LENGTH, auditKey } from '../slack/audit.js';

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
      await deps.redis.xadd(
        auditKey(deps.prefix),
        'MAXLEN',
        '~',
        AUDIT_MAX_LENGTH,
        '*',
        'user',
        user,
        'sn',
        sn,
        'at',
        String(deps.clock()),
        'outcome',
        `renew_${result}`,
        'via',
        orderNo ?? 'slack',
      );
    },
  };
}
