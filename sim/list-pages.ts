import { toJsonText, wire } from './answers.js';
import type { SimDataset } from './dataset.js';
import { createPageCache, type PageCache } from './page-cache.js';

/**
 * The `instance_product_list` pages: rendered from the dataset, kept in the page cache while the dataset
 * is unchanged, with the test hooks that run just before a page is served.
 */
export interface ListPages {
  /** The `result` of a list answer as UTF-8 JSON, from the cache when it holds it. */
  page(productId: string, pageNo: number, pageSize: number): Buffer;
  /** Runs `fn` once, just before that page of that product line is next served. */
  onPage(productId: string, pageNo: number, fn: () => void): void;
  prerender(pageSize: number): Promise<void>;
  stats(): { pages: number; bytes: number; hits: number };
}

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;
/** Pages prerender renders between turns of the event loop (a few ms each): a request waits ~0.1 s at most. */
const PRERENDER_CHUNK = 20;

const pageKey = (productId: string, pageNo: number, pageSize: number) => `${productId}:${pageNo}:${pageSize}`;

export function createListPages(dataset: SimDataset, pageCacheBytes: number): ListPages {
  if (!(pageCacheBytes >= 0)) throw new RangeError('pageCacheBytes must be >= 0');
  const pageCache = createPageCache(pageCacheBytes);
  const pageHooks = new Map<string, Array<() => void>>();
  let cachedRevision = dataset.revision;

  /** Cached pages are only as current as the dataset they came from: any change drops them all. */
  function freshPageCache(): PageCache {
    if (dataset.revision !== cachedRevision) {
      pageCache.clear();
      cachedRevision = dataset.revision;
    }
    return pageCache;
  }

  function render(productId: string, pageNo: number, pageSize: number): Buffer {
    const page = dataset.page(productId, pageNo, pageSize);
    const text = toJsonText({
      count: page.total,
      pageNo,
      pageSize,
      results: page.records.map(wire),
      total: page.total,
      totalPage: Math.ceil(page.total / pageSize),
    });
    return Buffer.from(text, 'utf8');
  }

  return {
    page(productId, pageNo, pageSize) {
      const hookKey = `${productId}:${pageNo}`;
      const hooks = pageHooks.get(hookKey);
      if (hooks) {
        pageHooks.delete(hookKey);
        for (const hook of hooks) hook();
        // A hook may change the data by any means, not only through the dataset's own methods.
        pageCache.clear();
      }
      const cache = freshPageCache();
      const key = pageKey(productId, pageNo, pageSize);
      let result = cache.get(key);
      if (result === undefined) {
        result = render(productId, pageNo, pageSize);
        cache.add(key, result);
      }
      return result;
    },
    onPage(productId, pageNo, fn) {
      const key = `${productId}:${pageNo}`;
      pageHooks.set(key, [...(pageHooks.get(key) ?? []), fn]);
    },
    async prerender(pageSize) {
      if (!Number.isInteger(pageSize) || pageSize < 1) {
        throw new RangeError('pageSize must be an integer >= 1');
      }
      const size = Math.min(pageSize, MAX_PAGE_SIZE);
      let sinceYield = 0;
      for (const line of dataset.productLines()) {
        const productId = String(line.productId);
        // The page count is read again each time: a request served between chunks may remove records.
        for (let pageNo = 1; pageNo <= Math.max(1, Math.ceil(dataset.total(productId) / size)); pageNo++) {
          if (sinceYield >= PRERENDER_CHUNK) {
            sinceYield = 0;
            await new Promise((resolve) => setImmediate(resolve));
          }
          const cache = freshPageCache();
          const key = pageKey(productId, pageNo, size);
          if (cache.has(key)) continue;
          sinceYield++;
          if (!cache.add(key, render(productId, pageNo, size))) return;
        }
      }
    },
    stats: () => freshPageCache().stats(),
  };
}
