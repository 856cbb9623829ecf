import type { Redis } from 'ioredis';

/**
 * Who asked for which activation code, when, through what, and what they got: a Redis stream, capped
 * near 10,000 entries. The code itself is never written here; the stream is a record of access.
 */

export type AuditOutcome = 'allowed' | 'refused' | 'not_found' | 'error';
export type AuditVia = 'command' | 'button';

export type AuditEntry = {
  id: string;
  user: string;
  sn: string;
  at: number;
  outcome: AuditOutcome | (string & {});
  via: AuditVia | (string & {});
};

export interface ActivationAudit {
  record(entry: { user: string; sn: string; outcome: AuditOutcome; via: AuditVia }): Promise<void>;
  /** Newest first. */
  recent(count?: number): Promise<AuditEntry[]>;
}

export const AUDIT_MAX_LENGTH = 10_000;

export function auditKey(prefix: string): string {
  return `${prefix}:audit:activation`;
}

/** One entry of the audit stream, whoever writes it: activation-code requests and renewal attempts. */
export async function appendAuditEntry(
  redis: Redis,
  prefix: string,
  entry: Omit<AuditEntry, 'id'>,
): Promise<void> {
  await redis.xadd(
    auditKey(prefix),
    'MAXLEN',
    '~',
    AUDIT_MAX_LENGTH,
    '*',
    'user',
    entry.user,
    'sn',
    entry.sn,
    'at',
    String(entry.at),
    'outcome',
    entry.outcome,
    'via',
    entry.via,
  );
}

function entryOf(id: string, flat: string[]): AuditEntry {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return {
    id,
    user: fields.user ?? '',
    sn: fields.sn ?? '',
    at: Number(fields.at ?? 0),
    outcome: fields.outcome ?? '',
    via: fields.via ?? '',
  };
}

export function createActivationAudit(deps: {
  redis: Redis;
  prefix: string;
  clock?: () => number;
}): ActivationAudit {
  const key = auditKey(deps.prefix);
  const clock = deps.clock ?? Date.now;
  return {
    async record({ user, sn, outcome, via }) {
      await appendAuditEntry(deps.redis, deps.prefix, { user, sn, at: clock(), outcome, via });
    },
    async recent(count = 20) {
      const rows = await deps.redis.xrevrange(key, '+', '-', 'COUNT', count);
      return rows.map(([id, flat]) => entryOf(id, flat));
    },
  };
}
