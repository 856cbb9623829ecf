import { parseArgs } from 'node:util';
import { createGenerator, defaultAttention } from '../sim/generator.js';
import { createSnapshotBuilder } from '../src/forecast/collect.js';
import { forecastCsv } from '../src/forecast/csv.js';
import { buildForecast } from '../src/forecast/model.js';
import { decodeSnapshot, encodeSnapshot } from '../src/forecast/snapshot.js';
import { parseInstance } from '../src/yeastar/schemas.js';

/**
 * `npm run bench:forecast` (issue 24): the renewal forecast over N simulated instances, in one process
 * with no I/O. The simulator's records go through the client's own parser, then into a snapshot kept
 * for `--days` plus a week (what the cycle will store), which is encoded and decoded; the export is the
 * model over the decoded items plus the CSV text. Each timing is the median of five runs. The last line
 * is for scripts:
 *   forecast: instances=… items=… snapshot_bytes=… encode_ms=… decode_ms=… csv_bytes=… csv_ms=…
 * where items are the snapshot's items and csv_ms is the model and the CSV together. With
 * `--redis redis://…` it also stores the snapshot as a cycle does and exports it to a local fake Slack:
 *   forecast-redis: pages=… parts_bytes=… commit_ms=… snapshot_bytes=… redis_memory_bytes=… export_ms=… csv_bytes=…
 */

const { values: flags } = parseArgs({
  options: {
    instances: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    days: { type: 'string', default: '90' },
    tz: { type: 'string', default: 'Europe/Berlin' },
    /** With a Redis URL: the snapshot as the cycle writes it (page parts, commit) and the export's path. */
    redis: { type: 'string' },
  },
});

function wholeNumber(name: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    process.stderr.write(`bench:forecast: --${name} must be a whole number >= ${min}, got ${raw}\n`);
    process.exit(2);
  }
  return value;
}

const instances = wholeNumber('instances', flags.instances, 1);
const seed = wholeNumber('seed', flags.seed, 0);
const days = wholeNumber('days', flags.days, 0);
const timeZone = flags.tz;
/** A fixed instant, so that every run forecasts the same data. */
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const PORTAL = 'https://partner.yeastar.com';
/** What the cycle will keep: the window plus a week for a snapshot to age before the next one. */
const HORIZON_MARGIN_DAYS = 7;

const say = (line: string) => process.stderr.write(`${line}\n`);

function median<T>(runs: number, work: () => T): { ms: number; result: T } {
  const times: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(runs / 2)]!, result: result as T };
}

/** The instances as the cycle's pages see them, 100 at a time, each with its product line's name. */
function* pages(generator: ReturnType<typeof createGenerator>) {
  let page: Array<{ instance: ReturnType<typeof parseInstance>; line: string }> = [];
  for (let i = 0; i < instances; i++) {
    const line = generator.lineOf(i);
    page.push({ instance: parseInstance(generator.instanceAt(i), String(line.productId)), line: line.name });
    if (page.length === 100) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

function buildSnapshot() {
  const generator = createGenerator({
    seed,
    instances,
    attention: defaultAttention(instances),
    anchorMs: NOW,
  });
  const builder = createSnapshotBuilder({
    takenAt: NOW,
    timeZone,
    horizonDays: days + HORIZON_MARGIN_DAYS,
    portalUrl: PORTAL,
  });
  for (let i = 0; i < instances; i++) {
    const line = generator.lineOf(i);
    builder.addInstance(parseInstance(generator.instanceAt(i), String(line.productId)), line.name);
  }
  return builder.build();
}

const started = performance.now();
const snapshot = buildSnapshot();
say(`generated and parsed ${instances} instances in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const encode = median(5, () => encodeSnapshot(snapshot));
const decode = median(5, () => decodeSnapshot(encode.result));
const model = median(5, () =>
  buildForecast(decode.result, { now: NOW, timeZone, days, coversUntil: decode.result.coversUntil }),
);
const csv = median(5, () => {
  const forecast = buildForecast(decode.result, { now: NOW, timeZone, days });
  return forecastCsv(forecast.rows, timeZone);
});
const csvBytes = Buffer.byteLength(csv.result, 'utf8');
const plainJsonBytes = Buffer.byteLength(
  JSON.stringify({ ...snapshot, undatedByCustomer: [...snapshot.undatedByCustomer] }),
);

say(
  `snapshot: ${snapshot.items.length} items due within ${days}+${HORIZON_MARGIN_DAYS} days or overdue, ` +
    `${(encode.result.length / 1024).toFixed(0)} KiB (the items as plain JSON objects: ${(plainJsonBytes / 1024).toFixed(0)} KiB)`,
);
say(
  `forecast: ${model.result.rows.length} rows in ${days} days (${model.result.overdue.count} overdue), ` +
    `model ${model.ms.toFixed(1)} ms, model + CSV ${csv.ms.toFixed(1)} ms`,
);
console.log(
  `forecast: instances=${instances} items=${snapshot.items.length} snapshot_bytes=${encode.result.length} ` +
    `encode_ms=${encode.ms.toFixed(1)} decode_ms=${decode.ms.toFixed(1)} csv_bytes=${csvBytes} csv_ms=${csv.ms.toFixed(1)}`,
);

if (flags.redis) await redisPath(flags.redis);

/**
 * `--redis URL`: what the wiring adds. The cycle: every page leaves its part (as the scan does), the end
 * of the cycle joins them (`commit`); then the snapshot's size in Redis (MEMORY USAGE). The export: read
 * and decode, the model, the CSV, and the upload to a local fake Slack through Bolt's WebClient
 * (`files.uploadV2`: getUploadURLExternal, the POST of the bytes, completeUploadExternal).
 */
async function redisPath(url: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const { createForecastStore } = await import('../src/forecast/store.js');
  const { deleteKeysMatching } = await import('../src/ops/redis-keys.js');
  const { createFakeSlack } = await import('../sim/fake-slack.js');
  const { WebClient } = await import('@slack/web-api');
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const prefix = `bench-forecast-${process.pid}`;
  const store = createForecastStore({ redis, prefix });
  const slack = await createFakeSlack();
  try {
    const generator = createGenerator({
      seed,
      instances,
      attention: defaultAttention(instances),
      anchorMs: NOW,
    });
    let pageNo = 0;
    let partBytes = 0;
    for (const page of pages(generator)) {
      const builder = createSnapshotBuilder({
        takenAt: NOW,
        timeZone,
        horizonDays: days + HORIZON_MARGIN_DAYS + 1,
        portalUrl: PORTAL,
      });
      for (const { instance, line } of page) builder.addInstance(instance, line);
      const part = encodeSnapshot(builder.build());
      partBytes += part.length;
      await store.savePage('bench', `page-${pageNo++}`, part);
    }
    const commitStart = performance.now();
    const committed = await store.commit('bench', {
      takenAt: NOW,
      timeZone,
      horizonDays: days + HORIZON_MARGIN_DAYS,
      portalUrl: PORTAL,
    });
    const commitMs = performance.now() - commitStart;
    const memory = Number(await redis.call('MEMORY', 'USAGE', store.keys.snapshot, 'SAMPLES', '0'));
    say(
      `cycle: ${pageNo} page parts, ${(partBytes / 1024).toFixed(0)} KiB in Redis while the cycle runs; commit ${commitMs.toFixed(0)} ms`,
    );
    const exportStart = performance.now();
    const snap = (await store.read())!;
    const forecast = buildForecast(snap, { now: NOW, timeZone, days, coversUntil: snap.coversUntil });
    const file = Buffer.from(forecastCsv(forecast.rows, timeZone), 'utf8');
    const csvDone = performance.now();
    const client = new WebClient('xoxb-bench', { slackApiUrl: slack.url });
    await client.files.uploadV2({ channel_id: 'DBENCH', file, filename: 'forecast.csv' });
    const exportMs = performance.now() - exportStart;
    const uploaded = [...slack.files.values()][0]?.bytes?.length ?? 0;
    say(
      `export: read + model + CSV ${(csvDone - exportStart).toFixed(0)} ms, with the upload ${exportMs.toFixed(0)} ms; ${uploaded} bytes arrived`,
    );
    console.log(
      `forecast-redis: pages=${pageNo} parts_bytes=${partBytes} commit_ms=${commitMs.toFixed(0)} snapshot_bytes=${committed.bytes} ` +
        `redis_memory_bytes=${memory} export_ms=${exportMs.toFixed(0)} csv_bytes=${file.length}`,
    );
  } finally {
    await deleteKeysMatching(redis, `${prefix}:*`);
    await redis.quit();
    await slack.close();
  }
}
