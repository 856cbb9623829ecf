import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateInstance } from '../../src/alerts/rules.js';
import { type PrivateRedis, startPrivateRedis } from '../../src/ops/private-redis.js';
import { createSimulator } from '../../src/sim/server.js';
import { parseInstance } from '../../src/yeastar/schemas.js';
import { runRepoScript } from '../helpers/subprocess.js';

function runDemo(env: Record<string, string>) {
  // Nothing of the developer's environment: the demo must work from a bare shell.
  return runRepoScript(['src/cli.ts', 'demo'], env);
}

/** The SNs the demo's sample partner has that need attention, found by the rules themselves. */
async function expectedAlertSns(): Promise<string[]> {
  const sim = await createSimulator({ instances: 200, attention: 12, seed: 7 });
  try {
    const sns: string[] = [];
    for (const productId of ['9', '11', '12', '13']) {
      for (const sn of sim.listInstanceNos(productId)) {
        const instance = parseInstance(sim.getInstance(productId, sn), productId);
        const evaluation = evaluateInstance(instance, {
          now: Date.now(),
          thresholds: [30, 14, 7, 3, 1],
          timeZone: 'UTC',
        });
        if (evaluation.stage !== null) sns.push(sn);
      }
    }
    return sns;
  } finally {
    await sim.close();
  }
}

describe('npm run demo, as a subprocess from the repo', () => {
  let redisServer: PrivateRedis;
  let expected: string[];

  beforeAll(async () => {
    redisServer = await startPrivateRedis();
    expected = await expectedAlertSns();
  });
  afterAll(async () => {
    await redisServer?.stop();
  });

  it('runs one cycle on a Redis given by REDIS_URL, lists the expected alerts, and leaves no keys behind', async () => {
    expect(expected).toHaveLength(12);
    const { code, stdout, stderr } = await runDemo({ REDIS_URL: redisServer.url });
    expect(stderr).toContain('Redis: using REDIS_URL');
    expect(code, stderr).toBe(0);
    for (const sn of expected) expect(stdout).toContain(sn);
    expect(stdout).toContain('12 alerts need attention, most urgent first');
    expect(stdout).toMatch(/Block Kit JSON of each message .*\.demo-out\/ \(13 files\)/);
    expect(stdout).toMatch(
      /^cycle \S+: 200 instances, 12 posted, 0 escalated, 0 updated, 0 resolved, \d+ API calls, 0 errors/m,
    );
    // Piped, not a TTY: no colour codes.
    expect(stdout).not.toContain('\x1b[');
    // Most urgent first: the first alert printed is an expired one.
    expect(stdout.trimStart().split('\n')[0]).toMatch(/^\[CRITICAL\] \S+ · Expired/);

    const redis = new Redis(redisServer.url);
    try {
      expect(await redis.dbsize()).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it('starts a private redis-server when REDIS_URL is not set at all', async () => {
    const { code, stdout, stderr } = await runDemo({});
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/Redis: started a private redis-server on 127\.0\.0\.1:\d+/);
    for (const sn of expected) expect(stdout).toContain(sn);
  });

  it('says how to get Redis when none answers and no redis-server is installed', async () => {
    const { code, stderr } = await runDemo({ REDIS_URL: 'redis://127.0.0.1:1', PATH: '/nonexistent' });
    expect(code).toBe(1);
    expect(stderr).toContain('npm run demo needs Redis: install redis-server');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
