import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { type Config, loadConfig } from '../src/config.js';
import type { CycleSummary } from '../src/jobs/orchestrator.js';
import { createPipeline } from '../src/jobs/pipeline.js';
import { wirePipeline } from '../src/jobs/wiring.js';
import { createLogger } from '../src/logger.js';
import { type PrivateRedis, redisAnswers, startPrivateRedis } from '../src/ops/private-redis.js';
import { deleteKeysMatching } from '../src/ops/redis-keys.js';
import { httpThreadBusyMs } from '../src/yeastar/transport.js';
import type { ClientStats } from '../src/yeastar/types.js';
import { type BotChild, startBotChild } from './bot-child.js';
import { middayOffsetMs, offsetClock } from './clock.js';
import { createRedisCounter } from './counting-redis.js';
import { type SimChild, startSimChild } from './sim-child.js';

/**
 * `npm run bench` (issue #4): one cycle of the real pipeline against the simulator (N instances, a fixed
 * latency per request, in a child process) and a local fake Slack with no rate limit, then a second cycle
 * over unchanged data. Reports how close the cycle comes to the API's own lower bound (every request
 * waits L, `concurrency` at a time), the bot's peak RSS, Redis traffic and Slack calls. The last line
 * is for scripts.
 */

const CHANNEL = 'CBENCH0RENEW';

const { values: flags } = parseArgs({
  options: {
    instances: { type: 'string', default: '100000' },
    latency: { type: 'string', default: '20' },
    attention: { type: 'string' },
    concurrency: { type: 'string' },
    seed: { type: 'string', default: '1' },
    processes: { type: 'string', default: '1' },
  },
});

function wholeNumber(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    process.stderr.write(`bench: --${name} must be a whole number >= ${min}, got ${raw}\n`);
    process.exit(2);
  }
  return value;
}

const instances = wholeNumber('instances', flags.instances, 1)!;
const latencyMs = wholeNumber('latency', flags.latency, 0)!;
const attention = wholeNumber('attention', flags.attention, 0) ?? Math.min(instances, 1_000);
const concurrencyFlag = wholeNumber('concurrency', flags.concurrency, 1);
const seed = wholeNumber('seed', flags.seed, 0)!;
/** Bot processes sharing the work, as several `npm start` on one Redis would (this one included). */
const processes = wholeNumber('processes', flags.processes, 1)!;

const say = (line: string) => process.stderr.write(`${line}\n`);

const HEAP_FLAGS = ['--max-old-space-size', '--max-semi-space-size', '--single-threaded-gc'];

/** The V8 heap flags in `args`, in a fixed order: "--max-old-space-size=256 --max-semi-space-size=8 --single-threaded-gc". */
function heapFlagsIn(args: string[]): string {
  return HEAP_FLAGS.map((flag) => args.find((arg) => arg === flag || arg.startsWith(`${flag}=`)))
    .filter((arg): arg is string => arg !== undefined)
    .join(' ');
}

/**
 * The heap flags `npm start` declares (package.json) and the ones this process runs with: the bot's live
 * heap is a few tens of MB, and without a cap V8 lets garbage pile up to a size set by the machine's
 * memory; the young generation's size sets how much of the CPU goes to garbage collection. The bench
 * must measure the bot as it is run, so a difference is reported.
 */
function heapFlags(): { start: string; bench: string } {
  let start = '';
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      scripts?: Record<string, string>;
    };
    start = heapFlagsIn((pkg.scripts?.start ?? '').split(/\s+/));
  } catch {
    // Only a report: without package.json the bench still runs.
  }
  const bench = heapFlagsIn([...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]);
  return { start, bench };
}

async function chooseRedis(): Promise<{ url: string; server: PrivateRedis | null }> {
  const configured = process.env.REDIS_URL?.trim();
  if (configured) {
    if (!(await redisAnswers(configured))) throw new Error('nothing answers at REDIS_URL');
    return { url: configured, server: null };
  }
  const server = await startPrivateRedis();
  return { url: server.url, server };
}

/**
 * CPU seconds of this process's main thread (where the bot's JavaScript runs), from Linux's per-thread
 * counters; null elsewhere. The rest of `process.cpuUsage()` is the HTTP thread (its busy time is
 * reported apart), V8's helper threads (mostly the optimizing compiler, then concurrent marking and
 * sweeping: a `perf` profile of a run) and libuv's pool, which compete with Redis and the simulator for
 * the two cores.
 */
function mainThreadCpuSeconds(): number | null {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ');
    const ticks = Number(fields?.[11]) + Number(fields?.[12]);
    return Number.isFinite(ticks) ? ticks / 100 : null;
  } catch {
    return null;
  }
}

function mainShare(cpu: { bot: number; botMain: number | null; httpThread: number }): string {
  if (cpu.botMain === null || !Number.isFinite(cpu.botMain)) return '';
  return (
    `main thread ${fixed(cpu.botMain, 2)}, HTTP thread busy ${fixed(cpu.httpThread, 2)}, ` +
    `V8 and libuv threads ${fixed(cpu.bot - cpu.botMain - cpu.httpThread, 2)}; `
  );
}

/** Seconds of CPU the Redis server has used (INFO cpu), main thread and children. */
async function serverCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  let total = 0;
  for (const match of info.matchAll(/used_cpu_(?:sys|user):([\d.]+)/g)) total += Number(match[1]);
  return total;
}

/** Calls of every command since the server started (INFO commandstats); exact only on a private server. */
async function serverCommands(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const match of info.matchAll(/calls=(\d+)/g)) total += Number(match[1]);
  return total;
}

const pagesOf = (summary: CycleSummary) => summary.productLines.reduce((n, p) => n + p.done, 0);
const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

async function main(): Promise<number> {
  const { url: redisUrl, server } = await chooseRedis();
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  say(
    `redis: ${server ? `private redis-server at ${redisUrl}` : `REDIS_URL (${new URL(redisUrl).host})`}; ` +
      `key prefix ${prefix} (deleted at the end)`,
  );
  const admin = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  let sim: SimChild | undefined;
  let closePipeline: (() => Promise<void>) | undefined;
  const others: BotChild[] = [];
  try {
    say(
      `simulator: generating ${instances} instances (${attention} need attention), ${latencyMs} ms per request…`,
    );
    // One clock for the bot and the simulator, so the two cycles never straddle midnight.
    const clockOffsetMs = middayOffsetMs(Date.now());
    sim = await startSimChild({
      instances,
      attention,
      seed,
      faults: { latencyMs },
      clockOffsetMs,
    });

    const env: Record<string, string> = {
      YEASTAR_BASE_URL: sim.url,
      YEASTAR_CLIENT_ID: sim.credentials.clientId,
      YEASTAR_CLIENT_SECRET: sim.credentials.clientSecret,
      ...(concurrencyFlag !== undefined ? { YEASTAR_CONCURRENCY: String(concurrencyFlag) } : {}),
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      SLACK_BOT_TOKEN: 'xoxb-bench-token',
      SLACK_API_URL: sim.slackUrl,
      SLACK_ALERT_CHANNEL: CHANNEL,
      // The fake Slack has no limit and the bench measures our side: the limiter must not be what it sees.
      SLACK_POSTS_PER_SECOND: '1000000',
      SLACK_BURST: '1000000',
      TZ: 'UTC',
      LOG_LEVEL: 'warn',
    };
    const config: Config = loadConfig(env);
    const concurrency = config.yeastar.concurrency;
    const counter = createRedisCounter(redisUrl, prefix);
    const wired = wirePipeline(config, {
      redis: counter.connect,
      logger: createLogger({ level: 'warn' }),
      tuning: { slackLimit: { max: 1_000_000, duration: 1_000 } },
      clock: offsetClock(clockOffsetMs),
    });
    const pipeline = createPipeline(wired.deps);
    closePipeline = async () => {
      await pipeline.close();
      await wired.close();
    };
    await pipeline.startWorkers();
    for (let i = 1; i < processes; i++) {
      const heap = heapFlagsIn([...process.execArgv])
        .split(' ')
        .filter(Boolean);
      others.push(await startBotChild({ env, redisUrl, prefix, clockOffsetMs }, heap));
    }
    if (others.length > 0) say(`${others.length} more bot process(es) share the work`);
    const rssAtStartMb = process.memoryUsage().rss / 1048576;
    // Sampled, so only indicative: where the peak RSS comes from (V8's heap, or buffers outside it).
    const peak = { heapTotal: 0, heapUsed: 0, external: 0 };
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak.heapTotal = Math.max(peak.heapTotal, m.heapTotal / 1048576);
      peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed / 1048576);
      peak.external = Math.max(peak.external, m.external / 1048576);
    }, 100);
    sampler.unref();

    async function measuredCycle() {
      await sim!.reset();
      counter.reset();
      await Promise.all(others.map((o) => o.reset()));
      const before = server ? await serverCommands(admin) : 0;
      const redisCpuBefore = await serverCpuSeconds(admin);
      const cpuBefore = process.cpuUsage();
      const mainBefore = mainThreadCpuSeconds();
      const httpBefore = httpThreadBusyMs();
      const started = performance.now();
      // When each phase was first seen: where the time goes, for whoever tunes the pipeline next.
      const phases: Array<{ phase: string; at: number; cpu: number }> = [];
      const cpuSince = () => {
        const used = process.cpuUsage(cpuBefore);
        return (used.user + used.system) / 1e6;
      };
      // How late this thread gets to what is ready (an answer that arrived waits that long to be read).
      const loopDelay = monitorEventLoopDelay({ resolution: 1 });
      loopDelay.enable();
      const apiBefore = wired.deps.client.stats();
      const summary = await pipeline.runCycleNow({
        onProgress: ({ phase }) => {
          if (phases.at(-1)?.phase !== phase)
            phases.push({ phase, at: performance.now() - started, cpu: cpuSince() });
        },
      });
      const seconds = (performance.now() - started) / 1000;
      loopDelay.disable();
      const apiAfter = wired.deps.client.stats();
      const attempts = (c: ClientStats) => c.calls + c.retries;
      const api = {
        /** Mean milliseconds a request held an API slot: what the bound counts as L. */
        slotMs: (apiAfter.slotMs - apiBefore.slotMs) / Math.max(1, attempts(apiAfter) - attempts(apiBefore)),
        /** Seconds this process's API concurrency sat wholly unused, in slot time / concurrency. */
        idleSeconds: (apiAfter.idleSlotMs - apiBefore.idleSlotMs) / concurrency / 1000,
        loopDelayMeanMs: loopDelay.mean / 1e6,
        loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      };
      const cpu = process.cpuUsage(cpuBefore);
      const cpuSeconds = {
        bot: (cpu.user + cpu.system) / 1e6,
        /** The kernel's share: sockets to Redis, the API and Slack (loopback does the receiver's work too). */
        botSystem: cpu.system / 1e6,
        botMain: mainBefore === null ? null : (mainThreadCpuSeconds() ?? Number.NaN) - mainBefore,
        /** The HTTP worker thread's busy time (its event loop's, close to its CPU). */
        httpThread: Math.max(0, httpThreadBusyMs() - httpBefore) / 1000,
        redis: (await serverCpuSeconds(admin)) - redisCpuBefore,
      };
      const stats = await sim!.stats();
      const otherStats = await Promise.all(others.map((o) => o.stats()));
      const redis = counter.counts();
      for (const o of otherStats) {
        redis.commands += o.redis.commands;
        redis.scanStateRoundTrips += o.redis.scanStateRoundTrips;
      }
      const redisServerCommands = server ? (await serverCommands(admin)) - before - 1 : null;
      // Each phase as "name@start (bot CPU seconds at its start)": where the wall time and the bot's CPU go.
      const timeline = phases
        .map((p) => `${p.phase}@${fixed(p.at / 1000, 2)}s(cpu ${fixed(p.cpu, 2)})`)
        .join(' ');
      const othersCpu = otherStats.reduce((sum, o) => sum + o.cpuSeconds, 0);
      const othersRssMb = Math.max(0, ...otherStats.map((o) => o.rssMb));
      return {
        summary,
        seconds,
        stats,
        redis,
        redisServerCommands,
        timeline,
        cpuSeconds: { ...cpuSeconds, others: othersCpu },
        othersRssMb,
        api,
      };
    }

    say('cycle 1: first look at every instance…');
    const first = await measuredCycle();
    say('cycle 2: nothing changed…');
    const second = await measuredCycle();

    // With several processes the target is per process: the largest of them.
    const ownRssMb = process.resourceUsage().maxRSS / 1024;
    const rssMb = Math.max(ownRssMb, first.othersRssMb, second.othersRssMb);
    const requests = first.stats.requests;
    // YEASTAR_CONCURRENCY is per process: N processes keep N times as many requests in flight.
    const inFlight = concurrency * processes;
    const bound = (requests * latencyMs) / 1000 / inFlight;
    const ratio = first.seconds / bound;
    const pages = pagesOf(first.summary);
    const rttPerPage = first.redis.scanStateRoundTrips / Math.max(1, pages);
    const cmdsPerInstance = first.redis.commands / instances;
    const serverCmdsPerInstance =
      first.redisServerCommands === null ? null : first.redisServerCommands / instances;
    const out = (line: string) => process.stdout.write(`${line}\n`);
    const byPath = Object.entries(first.stats.byPath)
      .map(([path, n]) => `${path.split('/').slice(-2).join('/')}=${n}`)
      .join(' ');

    out(
      `cycle 1: ${fixed(first.seconds, 2)} s for ${first.summary.instances} instances in ${pages} pages ` +
        `(${first.summary.ok ? 'ok' : 'FAILED'}; posted ${first.summary.posted}, digests ${first.summary.digests}, ` +
        `errors ${first.summary.errors})`,
    );
    out(`  API requests: ${requests} (${byPath})`);
    out(`  phases seen: ${first.timeline}`);
    out(
      `  CPU seconds: bot ${fixed(first.cpuSeconds.bot, 2)} (${mainShare(first.cpuSeconds)}${fixed(first.cpuSeconds.botSystem, 2)} of it in the kernel), Redis ${fixed(first.cpuSeconds.redis, 2)}` +
        `${server ? '' : ' (shared server: other clients included)'}, simulator + fake Slack ${fixed(first.stats.cpuSeconds, 2)}` +
        (others.length > 0
          ? `, ${others.length} more bot process(es) ${fixed(first.cpuSeconds.others, 2)}`
          : '') +
        ` (${os.availableParallelism()} cores; load average ${os.loadavg()[0]!.toFixed(1)})`,
    );
    out(
      `  lower bound: ${requests} requests × ${latencyMs} ms / concurrency ${concurrency}` +
        (processes > 1 ? ` × ${processes} processes` : '') +
        ` = ${fixed(bound, 2)} s; ` +
        `ratio ${fixed(ratio, 3)} (target ≤ 1.25)`,
    );
    // The simulator aims its answers at L on average (src/sim/latency.ts): one well below L would make
    // the bound no bound, so the reader is told.
    const simAnswerMs = first.stats.answerMs / Math.max(1, requests);
    out(
      `  time per API request: ${fixed(first.api.slotMs, 1)} ms in a slot on average, against L = ${latencyMs} ms ` +
        `(the simulator's own answer ${fixed(simAnswerMs, 2)} ms` +
        `${simAnswerMs < latencyMs - 0.05 ? ', faster than L: this ratio flatters the bot' : ''}); ` +
        `this thread's event-loop delay: mean ${fixed(first.api.loopDelayMeanMs, 1)} ms, p99 ${fixed(first.api.loopDelayP99Ms, 1)} ms`,
    );
    if (processes === 1) {
      out(
        `  where the cycle goes: ${requests} requests × ${fixed(first.api.slotMs, 1)} ms in a slot / ${concurrency} = ` +
          `${fixed((requests * first.api.slotMs) / concurrency / 1000, 2)} s of requests, and slots left unused for ` +
          `${fixed(first.api.idleSeconds, 2)} s (slot time / ${concurrency}: mostly the start, where the token, the ` +
          `product lines and each line's page 1 go one after another, and the end, after the last answer)`,
      );
    }
    out(
      `  peak RSS: ${fixed(ownRssMb, 1)} MB (target ≤ 256; the simulator and fake Slack run in another process); ` +
        (others.length > 0 ? `the other bot process(es): ${fixed(first.othersRssMb, 1)} MB at most; ` : '') +
        `${fixed(rssAtStartMb, 1)} MB with the workers started, before the cycle; sampled peaks: V8 heap ` +
        `${fixed(peak.heapUsed, 1)} MB used of ${fixed(peak.heapTotal, 1)} MB, external ${fixed(peak.external, 1)} MB`,
    );
    const flags = heapFlags();
    out(
      `  V8 heap flags: ${flags.bench || 'none'} here, ${flags.start || 'none'} in npm start` +
        (flags.bench === flags.start
          ? ''
          : ' (DIFFERENT: run it as `npm run bench` to measure the bot as it runs)'),
    );
    out(
      `  Redis round trips per scan page, our own state code (alert store + cycle bookkeeping; BullMQ's ` +
        `commands excluded): ${fixed(rttPerPage, 2)} (target ≤ 2)`,
    );
    out(
      `  Redis commands per instance, all (BullMQ included): ${fixed(cmdsPerInstance, 2)} on our connections` +
        (serverCmdsPerInstance === null
          ? ' (BullMQ blocking connections not seen; run without REDIS_URL for the server-side count)'
          : `, ${fixed(serverCmdsPerInstance, 2)} counted by the private server`),
    );
    out(`  Slack calls: ${first.stats.slackCalls} (${JSON.stringify(first.stats.slackByMethod)})`);
    out(
      `cycle 2 (unchanged data): ${fixed(second.seconds, 2)} s, ${second.stats.requests} API requests, ` +
        `${second.stats.slackCalls} Slack calls (target 0); CPU seconds: bot ${fixed(second.cpuSeconds.bot, 2)} (${mainShare(second.cpuSeconds)}${fixed(second.cpuSeconds.botSystem, 2)} in the kernel), ` +
        `Redis ${fixed(second.cpuSeconds.redis, 2)}, simulator ${fixed(second.stats.cpuSeconds, 2)}`,
    );
    out(
      `bench: instances=${instances} seconds=${fixed(first.seconds, 3)} bound=${fixed(bound, 3)} ratio=${fixed(ratio, 3)} ` +
        `rss_mb=${fixed(rssMb, 1)} redis_rtt_per_page=${fixed(rttPerPage, 2)} slack_calls=${first.stats.slackCalls} ` +
        `unchanged_slack_calls=${second.stats.slackCalls}`,
    );
    return first.summary.ok && second.summary.ok ? 0 : 1;
  } finally {
    await Promise.allSettled(others.map((o) => o.close()));
    await closePipeline?.().catch(() => {});
    await deleteKeysMatching(admin, `${prefix}:*`).catch(() => {});
    await admin.quit().catch(() => admin.disconnect());
    await sim?.close();
    await server?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
