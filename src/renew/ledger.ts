import type { Redis } from 'ioredis';

/**
 * One renewal per alert and stage: a Redis record taken with SET NX (relative TTL) BEFORE the order is
 * sent, so a double submit, a Slack retry or two users at once find it and are told who ordered. It
 * moves `sending` → `placed` (or `unknown` when the API's answer was lost: a timeout, a 5xx, a crash;
 * the order list then decides before anything is sent again). A refused order or a dry run leaves no
 * record: nothing was ordered, so the next attempt may go ahead.
 */

export type LedgerState = 'awaiting_approval' | 'sending' | 'unknown' | 'placed';

export type LedgerEntry = {
  state: LedgerState;
  /** Who asked (the requester, also under the two-person rule). */
  by: string;
  approvedBy: string | null;
  sn: string;
  productId: string;
  alertKey: string;
  stage: string;
  /** When this attempt was taken (epoch ms, app clock): the order list is searched from a little before. */
  at: number;
  /** The exact order body that is (or will be) sent. */
  request: string;
  orderId: string | null;
  orderNo: string | null;
  status: string | null;
  /** Where the alert is, for thread replies and updates. */
  channel: string | null;
  ts: string | null;
  /** The modal to update with the outcome, while it is open. */
  viewId: string | null;
  /** A token unique to this attempt: only the holder writes the outcome. */
  attempt: string;
};

/** Long enough to outlive any renewal window; the next stage has its own key anyway. */
export const LEDGER_TTL_MS = 60 * 86_400_000;

export function ledgerKey(prefix: string, alertKey: string, stage: string): string {
  return `${prefix}:renew:order:${alertKey}:${stage}`;
}

// Writes the entry only while the attempt token is still the one stored (compare-and-set), keeping a
// relative lifetime.
const REPLACE_IF_ATTEMPT = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, decoded = pcall(cjson.decode, current)
if not ok or decoded['attempt'] ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

const DELETE_IF_ATTEMPT = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, decoded = pcall(cjson.decode, current)
if not ok or decoded['attempt'] ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`;

export type Ledger = {
  /** Takes the record for this alert and stage, or returns who holds it. */
  claim(entry: LedgerEntry): Promise<{ ok: true } | { ok: false; existing: LedgerEntry }>;
  get(alertKey: string, stage: string): Promise<LedgerEntry | null>;
  /** Replaces the record if `attempt` still holds it. */
  update(entry: LedgerEntry, expectedAttempt?: string): Promise<boolean>;
  /** Drops the record if `attempt` still holds it (a refusal, a dry run: nothing ordered). */
  release(entry: LedgerEntry): Promise<void>;
};

export function createLedger(deps: { redis: Redis; prefix: string; ttlMs?: number }): Ledger {
  const { redis, prefix } = deps;
  const ttl = deps.ttlMs ?? LEDGER_TTL_MS;
  const keyOf = (e: Pick<LedgerEntry, 'alertKey' | 'stage'>) => ledgerKey(prefix, e.alertKey, e.stage);
  const read = (raw: string | null) => (raw ? (JSON.parse(raw) as LedgerEntry) : null);

  return {
    async claim(entry) {
      const key = keyOf(entry);
      for (;;) {
        if ((await redis.set(key, JSON.stringify(entry), 'PX', ttl, 'NX')) === 'OK') return { ok: true };
        const existing = read(await redis.get(key));
        // Gone between the two calls (released): try again.
        if (existing) return { ok: false, existing };
      }
    },
    async get(alertKey, stage) {
      return read(await redis.get(ledgerKey(prefix, alertKey, stage)));
    },
    async update(entry, expectedAttempt = entry.attempt) {
      const done = await redis.eval(
        REPLACE_IF_ATTEMPT,
        1,
        keyOf(entry),
        expectedAttempt,
        JSON.stringify(entry),
        ttl,
      );
      return done === 1;
    },
    async release(entry) {
      await redis.eval(DELETE_IF_ATTEMPT, 1, keyOf(entry), entry.attempt);
    },
  };
}
