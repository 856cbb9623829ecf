import { loadConfig } from '../src/config.js';
import { createPipeline } from '../src/jobs/pipeline.js';
import { wirePipeline } from '../src/jobs/wiring.js';
import { createLogger } from '../src/logger.js';
import { offsetClock } from './clock.js';
import { createRedisCounter, type RedisCounts } from './counting-redis.js';

/**
 * One more bot process for `npm run bench -- --processes N`: the pipeline's workers (no schedule, no
 * Slack app), on the same Redis and key prefix as the bench's own, as a second `npm start` would run.
 * Settings arrive as JSON in argv[2]; the parent asks over IPC for `stats`, `reset` and `close`.
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

export type BotProcessMessage =
  | { type: 'ready' }
  | { type: 'stats'; stats: BotProcessStats }
  | { type: 'reset' };

const { env, redisUrl, prefix, clockOffsetMs } = JSON.parse(process.argv[2] ?? '{}') as BotProcessSettings;
const counter = createRedisCounter(redisUrl, prefix);
const wired = wirePipeline(loadConfig(env), {
  redis: counter.connect,
  logger: createLogger({ level: 'warn' }),
  tuning: { slackLimit: { max: 1_000_000, duration: 1_000 } },
  clock: offsetClock(clockOffsetMs),
});
const pipeline = createPipeline(wired.deps);
await pipeline.startWorkers();
let cpuBase = process.cpuUsage();

const send = (message: BotProcessMessage) => process.send?.(message);
async function close(): Promise<never> {
  await pipeline.close().catch(() => {});
  await wired.close().catch(() => {});
  process.exit(0);
}
send({ type: 'ready' });
process.on('message', (message: { type: string }) => {
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
  if (message.type === 'reset') {
    counter.reset();
    cpuBase = process.cpuUsage();
    send({ type: 'reset' });
  }
  if (message.type === 'close') void close();
});
process.on('disconnect', () => void close());
