import { parseJsonSafe } from '../src/util/json.js';
import { CATALOG, catalogLine } from './catalog.js';
import { EXAMPLE_INSTANCE_LIST } from './examples.js';
import { hasBarePlanId, type InstanceGenerator, type RawInstance } from './generator.js';

/**
 * What the simulator serves: the generated instances plus the few changes tests make to them
 * (removed, patched, corrupted records) and, optionally, page 000's two example records at the head
 * of product line 13. Changes live in small maps keyed by SN; nothing is materialised per instance.
 */

export const EXAMPLES_PRODUCT_ID = '13';

/** One record ready to serve, with what the wire format needs to know about it. */
export type ServedRecord = {
  record: RawInstance;
  /** The generated index, or undefined for an example record. */
  index: number | undefined;
  /** Send `planId` as a bare JSON number (a real API mixes types; the client must keep it exact). */
  barePlanId: boolean;
};

export type DatasetPage = { total: number; records: ServedRecord[] };

export interface SimDataset {
  productLines(): { name: string; productId: number }[];
  page(productId: string, pageNo: number, pageSize: number): DatasetPage;
  /** How many records the list of this product line holds (0 for an unknown one). */
  total(productId: string): number;
  find(productId: string, productNo: string): ServedRecord | undefined;
  remove(productId: string, productNo: string): void;
  update(productId: string, productNo: string, patch: Partial<RawInstance>): void;
  corrupt(productId: string, productNo: string, field: string): void;
  listNos(productId: string): string[];
  /**
   * Goes up with every change to what is served, so whoever keeps rendered pages can tell they are
   * stale without each new kind of change having to remember to tell it.
   */
  readonly revision: number;
}

const keyOf = (productId: string, productNo: string) => `${productId}:${productNo}`;

function exampleRecords(): RawInstance[] {
  const envelope = parseJsonSafe(EXAMPLE_INSTANCE_LIST) as { result: { results: RawInstance[] } };
  return envelope.result.results;
}

/** Deletes `field` (a dotted path such as `serviceList.0.serviceId`) from a record. */
function deletePath(target: unknown, path: string): void {
  const parts = path.split('.');
  let node: unknown = target;
  for (const part of parts.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string, unknown>)[part];
  }
  if (node !== null && typeof node === 'object') delete (node as Record<string, unknown>)[parts.at(-1)!];
}

export function createDataset(generator: InstanceGenerator, options: { examples: boolean }): SimDataset {
  const examples = options.examples ? exampleRecords() : [];
  const removedExamples = new Set<string>();
  /** Per product line: ranks (positions within the line) of removed generated instances, ascending. */
  const removedRanks = new Map<string, number[]>();
  const patches = new Map<string, Partial<RawInstance>>();
  const corruptions = new Map<string, Set<string>>();
  let revision = 0;

  function aliveExamples(productId: string): RawInstance[] {
    if (productId !== EXAMPLES_PRODUCT_ID) return [];
    return examples.filter((e) => !removedExamples.has(e.productNo));
  }

  function locate(
    productId: string,
    productNo: string,
  ): { index: number } | { example: RawInstance } | undefined {
    const example = aliveExamples(productId).find((e) => e.productNo === productNo);
    if (example) return { example };
    const index = generator.indexOfProductNo(productNo);
    if (index === undefined || String(generator.lineOf(index).productId) !== productId) return undefined;
    const removed = removedRanks.get(productId);
    if (removed && binarySearch(removed, generator.rankOf(index)) >= 0) return undefined;
    return { index };
  }

  function serve(productId: string, base: RawInstance, index: number | undefined): ServedRecord {
    // The patch and corruption are looked up by the SN the record was created with, even when the
    // patch or corruption removes or changes it.
    const key = keyOf(productId, base.productNo);
    const patch = patches.get(key);
    const corrupted = corruptions.get(key);
    const record: RawInstance =
      index === undefined || patch || corrupted ? structuredClone({ ...base, ...patch }) : base;
    if (corrupted) for (const field of corrupted) deletePath(record, field);
    const barePlanId =
      index !== undefined &&
      hasBarePlanId(index) &&
      typeof record.planId === 'string' &&
      /^\d{16,}$/.test(record.planId);
    return { record, index, barePlanId };
  }

  function rankAfterRemovals(productId: string, position: number): number {
    let rank = position;
    for (const removed of removedRanks.get(productId) ?? []) {
      if (removed <= rank) rank++;
      else break;
    }
    return rank;
  }

  function total(productId: string): number {
    return (
      aliveExamples(productId).length +
      generator.countInLine(productId) -
      (removedRanks.get(productId)?.length ?? 0)
    );
  }

  function recordAt(productId: string, position: number, alive: RawInstance[]): ServedRecord {
    if (position < alive.length) return serve(productId, alive[position]!, undefined);
    const index = generator.indexAt(productId, rankAfterRemovals(productId, position - alive.length));
    return serve(productId, generator.instanceAt(index), index);
  }

  return {
    get revision() {
      return revision;
    },

    productLines: () => CATALOG.map((line) => ({ name: line.name, productId: line.productId })),

    total: (productId) => (catalogLine(productId) ? total(productId) : 0),

    page(productId, pageNo, pageSize) {
      const count = catalogLine(productId) ? total(productId) : 0;
      const alive = aliveExamples(productId);
      const records: ServedRecord[] = [];
      const start = (pageNo - 1) * pageSize;
      for (let p = start; p < Math.min(count, start + pageSize); p++) {
        records.push(recordAt(productId, p, alive));
      }
      return { total: count, records };
    },

    find(productId, productNo) {
      const found = locate(productId, productNo);
      if (!found) return undefined;
      return 'example' in found
        ? serve(productId, found.example, undefined)
        : serve(productId, generator.instanceAt(found.index), found.index);
    },

    remove(productId, productNo) {
      const found = locate(productId, productNo);
      if (!found) return;
      revision++;
      if ('example' in found) {
        removedExamples.add(productNo);
        return;
      }
      const ranks = removedRanks.get(productId) ?? [];
      const rank = generator.rankOf(found.index);
      const at = binarySearch(ranks, rank);
      if (at < 0) ranks.splice(-at - 1, 0, rank);
      removedRanks.set(productId, ranks);
    },

    update(productId, productNo, patch) {
      revision++;
      const key = keyOf(productId, productNo);
      patches.set(key, { ...patches.get(key), ...structuredClone(patch) });
    },

    corrupt(productId, productNo, field) {
      revision++;
      const key = keyOf(productId, productNo);
      const fields = corruptions.get(key) ?? new Set<string>();
      fields.add(field);
      corruptions.set(key, fields);
    },

    listNos(productId) {
      if (!catalogLine(productId)) return [];
      const alive = aliveExamples(productId);
      const out: string[] = alive.map((e) => e.productNo);
      const count = total(productId);
      for (let p = alive.length; p < count; p++) {
        const index = generator.indexAt(productId, rankAfterRemovals(productId, p - alive.length));
        out.push(generator.productNoOf(index));
      }
      return out;
    },
  };
}

/** Index of `value` in ascending `list`, or -(insertion point) - 1 when absent. */
function binarySearch(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = list[mid]!;
    if (at === value) return mid;
    if (at < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

/**
 * What renewing an instance by hand in the portal changes: the plan and every service run until `until`,
 * nothing switching. Tests and the chaos run apply it with `updateInstance`.
 */
export function renewedUntil(raw: RawInstance, until: number): Partial<RawInstance> {
  return {
    planStatus: 'purchased',
    planExpireDate: until,
    currentPlan: '',
    currentPlanExpireDate: null,
    nextPlan: '',
    nextPlanStartDate: null,
    nextPlanExpireDate: null,
    serviceList: raw.serviceList.map((s) => ({ ...s, serviceStatus: 'purchased', serviceExpireDate: until })),
  };
}
