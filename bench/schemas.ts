/**
 * CPU spent reading instance records at the API boundary (src/yeastar/schemas.ts): N raw records from the
 * simulator's generator (seeded, with its attention instances, bare 19-digit planIds and a few malformed
 * records) as pages of 100 in JSON text. Each step is measured alone, several rounds, in turns:
 * - json: parseJsonSafe of the page text, for scale;
 * - schemas: envelope, page and records read from the parsed page (its parse outside the window).
 *
 * Usage: npm run bench:schemas -- [--instances 100000] [--rounds 5]
 * Prints CPU ms per 100,000 records (process.cpuUsage, user + system) and the bytes each step allocates
 * per record (heap growth over the pages no collection interrupted).
 */
import { CATALOG } from '../sim/catalog.js';
import { createGenerator, hasBarePlanId, type RawInstance } from '../sim/generator.js';
import { parseJsonSafe } from '../src/util/json.js';
import { parseEnvelope, parseInstancePage } from '../src/yeastar/schemas.js';

type Page = { productId: string; text: string };
/** A measured step: `prepare` runs outside the window, `run` inside; `run` answers the records it read. */
type Step = {
  name: string;
  prepare: (page: Page) => unknown;
  run: (input: unknown, page: Page) => { records: number; skipped: number };
};

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

const STEPS: Step[] = [
  {
    name: 'json: parseJsonSafe of the page',
    prepare: (page) => page.text,
    run: (text) => {
      parseJsonSafe(text as string);
      return { records: 0, skipped: 0 };
    },
  },
  {
    name: 'schemas: envelope, page and records',
    prepare: (page) => parseJsonSafe(page.text),
    run: (body, page) => {
      const read = parseInstancePage(parseEnvelope(body).result, page.productId);
      return { records: read.instances.length + read.skipped.length, skipped: read.skipped.length };
    },
  },
];

type Round = { cpuMs: number; wallMs: number; bytes: number; records: number; skipped: number };

/** One pass of a step over every page: only `run` is inside the measured windows. */
function measure(step: Step, pages: Page[]): Round {
  const round: Round = { cpuMs: 0, wallMs: 0, bytes: 0, records: 0, skipped: 0 };
  let bytesOver = 0;
  let cleanPages = 0;
  for (const page of pages) {
    const input = step.prepare(page);
    const heapBefore = process.memoryUsage().heapUsed;
    const wallBefore = performance.now();
    const cpuBefore = process.cpuUsage();
    const read = step.run(input, page);
    const cpu = process.cpuUsage(cpuBefore);
    round.wallMs += performance.now() - wallBefore;
    const grown = process.memoryUsage().heapUsed - heapBefore;
    round.cpuMs += (cpu.user + cpu.system) / 1000;
    round.records += read.records;
    round.skipped += read.skipped;
    // A scavenge during the window shrinks the heap: those pages say nothing about allocation.
    if (grown > 0) {
      bytesOver += grown;
      cleanPages++;
    }
  }
  round.bytes = cleanPages > 0 ? bytesOver / cleanPages / PAGE_SIZE : Number.NaN;
  return round;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function report(instances: number, rounds: number, results: Map<string, Round[]>): void {
  const per100k = 100_000 / instances;
  console.log(`bench:schemas: ${instances} records, ${rounds} rounds; per 100,000 records, median (min):`);
  for (const [name, runs] of results) {
    const cpu = runs.map((x) => x.cpuMs * per100k);
    console.log(
      `  ${name.padEnd(38)} cpu_ms=${median(cpu).toFixed(0)} (${Math.min(...cpu).toFixed(0)})` +
        ` wall_ms=${(median(runs.map((x) => x.wallMs)) * per100k).toFixed(0)}` +
        ` bytes_per_record=${median(runs.map((x) => x.bytes)).toFixed(0)}`,
    );
  }
}

function main(): void {
  const instances = option('instances', 100_000);
  const rounds = option('rounds', 5);
  const pages = buildPages(instances);
  const results = new Map<string, Round[]>(STEPS.map((step) => [step.name, []]));
  // Round 0 warms every step up and is not counted; the order turns each round.
  for (let r = 0; r <= rounds; r++) {
    for (let k = 0; k < STEPS.length; k++) {
      const step = STEPS[(r + k) % STEPS.length]!;
      const round = measure(step, pages);
      if (r > 0) results.get(step.name)!.push(round);
    }
  }
  const read = results.get(STEPS[1]!.name)![0]!;
  const malformed = Math.ceil((instances - 7) / 10_000);
  if (read.records !== instances || read.skipped !== malformed) {
    throw new Error(
      `read ${read.records} records, ${read.skipped} skipped; expected ${instances}, ${malformed}`,
    );
  }
  report(instances, rounds, results);
}

main();
