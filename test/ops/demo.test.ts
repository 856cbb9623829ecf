import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator } from '../../sim/server.js';
import { evaluateInstance } from '../../src/alerts/rules.js';
import { type PrivateRedis, startPrivateRedis } from '../../src/ops/private-redis.js';
import { parseInstance } from '../../src/yeastar/schemas.js';
import { runRepoScript } from '../helpers/subprocess.js';

function runDemo(env: Record<string, string>) {
  // Nothing of the developer's environment: the demo must work from a bare shell.
  return runRepoScript(['sim/cli.ts', 'demo'], env);
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

/**
 * An alert's headline names what is expiring and when; the lines under it must say the same: the named
 * plan or service is there, with the same days (or "date unknown").
 */
function expectHeadlineAgreesWithLines(block: string): void {
  const [head = '', ...rest] = block.split('\n');
  const body = rest.join('\n');
  const match =
    /· (Plan|Service) (expired .+?|expires .+?|expiring, date unknown|switching(?: .+?)?): (.+?)(?: \(\+\d+ more\))?$/.exec(
      head,
    );
  expect(match, head).not.toBeNull();
  const [, what, state, name] = match!;
  const first = name!.split(' → ')[0]!;
  const line = body
    .split('\n')
    .find((l) => l.includes(first) && (what === 'Plan' ? /plan:/i.test(l) : l.includes(' - ')));
  expect(line, `${head}\n${body}`).toBeDefined();
  if (state!.startsWith('expired ')) expect(line).toContain(`(${state})`);
  else if (state!.startsWith('expires ')) expect(line).toContain(`(${state!.slice('expires '.length)})`);
  else if (state!.includes('date unknown')) expect(line).toContain('date unknown');
  else if (state!.startsWith('switching ')) expect(line).toContain(`(${state!.slice('switching '.length)})`);
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
    const counts =
      /12 alerts need attention \(listed above, most urgent first\): (\d+) critical, (\d+) high, (\d+) warning, (\d+) info\./.exec(
        stdout,
      );
    expect(counts, stdout).not.toBeNull();
    const heads = stdout.split('\n').filter((line) => /^\[[A-Z]+\] /.test(line));
    expect(counts!.slice(1).map(Number)).toEqual(
      ['CRITICAL', 'HIGH', 'WARNING', 'INFO'].map((s) => heads.filter((h) => h.startsWith(`[${s}]`)).length),
    );
    for (const block of stdout.split('\n\n').filter((b) => /^\[[A-Z]+\] /.test(b.trimStart()))) {
      expectHeadlineAgreesWithLines(block.trimStart());
    }
    // The last line is the renewal forecast; the lines before it say how to go live.
    const last = stdout.trimEnd().split('\n').at(-1)!;
    expect(last).toMatch(/^Forecast: \d+ renewals in the next 90 days, \d+ auto-renew, \d+ need action/);
    const tail = stdout.trimEnd().split('\n').slice(-7, -2).join('\n');
    expect(tail).toMatch(/^To go live: /);
    for (const name of [
      'YEASTAR_CLIENT_ID',
      'YEASTAR_CLIENT_SECRET',
      'SLACK_BOT_TOKEN',
      'SLACK_ALERT_CHANNEL',
    ])
      expect(tail).toContain(name);
    expect(tail).toContain('npm run check');
    // Renewal options in a reader's words, not the API's.
    expect(stdout).not.toMatch(/billing (models|cycles):/);
    expect(stdout).toContain('Renew it in the Partner Portal, billed yearly');
    expect(stdout).toMatch(/Block Kit JSON of each message .*\.demo-out\/ \(13 files\)/);
    expect(stdout).toMatch(
      /^cycle \S+: 200 instances, 12 posted, 0 escalated, 0 updated, 0 resolved, \d+ API calls, 0 errors/m,
    );
    // Piped, not a TTY: no colour codes.
    expect(stdout).not.toContain('\x1b[');
    // Most urgent first: the first alert printed is an expired one.
    expect(stdout.trimStart().split('\n')[0]).toMatch(/^\[CRITICAL\] \S+ · (Plan|Service) expired /);

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
