import type { Redis } from 'ioredis';
import { defineScript, type RedisScript, readLua } from '../util/redis-script.js';
import type {
  AlertRecord,
  AlertStore,
  ClaimResult,
  Decision,
  DecisionAction,
  Evaluation,
  OpenAlertQuery,
  ResolveReason,
  Severity,
  SlackMessageRef,
  Stage,
} from './types.js';

/**
 * Alert life cycle in Redis: what each evaluation needs this cycle (post, escalate, update, resolve or
 * nothing), and the button state (acknowledge, snooze). Every change runs as one Lua script, so
 * concurrent evaluators and concurrent clicks agree without locks.
 *
 * Keys, all under the prefix (which is the hash tag on Redis Cluster, keeping every key in one slot):
 * `alert:<alertKey>` hash; `alerts:open` zset scored by expiry; `alerts:product:<productId>` set of open
 * alertKeys; `alerts:sn:<productNo>` → alertKey; `alerts:count:stage` and `alerts:count:product` counters
 * of open alerts, kept by the same scripts that open and close alerts.
 */

export const DEFAULT_RETENTION_MS = 30 * 86_400_000;

const DAY_MS = 86_400_000;
const DEFAULT_LIST_LIMIT = 100;
// Sorts after every real date (year ~287,000) while staying an exact double.
const UNKNOWN_EXPIRY_SCORE = 9e15;

export type AlertStoreDeps = {
  redis: Redis;
  prefix: string;
  /** How long a resolved alert is remembered (findBySn, late button clicks). */
  retentionMs?: number;
};

/** The store's scripts (lua/, beside this file), read once per process. */
const SCRIPT_FILES = {
  decide: 'decide',
  sweep: 'sweep',
  claim: 'claim',
  setMessage: 'set-message',
  listOpen: 'list-open',
  listQuiet: 'list-quiet',
  findBySn: 'find-by-sn',
} as const;

type ScriptName = keyof typeof SCRIPT_FILES;

const LUA = Object.fromEntries(
  Object.entries(SCRIPT_FILES).map(([name, file]) => [
    name,
    readLua(new URL(`./lua/${file}.lua`, import.meta.url)),
  ]),
) as Record<ScriptName, string>;

/** Each script as a custom command of this connection (`alertDecide`, `alertSweep`, …). */
function defineScripts(redis: Redis): Record<ScriptName, RedisScript> {
  const commandName = (name: string) => `alert${name[0]!.toUpperCase()}${name.slice(1)}`;
  const scripts = Object.entries(LUA).map(([name, lua]) => [
    name,
    defineScript(redis, commandName(name), lua),
  ]);
  return Object.fromEntries(scripts) as Record<ScriptName, RedisScript>;
}

const ACTIONS: ReadonlySet<string> = new Set<DecisionAction>([
  'post',
  'escalate',
  'update',
  'resolve',
  'nothing',
]);

function orNull(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

function numberOrNull(value: string | undefined): number | null {
  const text = orNull(value);
  if (text === null) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

function parseOrNull<T>(value: string | undefined): T | null {
  const text = orNull(value);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    // A field that is not JSON (cut, or written by hand) reads as absent; the rest of the record stands.
    return null;
  }
}

function resolveReasonOf(value: string | undefined): ResolveReason | null {
  return value === 'renewed' || value === 'vanished' ? value : null;
}

/** Every channel's message, from the `messages` JSON the scripts write and return. */
function messagesOf(messages: string | undefined): SlackMessageRef[] | null {
  const list = parseOrNull<SlackMessageRef[]>(messages);
  return Array.isArray(list)
    ? list.map((m) => ({
        channel: m.channel,
        ts: m.ts,
        ...(typeof m.stage === 'string' ? { stage: m.stage } : {}),
        ...(typeof m.notifiedAt === 'number' ? { notifiedAt: m.notifiedAt } : {}),
      }))
    : null;
}

/** A record from its hash fields; null when the hash is gone (never created, or forgotten). */
export function recordFromHash(fields: Record<string, string>): AlertRecord | null {
  const alertKey = fields.alertKey;
  if (alertKey === undefined || alertKey === '') return null;
  const message = parseOrNull<SlackMessageRef>(fields.message);
  return {
    alertKey,
    stage: orNull(fields.stage) as Stage | null,
    severity: orNull(fields.severity) as Severity | null,
    digest: fields.digest ?? '',
    evaluation: parseOrNull<Evaluation>(fields.evaluation),
    message,
    // The one place an old record (its one `message`, no `messages`) becomes a list; the Lua scripts,
    // which read the hash themselves, do the same for the decisions they return.
    messages: messagesOf(fields.messages) ?? (message ? [message] : []),
    notifiedAt: numberOrNull(fields.notifiedAt),
    acknowledgedBy: orNull(fields.acknowledgedBy),
    acknowledgedAt: numberOrNull(fields.acknowledgedAt),
    snoozedUntil: numberOrNull(fields.snoozedUntil),
    snoozedBy: orNull(fields.snoozedBy),
    firstSeenAt: numberOrNull(fields.firstSeenAt) ?? 0,
    lastSeenAt: numberOrNull(fields.lastSeenAt) ?? 0,
    cycleId: fields.cycleId ?? '',
    missedCycles: numberOrNull(fields.missedCycles) ?? 0,
    resolvedAt: numberOrNull(fields.resolvedAt),
    resolveReason: resolveReasonOf(fields.resolveReason),
  };
}

/** Lua returns HGETALL as a flat [field, value, …] array. */
function recordFromFlat(flat: unknown): AlertRecord | null {
  if (!Array.isArray(flat)) return null;
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = String(flat[i + 1]);
  return recordFromHash(fields);
}

/** The records of a Lua reply's HGETALLs, skipping any that is not a record (a key gone meanwhile). */
function recordsFromFlats(flats: unknown[]): AlertRecord[] {
  const records: AlertRecord[] = [];
  for (const flat of flats) {
    const record = recordFromFlat(flat);
    if (record !== null) records.push(record);
  }
  return records;
}

function scoreOf(evaluation: Evaluation): number {
  if (evaluation.expiresAt !== null && Number.isFinite(evaluation.expiresAt)) return evaluation.expiresAt;
  // An expired alert without a date is still among the most urgent.
  return evaluation.stage === 'expired' ? 0 : UNKNOWN_EXPIRY_SCORE;
}

function strings(reply: unknown): string[] {
  return Array.isArray(reply) ? reply.map((v) => String(v)) : [];
}

export function createAlertStore(deps: AlertStoreDeps): AlertStore {
  const { redis, prefix } = deps;
  const retentionMs = Math.max(1, Math.round(deps.retentionMs ?? DEFAULT_RETENTION_MS));
  const run = defineScripts(redis);
  const keys = {
    alert: (alertKey: string) => `${prefix}:alert:${alertKey}`,
    open: `${prefix}:alerts:open`,
    product: (productId: string) => `${prefix}:alerts:product:${productId}`,
    sn: (productNo: string) => `${prefix}:alerts:sn:${productNo}`,
    stageCounts: `${prefix}:alerts:count:stage`,
    productCounts: `${prefix}:alerts:count:product`,
  };

  async function claim(
    alertKey: string,
    mode: 'ack' | 'snooze',
    userId: string,
    now: number,
    untilMs: number,
  ): Promise<ClaimResult> {
    const reply = await run.claim([keys.alert(alertKey)], [mode, userId, now, untilMs]);
    const [outcome, flat] = Array.isArray(reply) ? reply : [];
    const record = recordFromFlat(flat);
    if (record !== null && outcome === 'done') return { outcome: 'done', record };
    if (record !== null && outcome === 'already') return { outcome: 'already', record };
    return { outcome: 'resolved', record };
  }

  return {
    async decide(cycleId, evaluatorId, evaluations, now) {
      if (evaluations.length === 0) return [];
      const scriptKeys = [keys.open, keys.stageCounts, keys.productCounts];
      let plan = '';
      const healthy: string[] = [];
      const alerting: (string | number)[] = [];
      for (const e of evaluations) {
        // Healthy ones travel as one joined string (see decide.lua); a key that cannot be joined safely
        // takes the long way, with an empty stage.
        if (e.stage === null && !e.alertKey.includes('\n') && e.alertKey !== '') {
          plan += 'h';
          healthy.push(e.alertKey);
          continue;
        }
        plan += 'a';
        scriptKeys.push(
          keys.alert(e.alertKey),
          keys.product(e.subject.productId),
          keys.sn(e.subject.productNo),
        );
        alerting.push(
          e.alertKey,
          e.stage ?? '',
          e.severity ?? '',
          e.digest,
          e.stage === null ? '' : JSON.stringify(e),
          scoreOf(e),
          e.subject.productId,
          e.subject.productNo,
        );
      }
      const args = [cycleId, evaluatorId, now, retentionMs, prefix, plan, healthy.join('\n'), ...alerting];
      const reply = await run.decide(scriptKeys, args);
      const answered = new Map<number, unknown[]>();
      if (Array.isArray(reply)) {
        for (let i = 0; i + 5 < reply.length; i += 6)
          answered.set(Number(reply[i]), reply.slice(i + 1, i + 6));
      }
      return evaluations.map((evaluation, i): Decision => {
        const [action = 'nothing', previous, messageJson, reason, messages] = strings(answered.get(i + 1));
        const message = parseOrNull<SlackMessageRef>(messageJson);
        const decision: Decision = {
          action: ACTIONS.has(action) ? (action as DecisionAction) : 'nothing',
          alertKey: evaluation.alertKey,
          evaluation,
          previousStage: orNull(previous) as Stage | null,
          message,
          messages: messagesOf(messages) ?? [],
        };
        const resolveReason = resolveReasonOf(reason);
        if (resolveReason !== null) decision.resolveReason = resolveReason;
        return decision;
      });
    },

    async sweepVanished(cycleId, productId, now) {
      const reply = strings(
        await run.sweep(
          [keys.open, keys.stageCounts, keys.productCounts, keys.product(productId)],
          [cycleId, now, retentionMs, prefix],
        ),
      );
      const decisions: Decision[] = [];
      for (let i = 0; i + 4 < reply.length; i += 5) {
        const evaluation = parseOrNull<Evaluation>(reply[i + 3]);
        // Every record is written with its evaluation; one without is not an alert anyone saw.
        if (evaluation === null) continue;
        const message = parseOrNull<SlackMessageRef>(reply[i + 2]);
        decisions.push({
          action: 'resolve',
          alertKey: reply[i] ?? evaluation.alertKey,
          evaluation,
          previousStage: orNull(reply[i + 1]) as Stage | null,
          message,
          messages: messagesOf(reply[i + 4]) ?? [],
          resolveReason: 'vanished',
        });
      }
      return decisions;
    },

    async get(alertKey) {
      return recordFromHash(await redis.hgetall(keys.alert(alertKey)));
    },

    async setMessage(alertKey, message, notifiedAt, stage) {
      await run.setMessage(
        [keys.alert(alertKey)],
        [JSON.stringify({ channel: message.channel, ts: message.ts }), notifiedAt ?? '', stage ?? '', ''],
      );
    },

    async markNotified(alertKey, at, channel, stage) {
      await run.setMessage([keys.alert(alertKey)], ['', at ?? '', stage ?? '', channel ?? '']);
    },

    acknowledge(alertKey, userId, now) {
      return claim(alertKey, 'ack', userId, now, 0);
    },

    snooze(alertKey, untilMs, userId, now) {
      return claim(alertKey, 'snooze', userId, now, untilMs);
    },

    async listOpen(query: OpenAlertQuery = {}) {
      let max = '+inf';
      if (query.withinDays !== undefined) {
        if (query.now === undefined) throw new Error('listOpen: withinDays needs the caller’s `now`');
        max = String(query.now + query.withinDays * DAY_MS);
      }
      const offset = Math.max(0, Math.floor(query.offset ?? 0));
      const limit = Math.max(0, Math.floor(query.limit ?? DEFAULT_LIST_LIMIT));
      if (limit === 0) return { total: await redis.zcount(keys.open, '-inf', max), records: [] };
      const reply = await run.listOpen([keys.open], [prefix, max, offset, limit]);
      const [total, ...flats] = Array.isArray(reply) ? reply : [];
      return { total: Number(total ?? 0), records: recordsFromFlats(flats) };
    },

    async listQuiet({ cutoff, offset, limit }) {
      const window = Math.max(0, Math.floor(limit));
      if (window === 0) return { scanned: 0, records: [] };
      const reply = await run.listQuiet([keys.open], [prefix, cutoff, Math.max(0, offset), window]);
      const [scanned, ...flats] = Array.isArray(reply) ? reply : [];
      return { scanned: Number(scanned ?? 0), records: recordsFromFlats(flats) };
    },

    async counts() {
      const results = await redis
        .multi()
        .hgetall(keys.stageCounts)
        .hgetall(keys.productCounts)
        .zcard(keys.open)
        .exec();
      const [byStageRaw, byProductRaw, totalRaw] = (results ?? []).map(([error, value]) => {
        if (error) throw error;
        return value;
      });
      const numbers = (raw: unknown): Record<string, number> => {
        const out: Record<string, number> = {};
        for (const [k, v] of Object.entries((raw ?? {}) as Record<string, string>)) {
          const n = Number(v);
          if (n > 0) out[k] = n;
        }
        return out;
      };
      return { byStage: numbers(byStageRaw), byProduct: numbers(byProductRaw), total: Number(totalRaw ?? 0) };
    },

    async findBySn(productNo) {
      return recordFromFlat(await run.findBySn([keys.sn(productNo)], [prefix]));
    },
  };
}
