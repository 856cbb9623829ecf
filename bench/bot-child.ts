import { fileURLToPath } from 'node:url';
import type { BotProcessMessage, BotProcessSettings, BotProcessStats } from './bot-process.js';
import { forkBenchChild } from './ipc.js';

/** The parent's side of bench/bot-process.ts: an extra bot process, started with `npm start`'s heap flags. */

export type BotChild = {
  stats(): Promise<BotProcessStats>;
  reset(): Promise<void>;
  close(): Promise<void>;
};

const SCRIPT = fileURLToPath(new URL('./bot-process.ts', import.meta.url));

export async function startBotChild(settings: BotProcessSettings, heapFlags: string[]): Promise<BotChild> {
  const child = await forkBenchChild<BotProcessMessage>({
    script: SCRIPT,
    name: 'bot process',
    args: [JSON.stringify(settings)],
    execArgv: heapFlags,
    startTimeoutMs: 60_000,
  });
  return {
    stats: async () => (await child.ask('stats')).stats,
    reset: async () => {
      await child.ask('reset');
    },
    close: child.close,
  };
}
