import { type ChildProcess, spawn } from 'node:child_process';
import { expect } from 'vitest';
import { childEnv, REPO_ROOT } from './subprocess.js';

/** `src/cli.ts <command>` as its own process, watched: its output so far, its exit and how long it took. */
export type CliProcess = {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Exit code (null when a signal ended it) and milliseconds from spawn to exit. */
  exited: Promise<{ code: number | null; ms: number }>;
  /** Resolves once stdout or stderr matches `pattern`; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends `signal`; returns when it was sent (performance.now()). */
  signal(signal: NodeJS.Signals): number;
};

export function spawnCli(command: string, env: Record<string, string>, timeoutMs = 60_000): CliProcess {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', command], {
    cwd: REPO_ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const watch of [...watchers]) watch();
  };
  child.stdout!.on('data', (d) => {
    out += d;
    notify();
  });
  child.stderr!.on('data', (d) => {
    err += d;
    notify();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      notify();
      resolve({ code, ms: performance.now() - started });
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    signal(signal) {
      child.kill(signal);
      return performance.now();
    },
    waitFor(pattern, waitMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(out) || pattern.test(err)) {
            done();
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`exited before ${pattern}:\n${out}\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${waitMs} ms:\n${out}\n${err}`));
        }, waitMs);
        const done = () => {
          clearTimeout(timer);
          watchers.delete(check);
        };
        watchers.add(check);
        check();
      });
    },
  };
}

/** The lines of an output that say something (blank ones left out). */
export function nonBlankLines(output: string): string[] {
  return output.split('\n').filter((line) => line.trim() !== '');
}

/** What an operator reads on stderr after a failure: a few lines, and no stack trace in any form. */
export function expectShortStderr(stderr: string, maxLines = 3): void {
  const lines = nonBlankLines(stderr);
  expect(lines.length, stderr).toBeLessThanOrEqual(maxLines);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/\\n\s+at /);
  expect(stderr).not.toContain('Unhandled error event');
}
