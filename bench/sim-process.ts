import { createFakeSlack } from '../sim/fake-slack.js';
import { createSimulator, type SimOptions } from '../sim/server.js';
import { offsetClock } from './clock.js';

/**
 * The simulator and the fake Slack in a process of their own, so the benchmark's peak RSS and CPU are the
 * bot's, not theirs. Options arrive as JSON in argv[2]; the parent talks to it over IPC: `stats`, `reset`
 * (counts start again from zero; the fake keeps its messages so later updates still find them) and `close`.
 */

export type SimProcessOptions = SimOptions & {
  /**
   * The page size the bot will ask for, rendered before `ready` (0: none). Default 100, YEASTAR_PAGE_SIZE's
   * own default. The simulator stands in for a remote server, yet shares the bot's cores: rendering each
   * page on request would bill the bot's measurement for a server's CPU.
   */
  prerenderPageSize?: number;
  /** Added to real time for the simulator's clock, which its expiry dates are relative to (bench/clock.ts). */
  clockOffsetMs?: number;
};

/** YEASTAR_PAGE_SIZE's default in src/config.ts, which the benchmark does not override. */
const BOT_PAGE_SIZE = 100;

export type SimProcessStats = {
  requests: number;
  byPath: Record<string, number>;
  tokensIssued: number;
  /** The simulator's own time per answer, summed (ms): the configured latency and its work. */
  answerMs: number;
  slackCalls: number;
  slackByMethod: Record<string, number>;
  /** CPU seconds this process used since the last reset. */
  cpuSeconds: number;
};

export type SimProcessMessage =
  | {
      type: 'ready';
      url: string;
      credentials: { clientId: string; clientSecret: string };
      slackUrl: string;
      /** Where slash command replies may go, as Slack's `response_url` (not counted as Slack calls). */
      responseUrl: string;
    }
  | { type: 'stats'; stats: SimProcessStats }
  | { type: 'reset' };

const {
  prerenderPageSize = BOT_PAGE_SIZE,
  clockOffsetMs = 0,
  ...options
} = JSON.parse(process.argv[2] ?? '{}') as SimProcessOptions;
const sim = await createSimulator({ ...options, clock: offsetClock(clockOffsetMs) });
if (prerenderPageSize > 0) await sim.prerender(prerenderPageSize);
const slack = await createFakeSlack();
let slackBase = 0;
let cpuBase = process.cpuUsage();

function stats(): SimProcessStats {
  const { requests, byPath, tokensIssued, answerMs } = sim.stats();
  const slackByMethod: Record<string, number> = {};
  for (const call of slack.calls.slice(slackBase)) {
    slackByMethod[call.method] = (slackByMethod[call.method] ?? 0) + 1;
  }
  const cpu = process.cpuUsage(cpuBase);
  return {
    requests,
    byPath,
    tokensIssued,
    answerMs,
    slackCalls: slack.calls.length - slackBase,
    slackByMethod,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

async function close(): Promise<never> {
  await Promise.allSettled([sim.close(), slack.close()]);
  process.exit(0);
}

const send = (message: SimProcessMessage) => process.send?.(message);
send({
  type: 'ready',
  url: sim.url,
  credentials: sim.credentials,
  slackUrl: slack.url,
  responseUrl: slack.responseUrl('bench'),
});
process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') send({ type: 'stats', stats: stats() });
  if (message.type === 'reset') {
    sim.resetStats();
    slackBase = slack.calls.length;
    cpuBase = process.cpuUsage();
    send({ type: 'reset' });
  }
  if (message.type === 'close') void close();
});
process.on('disconnect', () => void close());
