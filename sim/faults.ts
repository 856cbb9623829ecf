import { createRng } from './random.js';

/** Misbehaviour the simulator can be told to show, so clients can be tested against a bad day. */

export type SimFaults = {
  /** Added to every answer. */
  latencyMs: number;
  /** Share (0..1) of answers that are HTTP 500/502/503, drawn from a seeded RNG. */
  serverErrorRate: number;
  /** Access token life; the refresh token lives 15 days regardless. */
  tokenLifetimeSeconds: number;
};

export const DEFAULT_FAULTS: SimFaults = { latencyMs: 0, serverErrorRate: 0, tokenLifetimeSeconds: 1800 };

export type InjectedFault =
  | { kind: 'server_error'; status: number }
  | { kind: 'rate_limited'; retryAfterSeconds: number };

type Rule<T> = { remaining: number; path: string | undefined; value: T };

export interface FaultPlan {
  current(): SimFaults;
  set(faults: Partial<SimFaults>): void;
  failNext(n: number, status: number, path: string | undefined): void;
  rateLimitNext(n: number, retryAfterSeconds: number, path: string | undefined): void;
  malformNext(n: number, path: string | undefined): void;
  /** The fault this request gets instead of its answer, if any (one-shot rules are used up). */
  takeFault(pathname: string, template: string): InjectedFault | undefined;
  takeMalform(pathname: string, template: string): boolean;
}

const RANDOM_ERROR_STATUSES = [500, 502, 503] as const;

/** A rule's `path` names either the route's template, the exact path, or a prefix of it. */
function matches(rulePath: string | undefined, pathname: string, template: string): boolean {
  return rulePath === undefined || rulePath === template || pathname.startsWith(rulePath);
}

function take<T>(rules: Rule<T>[], pathname: string, template: string): T | undefined {
  const index = rules.findIndex((r) => matches(r.path, pathname, template));
  if (index < 0) return undefined;
  const rule = rules[index]!;
  rule.remaining--;
  if (rule.remaining <= 0) rules.splice(index, 1);
  return rule.value;
}

function validated(faults: Partial<SimFaults>): Partial<SimFaults> {
  const { latencyMs, serverErrorRate, tokenLifetimeSeconds } = faults;
  if (latencyMs !== undefined && !(latencyMs >= 0)) throw new RangeError('latencyMs must be >= 0');
  if (serverErrorRate !== undefined && !(serverErrorRate >= 0 && serverErrorRate <= 1)) {
    throw new RangeError('serverErrorRate must be within 0..1');
  }
  if (tokenLifetimeSeconds !== undefined && !(tokenLifetimeSeconds > 0)) {
    throw new RangeError('tokenLifetimeSeconds must be > 0');
  }
  return Object.fromEntries(Object.entries(faults).filter(([, v]) => v !== undefined));
}

export function createFaultPlan(seed: number, initial: Partial<SimFaults> = {}): FaultPlan {
  let faults: SimFaults = { ...DEFAULT_FAULTS, ...validated(initial) };
  const rng = createRng(seed ^ 0x5eed5eed);
  const failures: Rule<number>[] = [];
  const rateLimits: Rule<number>[] = [];
  const malformed: Rule<true>[] = [];
  const count = (n: number) => {
    if (!Number.isInteger(n) || n < 0) throw new RangeError('n must be a whole number >= 0');
    return n;
  };

  return {
    current: () => ({ ...faults }),
    set(next) {
      faults = { ...faults, ...validated(next) };
    },
    failNext(n, status, path) {
      if (!Number.isInteger(status) || status < 400 || status > 599) {
        throw new RangeError('status must be an HTTP error status');
      }
      if (count(n) > 0) failures.push({ remaining: n, path, value: status });
    },
    rateLimitNext(n, retryAfterSeconds, path) {
      if (!(retryAfterSeconds >= 0)) throw new RangeError('retryAfterSeconds must be >= 0');
      if (count(n) > 0) rateLimits.push({ remaining: n, path, value: retryAfterSeconds });
    },
    malformNext(n, path) {
      if (count(n) > 0) malformed.push({ remaining: n, path, value: true });
    },
    takeFault(pathname, template) {
      const status = take(failures, pathname, template);
      if (status !== undefined) return { kind: 'server_error', status };
      const retryAfterSeconds = take(rateLimits, pathname, template);
      if (retryAfterSeconds !== undefined) return { kind: 'rate_limited', retryAfterSeconds };
      if (faults.serverErrorRate > 0 && rng.next() < faults.serverErrorRate) {
        return { kind: 'server_error', status: rng.pick(RANDOM_ERROR_STATUSES) };
      }
      return undefined;
    },
    takeMalform: (pathname, template) => take(malformed, pathname, template) === true,
  };
}
