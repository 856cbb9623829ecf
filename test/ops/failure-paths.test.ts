import { writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeSlack, type FakeSlack } from '../../sim/fake-slack.js';
import { createSimulator, type Simulator } from '../../sim/server.js';
import { actionBody, actionPayload, FORM, postToSlackApp } from '../../sim/slack-sign.js';
import { ACTION_IDS } from '../../src/alerts/types.js';
import { type PrivateRedis, startPrivateRedis } from '../../src/ops/private-redis.js';
import { type CliProcess, expectShortStderr, spawnCli } from '../helpers/cli-process.js';
import { deleteKeys, redisFixture, TEST_REDIS_URL } from '../helpers/redis.js';

/**
 * The failure paths an operator meets on day one, each run as the real CLI in a process of its own: it
 * must end with the right code, soon (the bounds here are generous: a loaded machine; the figures are in
 * the closing note), with a few lines on stderr and no stack trace. Nothing here touches keys
 * outside its own prefix; the Redis that is stopped and restarted is a private one.
 */

const CHANNEL = 'CFAIL00001';
const SECRET = 'failure-paths-signing-secret';
const ALLOWED = 'UALLOWED1';

let sim: Simulator;
let slack: FakeSlack;
let fixture: Awaited<ReturnType<typeof redisFixture>>;
const running: CliProcess[] = [];

beforeAll(async () => {
  sim = await createSimulator({ instances: 60, attention: 6, seed: 5 });
  slack = await createFakeSlack();
  fixture = await redisFixture('fail');
});

afterAll(async () => {
  for (const p of running)
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await sim?.close();
  await slack?.close();
  await fixture?.close();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    YEASTAR_BASE_URL: sim.url,
    YEASTAR_CLIENT_ID: sim.credentials.clientId,
    YEASTAR_CLIENT_SECRET: sim.credentials.clientSecret,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: fixture.prefix,
    SLACK_BOT_TOKEN: 'xoxb-failure-paths',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    SLACK_ALERT_CHANNEL: CHANNEL,
    SLACK_POSTS_PER_SECOND: '50',
    SLACK_BURST: '50',
    ACTIVATION_ALLOWED_USERS: ALLOWED,
    PORT: '0',
    ...extra,
  };
}

function run(command: string, extra: Record<string, string> = {}): CliProcess {
  const process = spawnCli(command, env(extra));
  running.push(process);
  return process;
}

function portOf(bot: CliProcess): number {
  const port = Number(/"port":(\d+)/.exec(bot.stdout())?.[1]);
  expect(port).toBeGreaterThan(0);
  return port;
}

async function health(bot: CliProcess): Promise<{ status: number; reasons: string[] }> {
  const res = await fetch(`http://127.0.0.1:${portOf(bot)}/healthz`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, reasons: ((await res.json()) as { reasons: string[] }).reasons };
}

describe('npm run check ends with its exit code, whatever failed', () => {
  it('a refused client secret: the FAILED line, exit 1, within seconds', async () => {
    const check = run('check', { YEASTAR_CLIENT_SECRET: 'wrong-secret' });
    const { code, ms } = await check.exited;
    expect(code).toBe(1);
    expect(check.stdout()).toMatch(/FAILED: Yeastar refused the client credentials: invalid_client/);
    expect(ms).toBeLessThan(30_000);
    expectShortStderr(check.stderr());
    await deleteKeys(fixture.redis, fixture.prefix);
  });

  it('an API nobody answers at: the FAILED line naming it, exit 1', async () => {
    const check = run('check', { YEASTAR_BASE_URL: 'http://127.0.0.1:1' });
    const { code, ms } = await check.exited;
    expect(code).toBe(1);
    expect(check.stdout()).toMatch(/FAILED: .*ECONNREFUSED/);
    expect(ms).toBeLessThan(30_000);
    expectShortStderr(check.stderr());
    await deleteKeys(fixture.redis, fixture.prefix);
  });

  it.each([
    ['a YAML error', 'routes:\n  - name: x\n   bad: [\n', /bad-routes\.yml:3: /],
    ['a missing file', null, /missing-routes\.yml: cannot read the routes file \(ENOENT\)/],
  ])('a routes file with %s: check and start both exit 1 with the line', async (_what, text, line) => {
    const file = join(tmpdir(), text === null ? 'missing-routes.yml' : 'bad-routes.yml');
    if (text !== null) writeFileSync(file, text);
    for (const command of ['check', 'start']) {
      const proc = run(command, { ROUTES_FILE: file });
      const { code, ms } = await proc.exited;
      expect(code, command).toBe(1);
      expect(proc.stderr()).toMatch(line);
      expect(ms).toBeLessThan(30_000);
      expectShortStderr(proc.stderr(), 1);
    }
  });
});

describe('Redis out of reach at start', () => {
  const unreachable = { REDIS_URL: 'redis://:hunter2@127.0.0.1:1', REDIS_CONNECT_TIMEOUT: '3s' };

  it.each(['check', 'start'])(
    '%s tries for REDIS_CONNECT_TIMEOUT, then exits 1 with one line naming REDIS_URL',
    async (command) => {
      const proc = run(command, unreachable);
      const { code, ms } = await proc.exited;
      expect(code).toBe(1);
      expect(proc.stderr().trim()).toMatch(
        /^Redis did not answer at REDIS_URL=redis:\/\/:\*\*\*@127\.0\.0\.1:1 within 3\.0 s \(\d+ attempts; last: connect ECONNREFUSED 127\.0\.0\.1:1\)\./,
      );
      expect(proc.stderr()).not.toContain('hunter2');
      expect(ms).toBeGreaterThan(3_000);
      expect(ms).toBeLessThan(20_000);
      expectShortStderr(proc.stderr(), 1);
    },
  );

  it.each(['check', 'start'])('%s stops at once on SIGTERM while it waits', async (command) => {
    // A "Redis" that hangs up on every connection: its first connection says the process is waiting.
    let connected!: () => void;
    const firstConnection = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const hangUp = createServer((socket) => {
      connected();
      socket.destroy();
    });
    await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = hangUp.address() as AddressInfo;
      const proc = run(command, { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_CONNECT_TIMEOUT: '60s' });
      await firstConnection;
      const sent = proc.signal('SIGTERM');
      const { code } = await proc.exited;
      expect(performance.now() - sent).toBeLessThan(10_000);
      expect(code, `${proc.stdout()}\n${proc.stderr()}`).toBe(command === 'check' ? 1 : 0);
      expectShortStderr(proc.stderr(), 3);
    } finally {
      hangUp.close();
    }
  });
});

describe('npm start with Redis that goes away', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('says once that Redis is gone and once that it is back, /healthz meanwhile unhealthy, no stack', async () => {
    const bot = run('start', { REDIS_URL: redis.url, POLL_EVERY: '2s' });
    await bot.waitFor(/"msg":"bot running"/);
    await bot.waitFor(/"msg":"cycle finished"/);
    await redis.stop();
    await bot.waitFor(/Redis stopped answering at REDIS_URL=redis:\/\/127\.0\.0\.1:\d+/);
    const during = await health(bot);
    expect(during.status).toBe(503);
    expect(during.reasons.join(' ')).toMatch(/^redis: not answering/);
    await new Promise((r) => setTimeout(r, 3_000));
    redis = await startPrivateRedis(undefined, { port: redis.port });
    await bot.waitFor(/Redis answers again after \d+\.\d s/);
    await new Promise((r) => setTimeout(r, 3_000));
    const output = bot.stdout();
    expect(output.match(/Redis stopped answering/g)).toHaveLength(1);
    expect(output.match(/Redis answers again/g)).toHaveLength(1);
    expect((await health(bot)).reasons.join(' ')).not.toMatch(/redis:/);
    expectShortStderr(bot.stderr(), 0);
    bot.signal('SIGTERM');
    expect((await bot.exited).code).toBe(0);
  });

  it('stops within STOP_GRACE on SIGTERM when Redis is gone', async () => {
    const bot = run('start', { REDIS_URL: redis.url, POLL_EVERY: '2s', STOP_GRACE: '10s' });
    await bot.waitFor(/"msg":"bot running"/);
    await redis.stop();
    await bot.waitFor(/Redis stopped answering/);
    const sent = bot.signal('SIGTERM');
    const { code } = await bot.exited;
    expect(performance.now() - sent).toBeLessThan(10_000);
    expect(code).toBe(1);
    expect(bot.stdout()).toContain('stopped before the jobs in hand were done');
    expectShortStderr(bot.stderr(), 0);
    redis = await startPrivateRedis(undefined, { port: redis.port });
  });
});

describe('npm start: stopping with jobs in hand', () => {
  it('a second SIGTERM exits at once while the first waits for the jobs in hand', async () => {
    sim.setFaults({ latencyMs: 60_000 });
    try {
      const bot = run('start', {
        POLL_EVERY: '1h',
        STOP_GRACE: '60s',
        QUEUE_PREFIX: `${fixture.prefix}-slow`,
      });
      await bot.waitFor(/"msg":"bot running"/);
      await new Promise((r) => setTimeout(r, 1_500));
      bot.signal('SIGTERM');
      await bot.waitFor(/stopping: finishing the jobs in hand/);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(bot.child.exitCode).toBeNull();
      const sent = bot.signal('SIGTERM');
      const { code } = await bot.exited;
      expect(performance.now() - sent).toBeLessThan(5_000);
      expect(code).toBe(1);
      expect(bot.stdout()).toContain('second signal: exiting now');
      expectShortStderr(bot.stderr(), 0);
    } finally {
      sim.setFaults({ latencyMs: 0 });
      await deleteKeys(fixture.redis, `${fixture.prefix}-slow`);
    }
  });
});

describe('npm start: the Slack endpoint', () => {
  let bot: CliProcess;
  beforeAll(async () => {
    bot = run('start', { POLL_EVERY: '1h', STOP_GRACE: '5s', QUEUE_PREFIX: `${fixture.prefix}-http` });
    await bot.waitFor(/"msg":"bot running"/);
  });
  afterAll(async () => {
    bot.signal('SIGTERM');
    await bot.exited;
    await deleteKeys(fixture.redis, `${fixture.prefix}-http`);
  });

  it('answers an unsigned 200 MB POST with 413 before reading it', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const socket = connect(portOf(bot), '127.0.0.1');
      let received = '';
      socket.setTimeout(10_000, () => reject(new Error('no answer')));
      socket.on('error', () => {});
      socket.on('data', (d) => {
        received += d;
      });
      socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0)));
      socket.on('connect', () =>
        socket.write(
          'POST /slack/events HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n' +
            `content-length: ${200 * 1024 * 1024}\r\n\r\n`,
        ),
      );
    });
    expect(status).toBe(413);
  });

  it('refuses a forged activation button from a user without the right', async () => {
    const sn = sim.listInstanceNos('12')[0]!;
    const responseUrl = slack.responseUrl();
    const payload = actionPayload(
      'UNOTALLOWED',
      { action_id: ACTION_IDS.activationCode, block_id: `alert_actions:13:${sn}`, value: `13:${sn}` },
      { kind: 'message', channel: CHANNEL, ts: '1.000001', responseUrl },
    );
    const answer = await postToSlackApp(
      `http://127.0.0.1:${portOf(bot)}/slack/events`,
      actionBody(payload),
      FORM,
      { secret: SECRET },
    );
    expect(answer.status).toBe(200);
    const deadline = Date.now() + 10_000;
    const replies = () => slack.responses.filter((r) => r.url === responseUrl);
    while (replies().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const reply = JSON.stringify(replies());
    expect(reply).toMatch(/Sorry, you are not on the list/);
    expect(reply).not.toContain('Software Edition');
  });
});
