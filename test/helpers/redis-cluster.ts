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

/** TLS files and an ACL user, for servers reachable only as `rediss://user:password@`. */
export type ServerSecurity = {
  tls?: { certFile: string; keyFile: string; caFile: string };
  user?: { name: string; password: string };
};

/** redis-server arguments: TLS on `port` (plain TCP off) and the ACL user, the default user off. */
export function securityArgs(port: number, security: ServerSecurity): string[] {
  const args: string[] = [];
  if (security.tls) {
    const { certFile, keyFile, caFile } = security.tls;
    args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', certFile);
    args.push('--tls-key-file', keyFile, '--tls-ca-cert-file', caFile, '--tls-auth-clients', 'no');
  } else {
    args.push('--port', String(port));
  }
  if (security.user) {
    const { name, password } = security.user;
    // redis-server joins the words after an option into one config line; one argument with spaces is
    // read as a user name with spaces in it.
    args.push('--user', name, 'on', `>${password}`, '~*', '&*', '+@all', '--user', 'default', 'off');
  }
  return args;
}

/** redis-cli arguments to reach such a server. */
export function cliArgs(security: ServerSecurity): string[] {
  const args: string[] = [];
  if (security.tls) args.push('--tls', '--cacert', security.tls.caFile);
  if (security.user) {
    args.push('--user', security.user.name, '--pass', security.user.password, '--no-auth-warning');
  }
  return args;
}

/** The URL a client of these servers is given (a name, not an address, with TLS: the certificate's). */
export function serverUrl(port: number, security: ServerSecurity): string {
  const auth = security.user ? `${security.user.name}:${security.user.password}@` : '';
  return security.tls ? `rediss://${auth}localhost:${port}` : `redis://${auth}127.0.0.1:${port}`;
}

export async function redisCli(port: number, security: ServerSecurity, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(port), ...cliArgs(security), ...args], {
    env: serverEnv(),
  });
  return stdout;
}

export async function waitUntil(
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
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

export type LocalServers = {
  /** A (seed) node's URL: what REDIS_URL holds. */
  url: string;
  ports: number[];
  stop(): Promise<void>;
};

/** redis-server processes in a temporary directory, reaped if this process exits first. */
function spawnServers(dir: string, argsOf: (i: number) => string[], count: number) {
  const children = Array.from({ length: count }, (_, i) =>
    spawn('redis-server', [...argsOf(i), '--save', '', '--appendonly', 'no', '--dir', dir], {
      cwd: dir,
      stdio: 'ignore',
      env: serverEnv(),
    }),
  );
  const reap = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', reap);
  const stop = async () => {
    process.off('exit', reap);
    await stopAll(children, dir);
  };
  return stop;
}

/** One redis-server (TLS and an ACL user when `security` says so) on a free loopback port. */
export async function startLocalServer(security: ServerSecurity = {}): Promise<LocalServers> {
  const dir = mkdtempSync(join(tmpdir(), 'yeastar-redis-'));
  const port = await freePort();
  // Both loopbacks: `localhost` (the certificate's name) may resolve to ::1 first.
  const stop = spawnServers(dir, () => [...securityArgs(port, security), '--bind', '127.0.0.1', '-::1'], 1);
  try {
    await waitUntil(
      async () => (await redisCli(port, security, 'ping')).trim() === 'PONG',
      `redis on ${port}`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: serverUrl(port, security), ports: [port], stop };
}

/**
 * A throw-away Redis Cluster of three masters (no replicas) on free loopback ports, keeping nothing on
 * disk but its node files in a temporary directory that `stop()` removes.
 */
export async function startLocalCluster(security: ServerSecurity = {}, masters = 3): Promise<LocalServers> {
  const dir = mkdtempSync(join(tmpdir(), 'yeastar-cluster-'));
  const ports: number[] = [];
  // The bus port is set too: the default (port + 10000) is out of range for a port above 55535.
  const busPorts: number[] = [];
  for (let i = 0; i < masters; i++) ports.push(await freePort());
  for (let i = 0; i < masters; i++) busPorts.push(await freePort());
  const stop = spawnServers(
    dir,
    (i) => [
      ...securityArgs(ports[i]!, security),
      ...(security.tls ? ['--tls-cluster', 'yes'] : []),
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      '--cluster-port',
      String(busPorts[i]),
      '--cluster-config-file',
      `nodes-${ports[i]}.conf`,
    ],
    masters,
  );
  try {
    for (const port of ports) {
      await waitUntil(async () => (await redisCli(port, security, 'ping')).trim() === 'PONG', `node ${port}`);
    }
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    await run(
      'redis-cli',
      [...cliArgs(security), '--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'],
      { env: serverEnv() },
    );
    for (const port of ports) {
      await waitUntil(
        async () => (await redisCli(port, security, 'cluster', 'info')).includes('cluster_state:ok'),
        `cluster ok on ${port}`,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: serverUrl(ports[0]!, security), ports, stop };
}
