import { type ChildProcess, fork } from 'node:child_process';

/** The next IPC message of `type` from a bench child process; rejects on exit or after `timeoutMs`. */
export function nextMessage<M extends { type: string }, T extends M['type']>(
  child: ChildProcess,
  name: string,
  type: T,
  timeoutMs: number,
): Promise<Extract<M, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`${name}: no '${type}' within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: M) => {
      if (message.type === type) done(null, message as Extract<M, { type: T }>);
    };
    const onExit = (code: number | null) => done(new Error(`${name} exited (${code}) before '${type}'`));
    function done(error: Error | null, message?: Extract<M, { type: T }>) {
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

/** Asks the child to close and waits for it to exit; SIGKILL after `graceMs`. */
export async function closeChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ type: 'close' });
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * A bench child process (a TypeScript entry point run with tsx) that says `ready` once started and then
 * answers each request `{ type }` with a message of the same type.
 */
export async function forkBenchChild<M extends { type: string }>(options: {
  script: string;
  name: string;
  args: string[];
  execArgv?: string[];
  startTimeoutMs: number;
}): Promise<{
  ready: Extract<M, { type: 'ready' }>;
  /** Sends `{ type }` and waits up to `timeoutMs` for the answer of the same type. */
  ask<T extends M['type']>(type: T, timeoutMs?: number): Promise<Extract<M, { type: T }>>;
  close(): Promise<void>;
}> {
  const child = fork(options.script, options.args, {
    execArgv: [...(options.execArgv ?? []), '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await nextMessage<M, 'ready'>(child, options.name, 'ready', options.startTimeoutMs).catch(
    (error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    },
  );
  return {
    ready,
    async ask(type, timeoutMs = 30_000) {
      const answer = nextMessage<M, typeof type>(child, options.name, type, timeoutMs);
      child.send({ type });
      return answer;
    },
    close: () => closeChild(child),
  };
}
