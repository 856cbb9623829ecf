import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, redisAnswers } from '../src/ops/private-redis.js';

/**
 * The chaos run's own redis-server, with an append-only file fsynced on every write, so a restart keeps
 * everything (the "restart with persistence") while FLUSHALL on it (the "wipe") harms nobody else.
 */
export type ChaosRedis = {
  url: string;
  restart(): Promise<void>;
  wipe(): Promise<void>;
  stop(): Promise<void>;
};

export async function startChaosRedis(): Promise<ChaosRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'yeastar-chaos-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--dir',
        dir,
      ],
      { stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } },
    );
    for (let i = 0; i < 100; i++) {
      if (await redisAnswers(url, 300)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('chaos redis-server did not start');
  }

  async function stop(): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    // SIGTERM: redis-server flushes its append-only file and exits.
    running.kill('SIGTERM');
    await exited;
  }

  await start();
  return {
    url,
    async restart() {
      await stop();
      await start();
    },
    async wipe() {
      const { Redis } = await import('ioredis');
      const redis = new Redis(url);
      // This Redis is the chaos run's own: wiping it is the point.
      await redis.flushall();
      await redis.quit();
    },
    async stop() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
