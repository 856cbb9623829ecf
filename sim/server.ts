import { silentLogger } from '../src/logger.js';
import type { SimFaults } from './faults.js';
import type { RawInstance } from './generator.js';
import { startSimHttp } from './http-server.js';
import { ORDER_ROUTES } from './orders.js';
import { PARTNER_ROUTES } from './partner-routes.js';
import type { SimRoute } from './route.js';
import { createSimState, type SimOptions, type SimState } from './sim-state.js';

/**
 * A local stand-in for the Yeastar Partner Portal OpenAPI over real HTTP (node:http, 127.0.0.1): the
 * documented paths, envelope, tokens and pagination, with knobs for the failures a client must
 * survive. Used by tests, `npm run demo`, `npm run sim` and the benchmark.
 *
 * This file wires the parts: the state (sim/sim-state.ts), the routes that answer from it
 * (sim/partner-routes.ts), the HTTP plumbing (sim/http-server.ts), and the knobs below.
 */

export type { SimFaults } from './faults.js';
export type { RawEndUserInfo, RawInstance, RawService } from './generator.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './list-pages.js';
export { DEFAULT_PAGE_CACHE_BYTES } from './page-cache.js';
export { PATHS } from './partner-routes.js';
export type { SimOptions, SimState } from './sim-state.js';

/**
 * Every endpoint the simulator serves, first match wins. A new set of endpoints goes in a file of its own
 * exporting its `SimRoute[]` and joins here with one line.
 */
const ROUTES: readonly SimRoute[] = [...PARTNER_ROUTES, ...ORDER_ROUTES];

export interface Simulator {
  url: string;
  port: number;
  credentials: { clientId: string; clientSecret: string };
  /** Everything the routes answer from: for a set of endpoints' own knobs and for tests that look inside. */
  readonly state: SimState;
  close(): Promise<void>;
  setFaults(f: Partial<SimFaults>): void;
  /** The next `n` matching requests get a 5xx (default 503). */
  failNext(n: number, options?: { status?: number; path?: string }): void;
  /** The next `n` matching requests get HTTP 429 with Retry-After and code `too_many_requests`. */
  rateLimitNext(n: number, retryAfterSeconds: number, options?: { path?: string }): void;
  /** The next `n` matching answers: status 200, body cut short (not valid JSON). */
  malformNext(n: number, options?: { path?: string }): void;
  /** Every access token issued so far reads as expired. */
  revokeTokens(): void;
  /** That record is served without `field` (a dotted path such as `serviceList.0.serviceId` works too). */
  corruptRecord(productId: string, productNo: string, field: string): void;
  /** Gone from the list (later records move up a place), detail and every other endpoint. */
  removeInstance(productId: string, productNo: string): void;
  /** Runs `fn` once, just before that page of that product line is next served. */
  onPage(productId: string, pageNo: number, fn: () => void): void;
  updateInstance(productId: string, productNo: string, patch: Partial<RawInstance>): void;
  getInstance(productId: string, productNo: string): RawInstance | undefined;
  listInstanceNos(productId: string): string[];
  /**
   * Renders every page of every product line at this page size into the page cache, until the cache is
   * full, yielding to the event loop between chunks: afterwards a client walking the pages costs this
   * process little CPU, as a remote server's would cost the client's machine none.
   */
  prerender(pageSize: number): Promise<void>;
  /** What the page cache holds (bytes) and how many list answers it has served. */
  pageCacheStats(): { pages: number; bytes: number; hits: number };
  /** `byPath` is keyed by path template; `tokensIssued` counts both grants, `refreshes` the refresh grant. */
  stats(): {
    requests: number;
    byPath: Record<string, number>;
    tokensIssued: number;
    refreshes: number;
    /** Milliseconds from each request's arrival to its answer's last byte handed to the socket, summed. */
    answerMs: number;
  };
  resetStats(): void;
}

export async function createSimulator(options: SimOptions = {}): Promise<Simulator> {
  const state = createSimState(options);
  const { dataset, faults, tokens, pages, counts } = state;
  const http = await startSimHttp({
    routes: ROUTES,
    state,
    logger: options.logger ?? silentLogger(),
    port: options.port ?? 0,
  });
  return {
    url: `http://127.0.0.1:${http.port}`,
    port: http.port,
    credentials: state.credentials,
    state,
    close: () => http.close(),
    setFaults: (f) => faults.set(f),
    failNext: (n, opts) => faults.failNext(n, opts?.status ?? 503, opts?.path),
    rateLimitNext: (n, retryAfterSeconds, opts) => faults.rateLimitNext(n, retryAfterSeconds, opts?.path),
    malformNext: (n, opts) => faults.malformNext(n, opts?.path),
    revokeTokens: () => tokens.revokeAll(),
    corruptRecord: (productId, productNo, field) => dataset.corrupt(productId, productNo, field),
    removeInstance: (productId, productNo) => dataset.remove(productId, productNo),
    onPage: (productId, pageNo, fn) => pages.onPage(productId, pageNo, fn),
    updateInstance: (productId, productNo, patch) => dataset.update(productId, productNo, patch),
    getInstance: (productId, productNo) => dataset.find(productId, productNo)?.record,
    listInstanceNos: (productId) => dataset.listNos(productId),
    prerender: (pageSize) => pages.prerender(pageSize),
    pageCacheStats: () => pages.stats(),
    stats: () => ({
      requests: counts.requests,
      byPath: { ...counts.byPath },
      ...tokens.counts(),
      answerMs: counts.answerMs,
    }),
    resetStats() {
      counts.requests = 0;
      counts.answerMs = 0;
      counts.byPath = {};
      tokens.resetCounts();
    },
  };
}
