import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The environment of a child process of the repo: PATH and HOME, libfaketime's variables when the suite
 * runs under `faketime` (so the child's clock is moved as the test's is, as `faketime` would do for any
 * child), and `env`. Nothing else of the caller's: a developer's `.env`-style settings must not leak in.
 */
export function childEnv(env: Record<string, string> = {}): Record<string, string> {
  const inherited: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
  };
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && (name === 'LD_PRELOAD' || name.startsWith('FAKETIME')))
      inherited[name] = value;
  }
  return { ...inherited, ...env };
}

/**
 * Runs a TypeScript entry point of the repo (`sim/cli.ts demo`, `bench/cycle.ts …`) as its own Node
 * process from the repo root, in `childEnv(env)`, and resolves with its exit code and output; killed after
 * `timeoutMs`.
 */
export function runRepoScript(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 90_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: REPO_ROOT,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
