import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** Whether a Redis answers PING at `url` within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // A probe: the same failure rejects connect() or ping() below, which is the answer.
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    // No Redis there (refused, timed out, not Redis): what the caller asked.
    return false;
  } finally {
    redis.disconnect();
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class RedisServerMissingError extends Error {
  override name = 'RedisServerMissingError';
}

export type PrivateRedis = { url: string; port: number; stop(): Promise<void> };

/**
 * A throw-away `redis-server` on a free loopback port, keeping nothing on disk: for `npm run demo` on a
 * machine where no Redis answers. Throws `RedisServerMissingError` when the binary is not installed.
 */
export async function startPrivateRedis(
  binary = 'redis-server',
  /** A given port (tests restart a server where its clients expect it); a free one by default. */
  options: { port?: number } = {},
): Promise<PrivateRedis> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'yeastar-demo-redis-'));
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    // Redis is another server with a clock of its own: nothing of this process's environment reaches it,
    // libraries preloaded into Node included (libfaketime, which moves Node's clock in the tests, would
    // move Redis's as well, and stops redis-server from starting at all).
    { stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } },
  );
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const failed = await Promise.race([spawnError, new Promise<null>((r) => setTimeout(() => r(null), 100))]);
    if (failed) {
      rmSync(dir, { recursive: true, force: true });
      if ((failed as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new RedisServerMissingError(`${binary} is not installed`);
      }
      throw failed;
    }
    if (await redisAnswers(url, 500)) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${binary} did not start on port ${port}`);
    }
  }
  // A process that dies of an uncaught error or calls process.exit never reaches stop(): the server must
  // not outlive it (an orphan keeps its port and its directory until someone finds it).
  const reap = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', reap);
  return {
    url,
    port,
    stop: async () => {
      process.off('exit', reap);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
