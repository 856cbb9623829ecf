export type PageCache = {
  get(key: string): Buffer | undefined;
  /** False when the page does not fit in what is left of the budget (it is then not kept). */
  add(key: string, bytes: Buffer): boolean;
  has(key: string): boolean;
  clear(): void;
  stats(): { pages: number; bytes: number; hits: number };
};

/** Enough for the benchmark's default 100,000 instances at 100 a page (~114 MB). */
export const DEFAULT_PAGE_CACHE_BYTES = 128 * 1024 * 1024;

/**
 * Rendered list pages (UTF-8, outside V8's heap so the GC never walks or copies them) up to `budget`
 * bytes. When full it keeps what it has and adds nothing more, rather than evicting: a client walks the
 * pages in the same order every cycle, so evicting the oldest would throw out each page just before
 * it is asked for again (no hit at all once the data set outgrows the budget), while keeping the
 * first ones serves as many pages as fit. Keys count towards the budget so that a flood of empty
 * pages past the end cannot grow it without bound.
 */
export function createPageCache(budget: number): PageCache {
  const pages = new Map<string, Buffer>();
  let bytes = 0;
  let hits = 0;
  return {
    get(key) {
      const page = pages.get(key);
      if (page !== undefined) hits++;
      return page;
    },
    add(key, page) {
      const size = key.length + page.length;
      if (pages.has(key) || bytes + size > budget) return false;
      pages.set(key, page);
      bytes += size;
      return true;
    },
    has: (key) => pages.has(key),
    clear() {
      pages.clear();
      bytes = 0;
    },
    stats: () => ({ pages: pages.size, bytes, hits }),
  };
}
