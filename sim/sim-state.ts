import type { Logger } from '../src/logger.js';
import { createDataset, type SimDataset } from './dataset.js';
import { createFaultPlan, type FaultPlan, type SimFaults } from './faults.js';
import { createGenerator, defaultAttention, type InstanceGenerator } from './generator.js';
import { createListPages, type ListPages } from './list-pages.js';
import { DEFAULT_PAGE_CACHE_BYTES } from './page-cache.js';
import { createTokenStore, type TokenStore } from './tokens.js';

export type SimOptions = {
  /** 0 or omitted: a free port. */
  port?: number;
  clock?: () => number;
  /** Generated expiry dates are relative to this; default clock() at creation. */
  anchorMs?: number;
  clientId?: string;
  clientSecret?: string;
  /** Generated instances (default 200), spread over product lines 9, 11, 12, 13. */
  instances?: number;
  /** How many need attention (default ~6 % of instances). */
  attention?: number;
  /** Same seed, same data (default 1). */
  seed?: number;
  /** Also serve page 000's two example instances at the head of productId 13. */
  examples?: boolean;
  faults?: Partial<SimFaults>;
  /** Each request at debug level (path template, status); never a token. */
  logger?: Logger;
  /**
   * How many bytes of rendered `instance_product_list` pages (UTF-8) to keep for reuse. Default
   * {@link DEFAULT_PAGE_CACHE_BYTES}; 0 renders every page on every request.
   */
  pageCacheBytes?: number;
};

/** What the simulator has answered: `byPath` is keyed by path template. */
export type RequestCounts = { requests: number; answerMs: number; byPath: Record<string, number> };

/**
 * Everything one simulator knows, handed to every route: the generated partner (generator, dataset),
 * the tokens it issued, the faults it is told to inject, the list pages it keeps, and its counts.
 * A route set with state of its own keeps it beside this one (e.g. in a WeakMap keyed by it).
 */
export type SimState = {
  readonly clock: () => number;
  readonly credentials: { clientId: string; clientSecret: string };
  readonly generator: InstanceGenerator;
  readonly dataset: SimDataset;
  readonly faults: FaultPlan;
  readonly tokens: TokenStore;
  readonly pages: ListPages;
  readonly counts: RequestCounts;
};

export function createSimState(options: SimOptions): SimState {
  const clock = options.clock ?? Date.now;
  const seed = options.seed ?? 1;
  const instances = options.instances ?? 200;
  const credentials = {
    clientId: options.clientId ?? 'sim-client-id',
    clientSecret: options.clientSecret ?? 'sim-client-secret',
  };
  const generator = createGenerator({
    seed,
    instances,
    attention: options.attention ?? defaultAttention(instances),
    anchorMs: options.anchorMs ?? clock(),
  });
  const dataset = createDataset(generator, { examples: options.examples ?? false });
  const faults = createFaultPlan(seed, options.faults);
  const tokens = createTokenStore({
    clock,
    ...credentials,
    lifetimeSeconds: () => faults.current().tokenLifetimeSeconds,
  });
  const pages = createListPages(dataset, options.pageCacheBytes ?? DEFAULT_PAGE_CACHE_BYTES);
  return {
    clock,
    credentials,
    generator,
    dataset,
    faults,
    tokens,
    pages,
    counts: { requests: 0, answerMs: 0, byPath: {} },
  };
}
