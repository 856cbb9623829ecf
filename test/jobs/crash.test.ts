import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { alertKeyOfMessage, createWorld, type World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a check killed with SIGKILL mid-cycle', () => {
  it('is completed by the next run: nothing lost, nothing doubled', { timeout: 120_000 }, async () => {
    const anchor = Date.now();
    world = await createWorld({
      sim: { instances: 2_000, attention: 15, anchorMs: anchor, faults: { latencyMs: 40 } },
      env: { DIGEST_OVER: '50', YEASTAR_CONCURRENCY: '2' },
    });
    world.clock.now = anchor;
    const w = world;
    const expected = (await w.expectedAlerts()).map((e) => e.alertKey);

    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'check'], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        YEASTAR_BASE_URL: w.sim.url,
        YEASTAR_CLIENT_ID: w.sim.credentials.clientId,
        YEASTAR_CLIENT_SECRET: w.sim.credentials.clientSecret,
        YEASTAR_CONCURRENCY: '2',
        SLACK_BOT_TOKEN: w.config.slack.botToken,
        SLACK_API_URL: w.slack.url,
        SLACK_ALERT_CHANNEL: w.config.slack.alertChannel,
        SLACK_POSTS_PER_SECOND: '200',
        SLACK_BURST: '200',
        DIGEST_OVER: '50',
        QUEUE_PREFIX: w.prefix,
        REDIS_URL: w.config.redisUrl,
        TZ: 'UTC',
        LOG_LEVEL: 'error',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );

    // Kill it once a few pages are in: mid-scan, with jobs in flight.
    let killed = false;
    for (let i = 0; i < 600 && !killed; i++) {
      const [, keys] = await w.redis.scan('0', 'MATCH', `${w.prefix}:cycle:check-*:finished`, 'COUNT', 1000);
      for (const key of keys) {
        if ((await w.redis.scard(key)) >= 4) {
          child.kill('SIGKILL');
          killed = true;
        }
      }
      if (!killed) await new Promise((r) => setTimeout(r, 50));
    }
    expect(killed).toBe(true);
    expect(await exited).toBe('SIGKILL');
    expect(w.postsByAlert().size).toBeLessThan(expected.length);

    // The next run waits for the orphaned cycle (its lock expires, it is resumed), then runs its own.
    const result = await w.check();
    expect(result.code).toBe(0);
    const posts = w.postsByAlert();
    expect([...posts.keys()].sort()).toEqual([...expected].sort());
    for (const [key, n] of posts) expect(n, key).toBe(1);
    expect(w.topLevel().map(alertKeyOfMessage).sort()).toEqual([...expected].sort());
  });
});
