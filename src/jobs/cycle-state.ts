import type { Redis } from 'ioredis';
import type { Enrichment, Evaluation } from '../alerts/types.js';
import { defineScript, readLua } from '../util/redis-script.js';

/**
 * Per-cycle bookkeeping in Redis: which jobs the cycle is waiting for, what they counted, and the alerts
 * to post once the scan phase is over. Every job reports itself done exactly once through `finish`,
 * which is idempotent (a set of finished job ids), so a retried or duplicated job never counts twice and
 * the orchestrator's "nothing pending" is a real completion count, not a guess.
 *
 * Keys live under `${prefix}:cycle:${cycleId}` (the orchestrator queue is named `poll`, not `cycle`, so
 * these never meet BullMQ's own `${prefix}:cycle:${jobId}` keys).
 */

/** A day: long enough for a cycle and for the Slack app to re-render from the enrichment cache. */
export const CYCLE_TTL_SECONDS = 86_400;

export type CycleKeys = {
  hash: string;
  expected: string;
  finished: string;
  posts: string;
  /** The posts' alertKeys in the order they were recorded, so the storm stream reads only new ones. */
  postOrder: string;
  sent: string;
  /** Renewal options per alertKey (a hash, so a page's scan writes them in its one `finish` call). */
  enrichments: string;
  /** The scanned pages' parts of the renewal forecast, by job id (src/jobs/forecast-snapshot.ts). */
  forecast: string;
};

export function cycleKeys(prefix: string, cycleId: string): CycleKeys {
  const base = `${prefix}:cycle:${cycleId}`;
  return {
    hash: base,
    expected: `${base}:expected`,
    finished: `${base}:finished`,
    posts: `${base}:posts`,
    postOrder: `${base}:posts:order`,
    sent: `${base}:sent`,
    enrichments: `${base}:enrichments`,
    forecast: `${base}:forecast`,
  };
}

/** The renewal options the cycle found for an alert, or null (not looked up, or the cycle expired). */
export async function readEnrichment(
  redis: Redis,
  prefix: string,
  cycleId: string,
  alertKey: string,
): Promise<Enrichment | null> {
  const raw = await redis.hget(cycleKeys(prefix, cycleId).enrichments, alertKey);
  return raw ? (JSON.parse(raw) as Enrichment) : null;
}

export type FinishReport = {
  /** Jobs this job added: the cycle now waits for them too. */
  children?: string[];
  /** Counter fields of the cycle hash to add to. */
  counters?: Record<string, number>;
  /** Plain fields of the cycle hash to set. */
  fields?: Record<string, string | number>;
  /** New alerts for the orchestrator's post phase, by alertKey. */
  posts?: Evaluation[];
  /** Renewal options found for alerts, by alertKey. */
  enrichments?: Record<string, Enrichment>;
  /** A scanned page's part of the forecast snapshot (needs the job id): kept with the page's "done". */
  forecast?: Buffer;
};

/** `finish`'s script (lua/cycle-finish.lua), read once per process. */
const FINISH_LUA = readLua(new URL('./lua/cycle-finish.lua', import.meta.url));

export type CycleState = {
  keys(cycleId: string): CycleKeys;
  /** Records that `jobId` is done (once) and registers its children, all in one round trip. */
  finish(cycleId: string, jobId: string | null, report?: FinishReport): Promise<boolean>;
  isFinished(cycleId: string, jobId: string): Promise<boolean>;
  read(cycleId: string): Promise<Record<string, string>>;
  /** How many reports made in this process so far could end a wait: taken before a `read`, for `nap`. */
  wakeCount(): number;
  /**
   * Sleeps `ms`, or less: it ends as soon as a report made in this process leaves the cycle with nothing
   * pending or sets its status, and at once if one came since `since` (the read before missed it). A
   * waiter then reads the cycle straight away instead of up to `ms` later; reports from other
   * processes are seen at the next read.
   */
  nap(cycleId: string, since: number, ms: number): Promise<void>;
  /** Expected jobs not finished yet, at most `limit` of them (for the orchestrator's stall check). */
  unfinished(cycleId: string, limit: number): Promise<string[]>;
  posts(cycleId: string): Promise<Evaluation[]>;
  /**
   * The posts recorded after the first `offset` (in recording order), with their renewal options where
   * found, and the offset to ask from next time.
   */
  postsSince(cycleId: string, offset: number): Promise<RecordedPosts>;
  /** Every alert's renewal options found this cycle, by alertKey. */
  enrichments(cycleId: string): Promise<Map<string, Enrichment>>;
};

export type RecordedPosts = {
  posts: Array<{ evaluation: Evaluation; enrichment: Enrichment | null }>;
  next: number;
};

export function createCycleState(deps: { redis: Redis; prefix: string }): CycleState {
  const { redis, prefix } = deps;
  const keys = (cycleId: string) => cycleKeys(prefix, cycleId);
  const runFinish = defineScript(redis, 'cycleFinish', FINISH_LUA);
  let wakes = 0;
  const nappers = new Map<string, Set<() => void>>();

  function wake(cycleId: string): void {
    wakes++;
    for (const wakeUp of [...(nappers.get(cycleId) ?? [])]) wakeUp();
  }

  return {
    keys,
    async finish(cycleId, jobId, report = {}) {
      const k = keys(cycleId);
      const children = report.children ?? [];
      const counters = Object.entries(report.counters ?? {}).filter(([, v]) => v !== 0);
      const fields = Object.entries(report.fields ?? {});
      const posts = report.posts ?? [];
      const args: (string | number)[] = [CYCLE_TTL_SECONDS, jobId ?? '', children.length, ...children];
      args.push(counters.length, ...counters.flat());
      args.push(fields.length, ...fields.flat());
      args.push(posts.length, ...posts.flatMap((e) => [e.alertKey, JSON.stringify(e)]));
      const enrichments = Object.entries(report.enrichments ?? {});
      args.push(enrichments.length, ...enrichments.flatMap(([key, e]) => [key, JSON.stringify(e)]));
      const part = report.forecast !== undefined && jobId !== null ? [jobId, report.forecast] : [];
      const [first, pending] = (await runFinish(
        [k.hash, k.expected, k.finished, k.posts, k.enrichments, k.postOrder, k.forecast],
        [...args, part.length / 2, ...part],
      )) as [number, number];
      if (pending <= 0 || report.fields?.status !== undefined) wake(cycleId);
      return first === 1;
    },
    async isFinished(cycleId, jobId) {
      return (await redis.sismember(keys(cycleId).finished, jobId)) === 1;
    },
    read(cycleId) {
      return redis.hgetall(keys(cycleId).hash);
    },
    wakeCount: () => wakes,
    nap(cycleId, since, ms) {
      if (wakes !== since) return Promise.resolve();
      return new Promise((resolve) => {
        const waiting = nappers.get(cycleId) ?? new Set();
        nappers.set(cycleId, waiting);
        const wakeUp = () => {
          clearTimeout(timer);
          waiting.delete(wakeUp);
          if (waiting.size === 0) nappers.delete(cycleId);
          resolve();
        };
        const timer = setTimeout(wakeUp, ms);
        waiting.add(wakeUp);
      });
    },
    async unfinished(cycleId, limit) {
      const k = keys(cycleId);
      const out: string[] = [];
      let cursor = '0';
      do {
        const [next, members] = await redis.sscan(k.expected, cursor, 'COUNT', 500);
        cursor = next;
        if (members.length > 0) {
          const done = await redis.smismember(k.finished, ...members);
          members.forEach((m, i) => {
            if (done[i] === 0 && out.length < limit) out.push(m);
          });
        }
      } while (cursor !== '0' && out.length < limit);
      return out;
    },
    async posts(cycleId) {
      const raw = await redis.hvals(keys(cycleId).posts);
      return raw.map((json) => JSON.parse(json) as Evaluation);
    },
    async postsSince(cycleId, offset) {
      const k = keys(cycleId);
      const alertKeys = await redis.lrange(k.postOrder, offset, -1);
      if (alertKeys.length === 0) return { posts: [], next: offset };
      const [posts, enrichments] = (await redis
        .multi()
        .hmget(k.posts, ...alertKeys)
        .hmget(k.enrichments, ...alertKeys)
        .exec()) as [[Error | null, (string | null)[]], [Error | null, (string | null)[]]];
      if (posts[0] || enrichments[0]) throw posts[0] ?? enrichments[0];
      const out: RecordedPosts['posts'] = [];
      posts[1].forEach((json, i) => {
        if (json === null) return;
        const enrichment = enrichments[1][i];
        out.push({
          evaluation: JSON.parse(json) as Evaluation,
          enrichment: enrichment ? (JSON.parse(enrichment) as Enrichment) : null,
        });
      });
      return { posts: out, next: offset + alertKeys.length };
    },
    async enrichments(cycleId) {
      const raw = await redis.hgetall(keys(cycleId).enrichments);
      return new Map(
        Object.entries(raw).map(([alertKey, json]) => [alertKey, JSON.parse(json) as Enrichment]),
      );
    },
  };
}
