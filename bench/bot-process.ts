import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';
import type { CycleSummary } from '../src/jobs/cycle-summary.js';
import { createPipeline } from '../src/jobs/pipeline.js';
import { wirePipeline } from '../src/jobs/production-deps.js';
import { createLogger } from '../src/logger.js';
import { createSlackApp } from '../src/slack/app.js';
import { httpThreadTid } from '../src/yeastar/transport.js';
import type { ClientStats } from '../src/yeastar/types.js';
import { offsetClock } from './clock.js';
import { createRedisCounter, type RedisCounts } from './counting-redis.js';
import { type CpuSplit, cpuBetween, cpuSnapshot } from './thread-cpu.js';

/**
 * A bot process for `npm run bench`, as `npm start` runs one: the pipeline's workers and the Slack app on
 * its HTTP receiver (PORT 0: a free port, told in `ready`), but no schedule: the bench starts each cycle
 * (`cycle`) in the first of these processes; with `--processes N` the others share the cycle's jobs.
 * Settings arrive as JSON in argv[2]; the parent asks over IPC for `cycle`, `stats`, `reset` and `close`.
 */

export type BotProcessSettings = {
  env: Record<string, string>;
  redisUrl: string;
  prefix: string;
  /** The bench's clock, shared with the simulator (bench/clock.ts). */
  clockOffsetMs: number;
};

export type BotProcessStats = {
  cpuSeconds: number;
  /** Peak RSS of this process since it started, in MB. */
  rssMb: number;
  redis: RedisCounts;
};

/** One cycle as this process saw it. */
export type CycleMeasurement = {
  summary: CycleSummary;
  seconds: number;
  /** Each phase as "name@start (CPU seconds at its start)": where the wall time and the CPU go. */
  timeline: string;
  /** Every thread of the process (`process.cpuUsage`), and the kernel's share of it. */
  cpuSeconds: number;
  systemSeconds: number;
  /** By thread, where Linux tells (bench/thread-cpu.ts). */
  split: CpuSplit | null;
  api: {
    /** Mean milliseconds a request held an API slot: what the bound counts as L. */
    slotMs: number;
    /** Slot-milliseconds no request held, summed over the slots. */
    idleSlotMs: number;
    /** How late the main thread got to what was ready (an answer that arrived waits that long). */
    loopDelayMeanMs: number;
    loopDelayP99Ms: number;
  };
  redis: RedisCounts;
};

/** Sampled, so only indicative: where the peak RSS comes from (V8's heap, or buffers outside it). */
export type MemoryPeaks = {
  rssMb: number;
  /** RSS once the workers and the Slack app had started, before any cycle. */
  rssAtStartMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
};

export type BotProcessMessage =
  | { type: 'ready'; port: number }
  | { type: 'stats'; stats: BotProcessStats }
  | { type: 'memory'; memory: MemoryPeaks }
  | { type: 'cycle'; cycle: CycleMeasurement }
  | { type: 'reset' };

const { env, redisUrl, prefix, clockOffsetMs } = JSON.parse(process.argv[2] ?? '{}') as BotProcessSettings;
const config = loadConfig(env);
const logger = createLogger({ level: 'warn' });
const counter = createRedisCounter(redisUrl, prefix, config.redisMode);
const wired = wirePipeline(config, {
  redis: counter.connect,
  logger,
  tuning: { slackLimit: { max: 1_000_000, duration: 1_000 } },
  clock: offsetClock(clockOffsetMs),
});
const pipeline = createPipeline(wired.deps);
await pipeline.startWorkers();
const redis = wired.deps.redis();
const slackApp = createSlackApp({
  config,
  store: wired.deps.store,
  client: wired.deps.client,
  redis,
  logger,
  clock: offsetClock(clockOffsetMs),
});
const { port } = await slackApp.start();

const mb = (bytes: number) => bytes / 1048576;
const memory: MemoryPeaks = {
  rssMb: 0,
  rssAtStartMb: mb(process.memoryUsage().rss),
  heapUsedMb: 0,
  heapTotalMb: 0,
  externalMb: 0,
};
setInterval(() => {
  const m = process.memoryUsage();
  memory.heapTotalMb = Math.max(memory.heapTotalMb, mb(m.heapTotal));
  memory.heapUsedMb = Math.max(memory.heapUsedMb, mb(m.heapUsed));
  memory.externalMb = Math.max(memory.externalMb, mb(m.external));
}, 100).unref();

const attempts = (c: ClientStats) => c.calls + c.retries;

async function measuredCycle(): Promise<CycleMeasurement> {
  counter.reset();
  const apiBefore = wired.deps.client.stats();
  const splitBefore = cpuSnapshot(httpThreadTid());
  const cpuBefore = process.cpuUsage();
  const cpuSince = () => {
    const used = process.cpuUsage(cpuBefore);
    return (used.user + used.system) / 1e6;
  };
  const started = performance.now();
  const phases: Array<{ phase: string; at: number; cpu: number }> = [];
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const summary = await pipeline.runCycleNow({
    onProgress: ({ phase }) => {
      if (phases.at(-1)?.phase !== phase)
        phases.push({ phase, at: performance.now() - started, cpu: cpuSince() });
    },
  });
  const seconds = (performance.now() - started) / 1000;
  loopDelay.disable();
  const cpu = process.cpuUsage(cpuBefore);
  const splitAfter = cpuSnapshot(httpThreadTid());
  const apiAfter = wired.deps.client.stats();
  return {
    summary,
    seconds,
    timeline: phases.map((p) => `${p.phase}@${(p.at / 1000).toFixed(2)}s(cpu ${p.cpu.toFixed(2)})`).join(' '),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    systemSeconds: cpu.system / 1e6,
    split: splitBefore && splitAfter ? cpuBetween(splitBefore, splitAfter) : null,
    api: {
      slotMs: (apiAfter.slotMs - apiBefore.slotMs) / Math.max(1, attempts(apiAfter) - attempts(apiBefore)),
      idleSlotMs: apiAfter.idleSlotMs - apiBefore.idleSlotMs,
      loopDelayMeanMs: loopDelay.mean / 1e6,
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    },
    redis: counter.counts(),
  };
}

let cpuBase = process.cpuUsage();
const send = (message: BotProcessMessage) => process.send?.(message);
async function close(): Promise<never> {
  await slackApp.stop().catch(() => {});
  await pipeline.close().catch(() => {});
  redis.disconnect();
  await wired.close().catch(() => {});
  process.exit(0);
}
send({ type: 'ready', port });
process.on('message', (message: { type: string }) => {
  if (message.type === 'cycle') {
    measuredCycle().then(
      (cycle) => send({ type: 'cycle', cycle }),
      (error: unknown) => {
        process.stderr.write(`bench bot process: the cycle failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  }
  if (message.type === 'stats') {
    const cpu = process.cpuUsage(cpuBase);
    send({
      type: 'stats',
      stats: {
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        rssMb: process.resourceUsage().maxRSS / 1024,
        redis: counter.counts(),
      },
    });
  }
  if (message.type === 'memory')
    send({ type: 'memory', memory: { ...memory, rssMb: process.resourceUsage().maxRSS / 1024 } });
  if (message.type === 'reset') {
    counter.reset();
    cpuBase = process.cpuUsage();
    send({ type: 'reset' });
  }
  if (message.type === 'close') void close();
});
process.on('disconnect', () => void close());
