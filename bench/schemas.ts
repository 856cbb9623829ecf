/**
 * CPU spent reading instance records at the API boundary: N raw records (the simulator's generator,
 * seeded, with its attention instances, bare 19-digit planIds and a few malformed records) as pages of
 * 100, each page's text parsed with parseJsonSafe outside the measured window, then read by each
 * candidate (envelope + page + records) inside it. Several rounds, candidates taken in turns.
 *
 * Usage: npm run bench:schemas -- [--instances 100000] [--rounds 5] [--only fast,zod4]
 * Prints CPU ms per 100,000 records (process.cpuUsage, user + system) and the bytes each candidate
 * allocates per record (heap growth over the pages no collection interrupted).
 */
import { isDeepStrictEqual } from 'node:util';
import { CATALOG } from '../src/sim/catalog.js';
import { createGenerator, hasBarePlanId, type RawInstance } from '../src/sim/generator.js';
import { parseJsonSafe } from '../src/util/json.js';
import { parseEnvelope } from '../src/yeastar/schemas/envelope.js';
import { parseInstancePage } from '../src/yeastar/schemas/instances.js';
import * as today from '../src/yeastar/schemas.js';
import type { Instance } from '../src/yeastar/types.js';

type Page = { productId: string; text: string };
type Read = { instances: Instance[]; skipped: Array<{ index: number; field: string; reason: string }> };
type Candidate = { key: string; name: string; read: (body: unknown, productId: string) => Read };

const PAGE_SIZE = 100;
const SEED = 20261125;
const ANCHOR_MS = Date.UTC(2026, 10, 25, 12);

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} expects a positive whole number`);
  return value;
}

/** One record in 10,000 is broken, four ways in turn: what a changed or faulty API would send. */
function malformed(record: RawInstance, i: number): unknown {
  const broken: Record<string, unknown> = { ...record };
  switch (Math.floor(i / 10_000) % 4) {
    case 0:
      delete broken['productNo'];
      break;
    case 1:
      broken['planExpireDate'] = 'next tuesday';
      break;
    case 2:
      broken['serviceList'] = 'none';
      break;
    default:
      broken['serviceList'] = [{ serviceId: '1', serviceExpireDate: { at: 1 } }];
  }
  return broken;
}

/** Pages as the simulator serves them: per product line, 100 records each, as JSON text. */
function buildPages(instances: number): Page[] {
  const generator = createGenerator({ seed: SEED, instances, attention: 1000, anchorMs: ANCHOR_MS });
  const pages: Page[] = [];
  for (const line of CATALOG) {
    const productId = String(line.productId);
    const count = generator.countInLine(productId);
    for (let first = 0; first < count; first += PAGE_SIZE) {
      const records: string[] = [];
      for (let rank = first; rank < Math.min(count, first + PAGE_SIZE); rank++) {
        const i = generator.indexAt(productId, rank);
        const record = generator.instanceAt(i);
        let json = JSON.stringify(i % 10_000 === 7 ? malformed(record, i) : record);
        // As on the wire: one record in 1,000 sends its planId as a bare 19-digit number.
        if (hasBarePlanId(i)) json = json.replace(/"planId":"(\d+)"/, '"planId":$1');
        records.push(json);
      }
      const result = `{"count":${count},"pageNo":${first / PAGE_SIZE + 1},"pageSize":${PAGE_SIZE},"results":[${records.join(',')}],"total":${count},"totalPage":${Math.ceil(count / PAGE_SIZE)}}`;
      const text = `{"code":"success","detailMessage":"","requestId":"bench","result":${result},"status":200}`;
      pages.push({ productId, text });
    }
  }
  return pages;
}

const CANDIDATES: Candidate[] = [
  {
    key: 'fast',
    name: 'fast readers (today: zod v3 only for refused records)',
    read: (body, productId) => today.parseInstancePage(today.parseEnvelope(body).result, productId),
  },
  {
    key: 'zod3',
    name: "zod v3 alone (today's schemas)",
    read: (body, productId) => readWithZod3(body, productId),
  },
  {
    key: 'zod4',
    name: 'zod v4 alone (z.compile)',
    read: (body, productId) => parseInstancePage(parseEnvelope(body).result, productId),
  },
];

/** Today's zod v3 schemas without the fast readers in front: what reading costs with zod 3 alone. */
function readWithZod3(body: unknown, productId: string): Read {
  const envelope = today.envelopeSchema.parse(body);
  const page = today.pageMetaSchema.parse(envelope.result);
  const read: Read = { instances: [], skipped: [] };
  page.results.forEach((raw, index) => {
    const parsed = today.instanceRecordSchema.safeParse(raw);
    if (parsed.success) read.instances.push({ productId, ...parsed.data });
    else {
      const issue = parsed.error.issues[0]!;
      read.skipped.push({ index, field: today.formatPath(issue.path) || 'record', reason: issue.message });
    }
  });
  return read;
}

type Round = { cpuMs: number; wallMs: number; bytes: number; records: number; skipped: number };

/** One pass of a candidate over every page: only its own work is inside the measured windows. */
function measure(candidate: Candidate, pages: Page[]): Round {
  const round: Round = { cpuMs: 0, wallMs: 0, bytes: 0, records: 0, skipped: 0 };
  let bytesOver = 0;
  let cleanPages = 0;
  for (const page of pages) {
    const body = parseJsonSafe(page.text);
    const heapBefore = process.memoryUsage().heapUsed;
    const wallBefore = performance.now();
    const cpuBefore = process.cpuUsage();
    const read = candidate.read(body, page.productId);
    const cpu = process.cpuUsage(cpuBefore);
    round.wallMs += performance.now() - wallBefore;
    const grown = process.memoryUsage().heapUsed - heapBefore;
    round.cpuMs += (cpu.user + cpu.system) / 1000;
    round.records += read.instances.length + read.skipped.length;
    round.skipped += read.skipped.length;
    // A scavenge during the window shrinks the heap: those pages say nothing about allocation.
    if (grown > 0) {
      bytesOver += grown;
      cleanPages++;
    }
  }
  round.bytes = cleanPages > 0 ? bytesOver / cleanPages / PAGE_SIZE : Number.NaN;
  return round;
}

/** Every candidate reads every page to the same instances and the same skipped records. */
function checkAgreement(candidates: Candidate[], pages: Page[]): void {
  for (const page of pages) {
    const reads = candidates.map((c) => c.read(parseJsonSafe(page.text), page.productId));
    const [first, ...rest] = reads.map((r) => ({
      instances: r.instances,
      skipped: r.skipped.map(({ index, field }) => ({ index, field })),
    }));
    for (const other of rest) {
      if (!isDeepStrictEqual(first, other))
        throw new Error(`candidates disagree on a page of ${page.productId}`);
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function main(): void {
  const instances = option('instances', 100_000);
  const rounds = option('rounds', 5);
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const candidates = CANDIDATES.filter((c) => !only || only.split(',').includes(c.key));
  const pages = buildPages(instances);
  checkAgreement(candidates, pages);
  const results = new Map<string, Round[]>(candidates.map((c) => [c.name, []]));
  // Round 0 warms every candidate up and is not counted; the order turns each round.
  for (let r = 0; r <= rounds; r++) {
    for (let k = 0; k < candidates.length; k++) {
      const candidate = candidates[(r + k) % candidates.length]!;
      const round = measure(candidate, pages);
      if (r > 0) results.get(candidate.name)!.push(round);
    }
  }
  const per100k = 100_000 / instances;
  console.log(`bench:schemas: ${instances} records in ${pages.length} pages, ${rounds} rounds (median, min)`);
  for (const [name, runs] of results) {
    const cpu = runs.map((x) => x.cpuMs * per100k);
    const { records, skipped } = runs[0]!;
    console.log(
      `  ${name.padEnd(54)} cpu_ms_per_100k=${median(cpu).toFixed(0)} (min ${Math.min(...cpu).toFixed(0)})` +
        ` wall_ms=${(median(runs.map((x) => x.wallMs)) * per100k).toFixed(0)}` +
        ` bytes_per_record=${median(runs.map((x) => x.bytes)).toFixed(0)} records=${records} skipped=${skipped}`,
    );
  }
}

main();
