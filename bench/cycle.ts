import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { loadConfig } from '../src/config.js';
import type { CycleSummary } from '../src/jobs/cycle-summary.js';
import { type PrivateRedis, redisAnswers, startPrivateRedis } from '../src/ops/private-redis.js';
import { deleteKeysMatching } from '../src/ops/redis-keys.js';
import { EVENTS_PATH } from '../src/slack/app.js';
import { startLocalCluster } from '../test/helpers/redis-cluster.js';
import { type AckFigures, startAckProbe, timedHelpCommand } from './ack-probe.js';
import { type BotChild, startBotChild } from './bot-child.js';
import type { CycleMeasurement, MemoryPeaks } from './bot-process.js';
import { middayOffsetMs } from './clock.js';
import { type SimChild, startSimChild } from './sim-child.js';
import type { SimProcessStats } from './sim-process.js';
import type { CpuSplit } from './thread-cpu.js';

/**
 * `npm run bench`: one cycle of the real pipeline against the simulator (N instances, a fixed latency per
 * request) and a local fake Slack with no rate limit, then a second cycle over unchanged data. The bot runs
 * in a child process as `npm start` runs it (bench/bot-process.ts: the workers and the Slack app), the
 * simulator and the fake Slack in another; this process only measures. Reports how close the cycle comes
 * to the API's own lower bound (every request waits L, `concurrency` at a time), the bot's CPU and peak
 * RSS, Redis traffic, Slack calls, and how fast the bot acknowledges a slash command meanwhile. The last
 * line is for scripts.
 */

const CHANNEL = 'CBENCH0RENEW';
const SIGNING_SECRET = 'bench-signing-secret';
/** How often a slash command goes to the bot while a cycle runs. */
const COMMAND_EVERY_MS = 100;

const { values: flags } = parseArgs({
  options: {
    instances: { type: 'string', default: '100000' },
    latency: { type: 'string', default: '20' },
    attention: { type: 'string' },
    concurrency: { type: 'string' },
    seed: { type: 'string', default: '1' },
    processes: { type: 'string', default: '1' },
    /** On a private 3-master Redis Cluster (REDIS_MODE=cluster) instead of one redis-server. */
    cluster: { type: 'boolean', default: false },
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
const onCluster = flags.cluster === true;

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

async function chooseRedis(): Promise<{ url: string; server: Pick<PrivateRedis, 'stop'> | null }> {
  if (onCluster) {
    const cluster = await startLocalCluster();
    return { url: cluster.url, server: cluster };
  }
  const configured = process.env.REDIS_URL?.trim();
  if (configured) {
    if (!(await redisAnswers(configured))) throw new Error('nothing answers at REDIS_URL');
    return { url: configured, server: null };
  }
  const server = await startPrivateRedis();
  return { url: server.url, server };
}

/** "main thread 3.61, HTTP thread 1.70, V8 and libuv threads 0.85; " (empty where Linux does not tell). */
function threadShares(split: CpuSplit | null): string {
  if (!split) return '';
  const http = split.http > 0 ? `HTTP thread ${fixed(split.http, 2)}, ` : '';
  return `main thread ${fixed(split.main, 2)}, ${http}V8 and libuv threads ${fixed(split.rest, 2)}; `;
}

/** Seconds of CPU the Redis server has used (INFO cpu), main thread and children; every master of a cluster. */
async function serverCpuSeconds(redis: Redis): Promise<number> {
  const client: unknown = redis;
  const nodes = client instanceof Cluster ? client.nodes('master') : [redis];
  let total = 0;
  for (const node of nodes) {
    const info = await node.info('cpu');
    for (const match of info.matchAll(/used_cpu_(?:sys|user):([\d.]+)/g)) total += Number(match[1]);
  }
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
const out = (line: string) => process.stdout.write(`${line}\n`);

/** One measured cycle: the bot's own figures, and what the simulator, Redis and the slash commands saw. */
type CycleResult = {
  bot: CycleMeasurement;
  stats: SimProcessStats;
  acks: AckFigures;
  redisServerCommands: number | null;
  redisCpuSeconds: number;
  /** The other bot processes (`--processes`): CPU seconds summed, peak RSS the largest. */
  othersCpuSeconds: number;
  othersRssMb: number;
};

type Bench = {
  sim: SimChild;
  bot: BotChild;
  others: BotChild[];
  admin: Redis;
  privateServer: boolean;
};

async function measuredCycle({ sim, bot, others, admin, privateServer }: Bench): Promise<CycleResult> {
  await sim.reset();
  await Promise.all(others.map((o) => o.reset()));
  const commandsBefore = privateServer ? await serverCommands(admin) : 0;
  const redisCpuBefore = await serverCpuSeconds(admin);
  const probe = startAckProbe({
    url: `http://127.0.0.1:${bot.port}${EVENTS_PATH}`,
    signingSecret: SIGNING_SECRET,
    responseUrl: sim.responseUrl,
    everyMs: COMMAND_EVERY_MS,
  });
  const measured = await bot.cycle();
  const acks = await probe.stop();
  const redisCpuSeconds = (await serverCpuSeconds(admin)) - redisCpuBefore;
  const stats = await sim.stats();
  const otherStats = await Promise.all(others.map((o) => o.stats()));
  for (const o of otherStats) {
    measured.redis.commands += o.redis.commands;
    measured.redis.scanStateRoundTrips += o.redis.scanStateRoundTrips;
  }
  return {
    bot: measured,
    stats,
    acks,
    redisServerCommands: privateServer ? (await serverCommands(admin)) - commandsBefore - 1 : null,
    redisCpuSeconds,
    othersCpuSeconds: otherStats.reduce((sum, o) => sum + o.cpuSeconds, 0),
    othersRssMb: Math.max(0, ...otherStats.map((o) => o.rssMb)),
  };
}

/** "N slash commands …, p99 X ms": the acks of the slash commands sent while a cycle ran. */
function ackLine(acks: AckFigures): string {
  if (acks.sent === 0) return `no slash command (the cycle took under ${COMMAND_EVERY_MS} ms)`;
  return (
    `${acks.sent} slash commands (one every ${COMMAND_EVERY_MS} ms), ${acks.acked} acknowledged within 3 s; ` +
    `ack p50 ${fixed(acks.p50Ms, 1)} ms, p99 ${fixed(acks.p99Ms, 1)} ms, max ${fixed(acks.maxMs, 1)} ms`
  );
}

/** Every line but the last: what the cycle was made of, for whoever tunes the pipeline next. */
function report(first: CycleResult, second: CycleResult, memory: MemoryPeaks, concurrency: number): void {
  const { bot, stats } = first;
  const requests = stats.requests;
  const pages = pagesOf(bot.summary);
  const bound = (requests * latencyMs) / 1000 / (concurrency * processes);
  const byPath = Object.entries(stats.byPath)
    .map(([path, n]) => `${path.split('/').slice(-2).join('/')}=${n}`)
    .join(' ');
  out(
    `cycle 1: ${fixed(bot.seconds, 2)} s for ${bot.summary.instances} instances in ${pages} pages ` +
      `(${bot.summary.ok ? 'ok' : 'FAILED'}; posted ${bot.summary.posted}, digests ${bot.summary.digests}, ` +
      `errors ${bot.summary.errors})`,
  );
  out(`  API requests: ${requests} (${byPath})`);
  out(`  phases seen: ${bot.timeline}`);
  out(
    `  CPU seconds: bot ${fixed(bot.cpuSeconds, 2)} (${threadShares(bot.split)}${fixed(bot.systemSeconds, 2)} of it in the kernel), Redis ${fixed(first.redisCpuSeconds, 2)}` +
      `${onCluster ? ' (3 masters)' : first.redisServerCommands === null ? ' (shared server: other clients included)' : ''}, simulator + fake Slack ${fixed(stats.cpuSeconds, 2)}` +
      (processes > 1 ? `, ${processes - 1} more bot process(es) ${fixed(first.othersCpuSeconds, 2)}` : '') +
      ` (${os.availableParallelism()} cores; load average ${os.loadavg()[0]!.toFixed(1)})`,
  );
  out(
    `  lower bound: ${requests} requests × ${latencyMs} ms / concurrency ${concurrency}` +
      (processes > 1 ? ` × ${processes} processes` : '') +
      ` = ${fixed(bound, 2)} s; ratio ${fixed(bot.seconds / bound, 3)} (target ≤ 1.25)`,
  );
  // The simulator aims its answers at L on average (src/sim/latency.ts): one well below L would make
  // the bound no bound, so the reader is told.
  const simAnswerMs = stats.answerMs / Math.max(1, requests);
  out(
    `  time per API request: ${fixed(bot.api.slotMs, 1)} ms in a slot on average, against L = ${latencyMs} ms ` +
      `(the simulator's own answer ${fixed(simAnswerMs, 2)} ms` +
      `${simAnswerMs < latencyMs - 0.05 ? ', faster than L: this ratio flatters the bot' : ''}); ` +
      `the bot's event-loop delay: mean ${fixed(bot.api.loopDelayMeanMs, 1)} ms, p99 ${fixed(bot.api.loopDelayP99Ms, 1)} ms`,
  );
  if (processes === 1) {
    out(
      `  where the cycle goes: ${requests} requests × ${fixed(bot.api.slotMs, 1)} ms in a slot / ${concurrency} = ` +
        `${fixed((requests * bot.api.slotMs) / concurrency / 1000, 2)} s of requests, and slots left unused for ` +
        `${fixed(bot.api.idleSlotMs / concurrency / 1000, 2)} s (slot time / ${concurrency}: mostly the start, where the token, the ` +
        `product lines and each line's page 1 go one after another, and the end, after the last answer)`,
    );
  }
  out(`  while it ran: ${ackLine(first.acks)} (target p99 < 300 ms; Slack gives 3 s)`);
  out(
    `  peak RSS: ${fixed(memory.rssMb, 1)} MB (target ≤ 256; the simulator and fake Slack run in another process); ` +
      (processes > 1 ? `the other bot process(es): ${fixed(first.othersRssMb, 1)} MB at most; ` : '') +
      `${fixed(memory.rssAtStartMb, 1)} MB with the workers and the Slack app started, before the cycle; sampled peaks: V8 heap ` +
      `${fixed(memory.heapUsedMb, 1)} MB used of ${fixed(memory.heapTotalMb, 1)} MB, external ${fixed(memory.externalMb, 1)} MB`,
  );
  const flags = heapFlags();
  out(
    `  V8 heap flags: ${flags.bench || 'none'} in the bench's bot, ${flags.start || 'none'} in npm start` +
      (flags.bench === flags.start
        ? ''
        : ' (DIFFERENT: run it as `npm run bench` to measure the bot as it runs)'),
  );
  out(
    `  Redis round trips per scan page, our own state code (alert store + cycle bookkeeping; BullMQ's ` +
      `commands excluded): ${fixed(bot.redis.scanStateRoundTrips / Math.max(1, pages), 2)} (target ≤ 2)`,
  );
  out(
    `  Redis commands per instance, all (BullMQ included): ${fixed(bot.redis.commands / instances, 2)} on our connections` +
      (first.redisServerCommands === null
        ? ' (BullMQ blocking connections not seen; run without REDIS_URL for the server-side count)'
        : `, ${fixed(first.redisServerCommands / instances, 2)} counted by the private server`),
  );
  out(`  Slack calls: ${stats.slackCalls} (${JSON.stringify(stats.slackByMethod)})`);
  out(
    `cycle 2 (unchanged data): ${fixed(second.bot.seconds, 2)} s, ${second.stats.requests} API requests, ` +
      `${second.stats.slackCalls} Slack calls (target 0); CPU seconds: bot ${fixed(second.bot.cpuSeconds, 2)} (${threadShares(second.bot.split)}${fixed(second.bot.systemSeconds, 2)} in the kernel), ` +
      `Redis ${fixed(second.redisCpuSeconds, 2)}, simulator ${fixed(second.stats.cpuSeconds, 2)}; ` +
      ackLine(second.acks),
  );
}

/** The machine-readable last line: cycle 1's figures, with the unchanged cycle's Slack calls. */
function lastLine(first: CycleResult, second: CycleResult, rssMb: number, concurrency: number): string {
  const bound = (first.stats.requests * latencyMs) / 1000 / (concurrency * processes);
  const rttPerPage = first.bot.redis.scanStateRoundTrips / Math.max(1, pagesOf(first.bot.summary));
  return (
    `bench: instances=${instances} seconds=${fixed(first.bot.seconds, 3)} bound=${fixed(bound, 3)} ` +
    `ratio=${fixed(first.bot.seconds / bound, 3)} rss_mb=${fixed(rssMb, 1)} redis_rtt_per_page=${fixed(rttPerPage, 2)} ` +
    `slack_calls=${first.stats.slackCalls} unchanged_slack_calls=${second.stats.slackCalls} ` +
    `cpu_s=${fixed(first.bot.cpuSeconds + first.othersCpuSeconds, 2)} ack_p99_ms=${fixed(first.acks.p99Ms, 1)}`
  );
}

/** The bot processes' Node flags: `npm start`'s heap flags as this process got them, and a CPU profile if asked. */
function botExecArgv(): string[] {
  const heap = heapFlagsIn([...process.execArgv])
    .split(' ')
    .filter(Boolean);
  return [...heap, ...process.execArgv.filter((arg) => arg.startsWith('--cpu-prof'))];
}

async function main(): Promise<number> {
  const { url: redisUrl, server } = await chooseRedis();
  // On a cluster the prefix is a hash tag, as REDIS_MODE=cluster makes it: one slot for every key.
  const prefix = onCluster
    ? `{bench-${randomBytes(4).toString('hex')}}`
    : `bench-${randomBytes(4).toString('hex')}`;
  const where = onCluster
    ? `private 3-master Redis Cluster, seed ${redisUrl}`
    : server
      ? `private redis-server at ${redisUrl}`
      : `REDIS_URL (${new URL(redisUrl).host})`;
  say(`redis: ${where}; key prefix ${prefix} (deleted at the end)`);
  const admin: Redis = onCluster
    ? (new Cluster([redisUrl], { redisOptions: { maxRetriesPerRequest: 1 } }) as unknown as Redis)
    : new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  let sim: SimChild | undefined;
  const bots: BotChild[] = [];
  try {
    say(
      `simulator: generating ${instances} instances (${attention} need attention), ${latencyMs} ms per request…`,
    );
    // One clock for the bot and the simulator, so the two cycles never straddle midnight.
    const clockOffsetMs = middayOffsetMs(Date.now());
    sim = await startSimChild({ instances, attention, seed, faults: { latencyMs }, clockOffsetMs });

    const env: Record<string, string> = {
      YEASTAR_BASE_URL: sim.url,
      YEASTAR_CLIENT_ID: sim.credentials.clientId,
      YEASTAR_CLIENT_SECRET: sim.credentials.clientSecret,
      ...(concurrencyFlag !== undefined ? { YEASTAR_CONCURRENCY: String(concurrencyFlag) } : {}),
      REDIS_URL: redisUrl,
      REDIS_MODE: onCluster ? 'cluster' : 'single',
      QUEUE_PREFIX: prefix,
      SLACK_BOT_TOKEN: 'xoxb-bench-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: sim.slackUrl,
      SLACK_ALERT_CHANNEL: CHANNEL,
      // The fake Slack has no limit and the bench measures our side: the limiter must not be what it sees.
      SLACK_POSTS_PER_SECOND: '1000000',
      SLACK_BURST: '1000000',
      PORT: '0',
      TZ: 'UTC',
      LOG_LEVEL: 'warn',
    };
    const concurrency = loadConfig(env).yeastar.concurrency;
    for (let i = 0; i < processes; i++) {
      bots.push(await startBotChild({ env, redisUrl, prefix, clockOffsetMs }, botExecArgv()));
    }
    const [bot, ...others] = bots as [BotChild, ...BotChild[]];
    if (others.length > 0) say(`${others.length} more bot process(es) share the work`);
    // A first command before any cycle, as a running bot has answered some: the timings are of a warm path.
    const warm = await timedHelpCommand({
      url: `http://127.0.0.1:${bot.port}${EVENTS_PATH}`,
      signingSecret: SIGNING_SECRET,
      responseUrl: sim.responseUrl,
    });
    if (!Number.isFinite(warm))
      throw new Error('the bot did not acknowledge a slash command before the cycle');

    // INFO commandstats of one server: a cluster's are spread over its nodes, and it is not counted.
    const bench: Bench = { sim, bot, others, admin, privateServer: server !== null && !onCluster };
    say('cycle 1: first look at every instance…');
    const first = await measuredCycle(bench);
    say('cycle 2: nothing changed…');
    const second = await measuredCycle(bench);
    const memory = await bot.memory();
    report(first, second, memory, concurrency);
    // With several processes the target is per process: the largest of them.
    const rssMb = Math.max(memory.rssMb, first.othersRssMb, second.othersRssMb);
    out(lastLine(first, second, rssMb, concurrency));
    return first.bot.summary.ok && second.bot.summary.ok ? 0 : 1;
  } finally {
    await Promise.allSettled(bots.map((b) => b.close()));
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
