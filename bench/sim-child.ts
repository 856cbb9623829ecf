import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimProcessMessage, SimProcessOptions, SimProcessStats } from './sim-process.js';

/** The parent's side of bench/sim-process.ts: start it, ask it for counts, stop it. */

export type SimChild = {
  url: string;
  slackUrl: string;
  credentials: { clientId: string; clientSecret: string };
  stats(): Promise<SimProcessStats>;
  reset(): Promise<void>;
  close(): Promise<void>;
};

const SCRIPT = fileURLToPath(new URL('./sim-process.ts', import.meta.url));

function nextMessage<T extends SimProcessMessage['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<SimProcessMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`simulator: no '${type}' within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: SimProcessMessage) => {
      if (message.type === type) done(null, message as Extract<SimProcessMessage, { type: T }>);
    };
    const onExit = (code: number | null) => done(new Error(`simulator exited (${code}) before '${type}'`));
    function done(error: Error | null, message?: Extract<SimProcessMessage, { type: T }>) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message!);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function startSimChild(options: SimProcessOptions, startTimeoutMs = 180_000): Promise<SimChild> {
  // `node --cpu-prof … bench/cycle.ts` profiles the simulator too: its CPU shares the bot's cores.
  const profiling = process.execArgv.filter((arg) => arg.startsWith('--cpu-prof'));
  const child = fork(SCRIPT, [JSON.stringify(options)], {
    execArgv: [...profiling, '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await nextMessage(child, 'ready', startTimeoutMs).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    url: ready.url,
    slackUrl: ready.slackUrl,
    credentials: ready.credentials,
    async stats() {
      const answer = nextMessage(child, 'stats', 30_000);
      child.send({ type: 'stats' });
      return (await answer).stats;
    },
    async reset() {
      const answer = nextMessage(child, 'reset', 30_000);
      child.send({ type: 'reset' });
      await answer;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
