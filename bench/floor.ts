import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { PATHS } from '../sim/server.js';
import { createLogger } from '../src/logger.js';
import { deleteKeysMatching } from '../src/ops/redis-keys.js';
import { createYeastarClient } from '../src/yeastar/client.js';
import { createHttp, relativePath } from '../src/yeastar/http.js';
import { createLimiter } from '../src/yeastar/limiter.mjs';
import { startSimChild } from './sim-child.js';

/**
 * `npm run bench:floor`: the ratio `npm run bench` would reach if the bot did nothing but fetch. The same
 * simulator, latency and concurrency; no Redis state, no jobs, no Slack. Three passes of as many requests
 * as there are pages: got alone on the pages (bytes, nothing parsed), got alone on a small answer, and the
 * Yeastar client on the pages (parsed and checked). What is above 1.00 here is the machine's and the
 * libraries'; what the cycle adds on top is the pipeline's.
 */

const { values: flags } = parseArgs({
  options: {
    pages: { type: 'string', default: '1000' },
    latency: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '8' },
  },
});
const pages = Number(flags.pages);
const latencyMs = Number(flags.latency);
const concurrency = Number(flags.concurrency);
for (const [name, value] of Object.entries({ pages, latency: latencyMs, concurrency })) {
  if (!Number.isInteger(value) || value < (name === 'latency' ? 0 : 1)) {
    process.stderr.write(`bench:floor: --${name} must be a whole number, got ${value}\n`);
    process.exit(2);
  }
}
const PAGE_SIZE = 100;

const sim = await startSimChild({
  instances: pages * PAGE_SIZE,
  attention: 0,
  seed: 1,
  faults: { latencyMs },
});
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
const prefix = `bench-floor-${randomBytes(4).toString('hex')}`;
const client = createYeastarClient({
  baseUrl: sim.url,
  clientId: sim.credentials.clientId,
  clientSecret: sim.credentials.clientSecret,
  userAgent: 'yeastar-renewal-bot bench:floor',
  redis,
  keyPrefix: prefix,
  logger: createLogger({ level: 'warn' }),
  concurrency,
  pageSize: PAGE_SIZE,
});

/** Every page of every product line, as the cycle asks for them. */
async function pageList(): Promise<Array<{ productId: string; pageNo: number }>> {
  const list: Array<{ productId: string; pageNo: number }> = [];
  for (const line of await client.listProductLines()) {
    const first = await client.getInstancePage(line.productId, 1, PAGE_SIZE);
    for (let pageNo = 1; pageNo <= first.totalPage; pageNo++)
      list.push({ productId: line.productId, pageNo });
  }
  return list;
}

/** Twice as many workers as slots, as the scan runs: a slot never waits for someone to ask. */
async function timed(work: Array<() => Promise<unknown>>): Promise<{ seconds: number; cpu: number }> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency * 2 }, async () => {
      while (next < work.length) await work[next++]!();
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds: (performance.now() - started) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

try {
  const list = await pageList();
  const bound = (list.length * latencyMs) / 1000 / concurrency;
  const http = createHttp({ baseUrl: sim.url, userAgent: 'bench:floor', timeoutMs: 15_000 });
  const tokenAnswer = JSON.parse(
    (
      await http.post(relativePath(PATHS.token), {
        json: {
          grant_type: 'pp_credentials',
          client_id: sim.credentials.clientId,
          client_secret: sim.credentials.clientSecret,
        },
      })
    ).body,
  ) as { result: { token: string } };
  const slots = createLimiter(concurrency);
  const report = (name: string, r: { seconds: number; cpu: number }) =>
    process.stdout.write(
      `${name}: ${list.length} requests in ${r.seconds.toFixed(2)} s, bound ${bound.toFixed(2)} s, ` +
        `ratio ${(r.seconds / bound).toFixed(3)}, CPU ${r.cpu.toFixed(2)} s (${((r.cpu / list.length) * 1000).toFixed(2)} ms a request)\n`,
    );
  const gotOnly = await timed(
    list.map(({ productId, pageNo }) => async () => {
      await slots.run(() =>
        http.get(relativePath(PATHS.instanceList), {
          searchParams: { productId, pageNo: String(pageNo), pageSize: String(PAGE_SIZE) },
          headers: { authorization: `Bearer ${tokenAnswer.result.token}` },
          responseType: 'buffer',
        }),
      );
    }),
  );
  report('got alone, bytes', gotOnly);
  // The cycle's other two thirds are small answers (purchase and renewal look-ups): 1 KB, not 115 KB.
  const small = await timed(
    list.map(() => async () => {
      await slots.run(() =>
        http.get(relativePath(PATHS.productList), {
          headers: { authorization: `Bearer ${tokenAnswer.result.token}` },
          responseType: 'buffer',
        }),
      );
    }),
  );
  report('got alone, a small answer (product_list) as often', small);
  const viaClient = await timed(
    list.map(
      ({ productId, pageNo }) =>
        () =>
          client.getInstancePage(productId, pageNo, PAGE_SIZE),
    ),
  );
  report('Yeastar client, parsed and checked', viaClient);
  process.stdout.write(
    `floor: pages=${list.length} latency_ms=${latencyMs} concurrency=${concurrency} ` +
      `got_ratio=${(gotOnly.seconds / bound).toFixed(3)} got_small_ratio=${(small.seconds / bound).toFixed(3)} ` +
      `client_ratio=${(viaClient.seconds / bound).toFixed(3)}\n`,
  );
} finally {
  await deleteKeysMatching(redis, `${prefix}*`).catch(() => {});
  await redis.quit().catch(() => redis.disconnect());
  await sim.close();
}
