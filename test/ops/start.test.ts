import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeSlack, type FakeSlack } from '../../sim/fake-slack.js';
import { createSimulator, type Simulator } from '../../sim/server.js';
import { redisFixture, TEST_REDIS_URL } from '../helpers/redis.js';
import { childEnv } from '../helpers/subprocess.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const CHANNEL = 'CSTART0001';

type Bot = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

function startBot(env: Record<string, string>): Bot {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
    cwd: repo,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function until(
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('npm start: two bot processes on one Redis', () => {
  let sim: Simulator;
  let slack: FakeSlack;
  let fixture: Awaited<ReturnType<typeof redisFixture>>;
  const bots: Bot[] = [];

  beforeAll(async () => {
    sim = await createSimulator({ instances: 300, attention: 15, seed: 11 });
    slack = await createFakeSlack();
    fixture = await redisFixture('start');
  });

  afterAll(async () => {
    for (const bot of bots) if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
    await sim?.close();
    await slack?.close();
    await fixture?.close();
  });

  it('runs three scheduled cycles between them, posts every alert once, serves /healthz, and stops on SIGTERM', async () => {
    const env = {
      YEASTAR_BASE_URL: sim.url,
      YEASTAR_CLIENT_ID: sim.credentials.clientId,
      YEASTAR_CLIENT_SECRET: sim.credentials.clientSecret,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: fixture.prefix,
      SLACK_BOT_TOKEN: 'xoxb-start-test',
      SLACK_SIGNING_SECRET: 'start-test-secret',
      SLACK_API_URL: slack.url,
      SLACK_ALERT_CHANNEL: CHANNEL,
      SLACK_POSTS_PER_SECOND: '50',
      SLACK_BURST: '50',
      POLL_EVERY: '3s',
      PORT: '0',
      LOG_LEVEL: 'info',
    };
    bots.push(startBot(env), startBot(env));
    const finishedCycles = async () => {
      const cycles = new Set<string>();
      for (const line of bots.flatMap((b) => b.output().split('\n'))) {
        if (!line.includes('"cycle finished"')) continue;
        try {
          cycles.add(String((JSON.parse(line) as { cycleId?: string; msg?: string }).cycleId ?? line));
        } catch {
          cycles.add(line);
        }
      }
      return cycles.size;
    };
    await until(async () => (await finishedCycles()) >= 3, 60_000, 'three finished cycles');

    // Every alert exactly once: one top-level digest (15 > DIGEST_OVER) and one reply per alert in its thread.
    const posted = slack.calls
      .filter((c) => c.method === 'chat.postMessage' && c.ok)
      .map(
        (c) =>
          (c.body.metadata as { event_payload?: { alertKey?: string } } | undefined)?.event_payload?.alertKey,
      )
      .filter((key): key is string => typeof key === 'string');
    expect(posted).toHaveLength(15);
    expect(new Set(posted).size).toBe(15);

    // Both processes serve /healthz on their own port, healthy after a successful cycle.
    for (const bot of bots) {
      const port = Number(/"port":(\d+)/.exec(bot.output())?.[1]);
      expect(port).toBeGreaterThan(0);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('yeastar_alerts_open{stage=');
    }

    for (const bot of bots) bot.child.kill('SIGTERM');
    const codes = await Promise.all(bots.map((b) => b.exited));
    expect(codes).toEqual([0, 0]);
    for (const bot of bots) expect(bot.output()).toContain('"msg":"stopped"');
  });
});
