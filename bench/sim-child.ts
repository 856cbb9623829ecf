import { fileURLToPath } from 'node:url';
import { forkBenchChild } from './ipc.js';
import type { SimProcessMessage, SimProcessOptions, SimProcessStats } from './sim-process.js';

/** The parent's side of bench/sim-process.ts: start it, ask it for counts, stop it. */

export type SimChild = {
  url: string;
  slackUrl: string;
  /** Where slash command replies may go (not counted as Slack calls). */
  responseUrl: string;
  credentials: { clientId: string; clientSecret: string };
  stats(): Promise<SimProcessStats>;
  reset(): Promise<void>;
  close(): Promise<void>;
};

const SCRIPT = fileURLToPath(new URL('./sim-process.ts', import.meta.url));

export async function startSimChild(options: SimProcessOptions, startTimeoutMs = 180_000): Promise<SimChild> {
  const child = await forkBenchChild<SimProcessMessage>({
    script: SCRIPT,
    name: 'simulator',
    args: [JSON.stringify(options)],
    // `node --cpu-prof … bench/cycle.ts` profiles the simulator too: its CPU shares the bot's cores.
    execArgv: process.execArgv.filter((arg) => arg.startsWith('--cpu-prof')),
    startTimeoutMs,
  });
  const { ready } = child;
  return {
    url: ready.url,
    slackUrl: ready.slackUrl,
    responseUrl: ready.responseUrl,
    credentials: ready.credentials,
    stats: async () => (await child.ask('stats')).stats,
    reset: async () => {
      await child.ask('reset');
    },
    close: child.close,
  };
}
