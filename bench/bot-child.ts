import { fileURLToPath } from 'node:url';
import type {
  BotProcessMessage,
  BotProcessSettings,
  BotProcessStats,
  CycleMeasurement,
  MemoryPeaks,
} from './bot-process.js';
import { forkBenchChild } from './ipc.js';

/** The parent's side of bench/bot-process.ts: a bot process, started with `npm start`'s heap flags. */

export type BotChild = {
  /** The port of its Slack app's HTTP receiver. */
  port: number;
  /** Runs one cycle there and measures it. */
  cycle(): Promise<CycleMeasurement>;
  stats(): Promise<BotProcessStats>;
  memory(): Promise<MemoryPeaks>;
  reset(): Promise<void>;
  close(): Promise<void>;
};

const SCRIPT = fileURLToPath(new URL('./bot-process.ts', import.meta.url));
/** A cycle over a million instances takes minutes; one that never ends is the bench's failure, not a wait. */
const CYCLE_TIMEOUT_MS = 60 * 60_000;

export async function startBotChild(settings: BotProcessSettings, execArgv: string[]): Promise<BotChild> {
  const child = await forkBenchChild<BotProcessMessage>({
    script: SCRIPT,
    name: 'bot process',
    args: [JSON.stringify(settings)],
    execArgv,
    startTimeoutMs: 60_000,
  });
  return {
    port: child.ready.port,
    cycle: async () => (await child.ask('cycle', CYCLE_TIMEOUT_MS)).cycle,
    stats: async () => (await child.ask('stats')).stats,
    memory: async () => (await child.ask('memory')).memory,
    reset: async () => {
      await child.ask('reset');
    },
    close: child.close,
  };
}
