import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../src/ops/private-redis.js';

const run = promisify(execFile);

/** Whether `binary` is on PATH (the cluster and TLS tests skip, saying why, when redis-server is not). */
export function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, binary)));
}

// Redis keeps a clock of its own: nothing of this process's environment reaches it (libfaketime, which
// CI preloads into Node for the clock tests, would move Redis's clock and can stop it from starting).
const serverEnv = () => ({ PATH: process.env.PATH ?? '' });

export type LocalCluster = {
  /** A seed node's URL: what REDIS_URL holds in cluster mode. */
  url: string;
  ports: number[];
  stop(): Promise<void>;
};

async function waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(port), ...args], { env: serverEnv() });
  return stdout;
}

/** Stops the servers (SIGTERM, then SIGKILL) and removes their directory. */
async function stopAll(children: ChildProcess[], dir: string): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }),
  );
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A throw-away Redis Cluster of three masters (no replicas) on free loopback ports, keeping nothing on
 * disk but its node files in a temporary directory that `stop()` removes.
 */
export async function startLocalCluster(masters = 3): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'yeastar-cluster-'));
  const ports: number[] = [];
  for (let i = 0; i < masters; i++) ports.push(await freePort());
  const children = ports.map((port) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { cwd: dir, stdio: 'ignore', env: serverEnv() },
    ),
  );
  const reap = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', reap);
  try {
    for (const port of ports)
      await waitUntil(async () => (await cli(port, 'ping')).trim() === 'PONG', `node ${port}`);
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { env: serverEnv() },
    );
    for (const port of ports) {
      await waitUntil(
        async () => (await cli(port, 'cluster', 'info')).includes('cluster_state:ok'),
        `cluster ok on ${port}`,
      );
    }
  } catch (error) {
    process.off('exit', reap);
    await stopAll(children, dir);
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${ports[0]}`,
    ports,
    stop: async () => {
      process.off('exit', reap);
      await stopAll(children, dir);
    },
  };
}
