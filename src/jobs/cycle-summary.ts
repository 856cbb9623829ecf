import { queueOfJobId } from './ids.js';
import type { ProductCount } from './self-monitor.js';

/**
 * What a cycle's hash says about it, read back: the summary `npm run check` prints and the metrics get,
 * the progress shown while it runs, and what a job that failed for good adds to it.
 */

export type CycleSummary = {
  cycleId: string;
  startedAt: number;
  finishedAt: number;
  ok: boolean;
  instances: number;
  skipped: number;
  posted: number;
  escalated: number;
  updated: number;
  resolved: number;
  digests: number;
  /** Reminders posted in alert threads. */
  reminded: number;
  /** Deliveries waiting for a route's quiet hours to end: they go out on their own, after the cycle. */
  held: number;
  apiCalls: number;
  errors: number;
  enrichErrors: number;
  /** Why the cycle itself failed, when it did (a job's own failures are counted in `errors`). */
  error?: string;
  productLines: Array<{ productId: string; name: string; pages: number; done: number; failed: number }>;
};

export type CycleProgress = {
  cycleId: string;
  phase: string;
  pending: number;
  productLines: CycleSummary['productLines'];
};

/** A counter of the cycle's hash: 0 when absent or not a number. */
export const counterOf = (value: string | undefined) => (value === undefined ? 0 : Number(value) || 0);

export function productLinesOf(hash: Record<string, string>): CycleSummary['productLines'] {
  const products = hash.products
    ? (JSON.parse(hash.products) as Array<{ productId: string; name: string }>)
    : [];
  return products.map((p) => ({
    productId: p.productId,
    name: p.name,
    pages: counterOf(hash[`total:${p.productId}`]),
    done: counterOf(hash[`done:${p.productId}`]),
    failed: counterOf(hash[`failed:${p.productId}`]),
  }));
}

export function summaryOf(cycleId: string, hash: Record<string, string>): CycleSummary {
  const errors = counterOf(hash.errors);
  return {
    cycleId,
    startedAt: counterOf(hash.startedAt),
    finishedAt: counterOf(hash.finishedAt),
    ok: hash.status === 'done' && errors === 0,
    instances: counterOf(hash.instances),
    skipped: counterOf(hash.skipped),
    posted: counterOf(hash.posted),
    escalated: counterOf(hash.escalated),
    updated: counterOf(hash.updated),
    resolved: counterOf(hash.resolved),
    digests: counterOf(hash.digests),
    reminded: counterOf(hash.reminded),
    held: counterOf(hash.held),
    apiCalls: counterOf(hash.apiCalls),
    errors,
    enrichErrors: counterOf(hash.enrichErrors),
    ...(hash.error ? { error: hash.error } : {}),
    productLines: productLinesOf(hash),
  };
}

/** Product lines whose pages all came back, with how many instances they listed. */
export function completeLines(hash: Record<string, string>): ProductCount[] {
  return productLinesOf(hash)
    .filter((line) => line.failed === 0 && line.pages > 0 && line.done >= line.pages)
    .map((line) => ({
      productId: line.productId,
      name: line.name,
      instances: counterOf(hash[`seen:${line.productId}`]),
    }));
}

/** What a job that failed for good adds to its cycle: an error, and for a scan a failed page. */
export function failureCounters(jobId: string, data?: { productId?: unknown }): Record<string, number> {
  const counters: Record<string, number> = { errors: 1 };
  if (queueOfJobId(jobId) === 'scan') {
    const productId = typeof data?.productId === 'string' ? data.productId : jobId.split('|')[2];
    if (productId) counters[`failed:${productId}`] = 1;
  }
  return counters;
}
