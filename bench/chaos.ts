import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { renewedUntil } from '../sim/dataset.js';
import { createFakeSlack, type FakeSlack } from '../sim/fake-slack.js';
import { createRng, type Rng } from '../sim/random.js';
import { createSimulator, type Simulator } from '../sim/server.js';
import { loadRoutesFile, routeAlert } from '../src/alerts/routes.js';
import { evaluateInstance } from '../src/alerts/rules.js';
import type { Evaluation } from '../src/alerts/types.js';
import { loadConfig } from '../src/config.js';
import { createYeastarClient } from '../src/yeastar/client.js';
import { type ChaosRedis, startChaosRedis } from './chaos-redis.js';

/**
 * `npm run chaos [-- --seed N] [-- --kills N]`: cycles of the bot (bench/chaos-child.ts, `npm run check`
 * with short locks) against the simulator and the fake Slack, each SIGKILLed at a seeded random moment,
 * with Slack 429/500/lost answers/timeouts and Partner API 5xx/429 injected, one Redis restart (append-only
 * file kept) and one wipe (FLUSHALL of its own redis-server). Then clean runs, and the fake Slack's record
 * is checked: per alert and channel exactly one alert message (duplicates), every alert the rules expect
 * present in each channel its routes name, showing its current stage, and renewed ones resolved in place
 * (lost). One line: `chaos: kills=… duplicates=… lost=…` and the seed to replay it.
 */

const MAIN = 'CCHAOSMAIN';
const FINANCE = 'CCHAOSFIN';
const PREFIX = 'chaos';

function argument(name: string): number | undefined {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : Number.NaN;
  return Number.isFinite(value) ? value : undefined;
}

const seed = argument('seed') ?? Math.floor(Math.random() * 1_000_000);
const targetKills = argument('kills') ?? 50;
const rng = createRng(seed);
const counts = { kills: 0, slackFaults: 0, apiFaults: 0, redisRestarts: 0, redisWipes: 0 };

type World = {
  sim: Simulator;
  slack: FakeSlack;
  redis: ChaosRedis;
  env: Record<string, string>;
  routesPath: string;
};

function childEnv(world: World): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...world.env };
}

function runChild(world: World): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/chaos-child.ts'], {
    env: childEnv(world),
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited };
}

function injectSlackFault(slack: FakeSlack, r: Rng): void {
  const n = r.int(1, 2);
  switch (r.int(0, 5)) {
    case 0:
      slack.rateLimitNext(n, 1, 'chat.postMessage');
      break;
    case 1:
      slack.failNext(n, 500, 'chat.postMessage');
      break;
    case 2:
      slack.acceptThenFail(n, { status: 500 }, 'chat.postMessage');
      break;
    case 3:
      slack.acceptThenFail(1, { hangMs: 1_500 }, 'chat.postMessage');
      break;
    case 4:
      slack.failNext(n, 503, 'chat.update');
      break;
    default:
      slack.rateLimitNext(1, 1, 'conversations.history');
  }
  counts.slackFaults += n;
}

function injectApiFault(sim: Simulator, r: Rng): void {
  const n = r.int(1, 3);
  if (r.chance(0.7)) sim.failNext(n, { status: r.pick([500, 502, 503]) });
  else sim.rateLimitNext(n, 1);
  counts.apiFaults += n;
}

/** What the rules say now, alerting or not, per instance; asked again while injected API faults last. */
async function evaluateAll(world: World, now: number): Promise<Evaluation[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await evaluateOnce(world, now);
    } catch (error) {
      if (attempt >= 8) throw error;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

async function evaluateOnce(world: World, now: number): Promise<Evaluation[]> {
  const redis = new Redis(world.redis.url, { maxRetriesPerRequest: null });
  const client = createYeastarClient({
    baseUrl: world.sim.url,
    clientId: world.sim.credentials.clientId,
    clientSecret: world.sim.credentials.clientSecret,
    userAgent: 'OpenAPI',
    redis,
    keyPrefix: `${PREFIX}-expect`,
  });
  const out: Evaluation[] = [];
  try {
    for (const line of await client.listProductLines()) {
      for await (const page of client.listInstances(line.productId)) {
        for (const instance of page.instances) {
          out.push(
            evaluateInstance(instance, {
              now,
              thresholds: [30, 14, 7, 3, 1],
              timeZone: 'UTC',
              productName: line.name,
            }),
          );
        }
      }
    }
  } finally {
    await redis.quit();
  }
  return out;
}

/** Moves an alerting instance's expiry nearer (an escalation) or renews it (a resolution). */
let changes = 0;

function changeData(world: World, alerting: Evaluation[], r: Rng, now: number, renewed: Set<string>): void {
  changes += 1;
  const target = alerting.length > 0 ? r.pick(alerting) : undefined;
  if (!target || renewed.has(target.alertKey)) return;
  const { productId, productNo } = target.subject;
  const raw = world.sim.getInstance(productId, productNo);
  if (!raw) return;
  if (r.chance(0.5)) {
    renewed.add(target.alertKey);
    world.sim.updateInstance(productId, productNo, renewedUntil(raw, now + 400 * 86_400_000));
  } else {
    world.sim.updateInstance(productId, productNo, {
      planStatus: 'expiring',
      planExpireDate: now + 2 * 86_400_000 + 3_600_000,
    });
  }
}

type Verdict = { duplicates: number; lost: number; details: string[] };

function verify(world: World, evaluations: Evaluation[], renewed: Set<string>): Verdict {
  const routes = loadRoutesFile(world.routesPath, { thresholds: [30, 14, 7, 3, 1] });
  const alertMessages = world.slack.messages().filter((m) => {
    const meta = m.metadata as { event_type?: string } | undefined;
    return meta?.event_type === 'yeastar_renewal_alert';
  });
  const byPair = new Map<string, typeof alertMessages>();
  for (const m of alertMessages) {
    const key = `${(m.metadata as { event_payload: { alertKey: string } }).event_payload.alertKey}@${m.channel}`;
    byPair.set(key, [...(byPair.get(key) ?? []), m]);
  }
  const verdict: Verdict = { duplicates: 0, lost: 0, details: [] };
  for (const [pair, list] of byPair) {
    if (list.length > 1) {
      verdict.duplicates += list.length - 1;
      verdict.details.push(`duplicate ${pair} ×${list.length}`);
    }
  }
  for (const e of evaluations) {
    if (e.stage === null) {
      // Renewed during the run: every message it had says so now.
      if (!renewed.has(e.alertKey)) continue;
      for (const [pair, list] of byPair) {
        if (!pair.startsWith(`${e.alertKey}@`)) continue;
        const kind = (list[0]!.metadata as { event_payload: { kind: string } }).event_payload.kind;
        if (kind !== 'resolved') {
          verdict.lost += 1;
          verdict.details.push(`not resolved in place ${pair}`);
        }
      }
      continue;
    }
    for (const { channel } of routeAlert(routes, e, MAIN)) {
      const list = byPair.get(`${e.alertKey}@${channel}`);
      const stage = (list?.[0]?.metadata as { event_payload: { stage: string } } | undefined)?.event_payload
        .stage;
      if (!list) {
        verdict.lost += 1;
        verdict.details.push(`missing ${e.alertKey}@${channel}`);
      } else if (stage !== e.stage) {
        verdict.lost += 1;
        verdict.details.push(`stale ${e.alertKey}@${channel}: shows ${stage}, is ${e.stage}`);
      }
    }
  }
  return verdict;
}

async function chaosRuns(world: World, renewed: Set<string>): Promise<void> {
  const restartAt = Math.floor(targetKills * 0.35);
  const wipeAt = Math.floor(targetKills * 0.7);
  for (let run = 0; counts.kills < targetKills; run++) {
    if (run % 6 === 5) {
      const now = Date.now();
      const alerting = (await evaluateAll(world, now)).filter((e) => e.stage !== null);
      changeData(world, alerting, rng, now, renewed);
    }
    if (rng.chance(0.6)) injectSlackFault(world.slack, rng);
    if (rng.chance(0.4)) injectApiFault(world.sim, rng);
    const { child, exited } = runChild(world);
    const killAfter = rng.int(400, 4_500);
    const restartNow = counts.redisRestarts === 0 && counts.kills >= restartAt;
    const wipeNow = counts.redisWipes === 0 && counts.kills >= wipeAt;
    const timer = new Promise<'kill'>((r) => setTimeout(() => r('kill'), killAfter));
    const outcome = await Promise.race([exited.then(() => 'exit' as const), timer]);
    if (outcome === 'kill') {
      if (restartNow) {
        await world.redis.restart();
        counts.redisRestarts += 1;
      }
      if (wipeNow) {
        // An operator's FLUSHALL under a running worker, which goes on a moment on the empty Redis.
        await world.redis.wipe();
        counts.redisWipes += 1;
      }
      if (restartNow || wipeNow) await new Promise((r) => setTimeout(r, rng.int(300, 1_500)));
      child.kill('SIGKILL');
      counts.kills += 1;
    }
    await exited;
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const redis = await startChaosRedis();
  const sim = await createSimulator({
    seed,
    anchorMs: started,
    instances: 300,
    attention: 24,
    faults: { latencyMs: 5 },
  });
  const slack = await createFakeSlack();
  const routesPath = join(tmpdir(), `chaos-routes-${seed}-${process.pid}.yml`);
  writeFileSync(
    routesPath,
    `routes:\n  - name: finance\n    match:\n      stages: [3d, 1d, expired]\n    channels: [${FINANCE}]\n    continue: true\n  - name: all\n    channels: [${MAIN}]\n`,
  );
  const env = {
    YEASTAR_BASE_URL: sim.url,
    YEASTAR_CLIENT_ID: sim.credentials.clientId,
    YEASTAR_CLIENT_SECRET: sim.credentials.clientSecret,
    SLACK_BOT_TOKEN: 'xoxb-chaos',
    SLACK_API_URL: slack.url,
    SLACK_ALERT_CHANNEL: MAIN,
    ROUTES_FILE: routesPath,
    SLACK_POSTS_PER_SECOND: '200',
    SLACK_BURST: '200',
    DIGEST_OVER: '10',
    QUEUE_PREFIX: PREFIX,
    REDIS_URL: redis.url,
    TZ: 'UTC',
    LOG_LEVEL: 'error',
  };
  loadConfig(env);
  const world: World = { sim, slack, redis, env, routesPath };
  const renewed = new Set<string>();
  try {
    await chaosRuns(world, renewed);
    // The storm is over: clean runs until one succeeds, then one more that must change nothing.
    slack.clearFaults();
    let code: number | null = null;
    for (let i = 0; i < 5 && code !== 0; i++) code = await runChild(world).exited;
    code = await runChild(world).exited;
    const final = await evaluateAll(world, Date.now());
    const expectedCount = final.filter((e) => e.stage !== null).length;
    const verdict = verify(world, final, renewed);
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    process.stdout.write(
      `chaos: kills=${counts.kills} slack_faults=${counts.slackFaults} api_faults=${counts.apiFaults} redis_restarts=${counts.redisRestarts} redis_wipes=${counts.redisWipes} duplicates=${verdict.duplicates} lost=${verdict.lost} seed=${seed} seconds=${seconds}\n`,
    );
    const alertPosts = slack
      .messages()
      .filter(
        (m) => (m.metadata as { event_type?: string } | undefined)?.event_type === 'yeastar_renewal_alert',
      );
    process.stderr.write(
      `  alerts expected=${expectedCount} alert_messages=${alertPosts.length} changed=${changes} renewed=${renewed.size} last_exit=${code}\n`,
    );
    for (const line of verdict.details.slice(0, 20)) process.stderr.write(`  ${line}\n`);
    process.exitCode = verdict.duplicates === 0 && verdict.lost === 0 && code === 0 ? 0 : 1;
  } finally {
    await slack.close();
    await sim.close();
    await redis.stop();
    rmSync(routesPath, { force: true });
  }
}

await main();
