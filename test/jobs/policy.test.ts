import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertStore } from '../../src/alerts/alert-store.js';
import { RoutesFileError } from '../../src/alerts/routes.js';
import type { Evaluation } from '../../src/alerts/types.js';
import { alertKeyOfMessage, CHANNEL, createWorld, DAY, NOW, type World } from './harness.js';

/** Issue #7's policy end to end: routes, per-channel messages, reminders, quiet hours. */

const FINANCE = 'CFINANCE';
const CLOUD = 'CCLOUDTEAM';
const ACME = 'CACMETEAM';

let world: World | undefined;
const files: string[] = [];
afterEach(async () => {
  await world?.close();
  world = undefined;
  for (const file of files.splice(0)) rmSync(file, { force: true });
});

function routesFile(text: string): string {
  const path = join(tmpdir(), `routes-${randomBytes(5).toString('hex')}.yml`);
  writeFileSync(path, text);
  files.push(path);
  return path;
}

/** examples/routes.example.yml with channel IDs of this test and no quiet hours. */
const THREE_ROUTES = `routes:
  - name: finance-copy
    match:
      stages: [3d, 1d, expired]
    channels: [${FINANCE}]
    continue: true
  - name: team-cloud
    match:
      productIds: ["13", "9"]
    channels: [${CLOUD}]
    mention: [S0CLOUDOPS]
  - name: team-acme
    match:
      customers: ["*@acme.com"]
    channels: [${ACME}]
`;

const URGENT = new Set(['1d', 'expired']);

/** What the three routes say, written out by hand rather than asked of the router. */
function channelsOf(e: Evaluation): string[] {
  const out: string[] = [];
  if (e.stage === '3d' || e.stage === '1d' || e.stage === 'expired') out.push(FINANCE);
  if (e.subject.productId === '13' || e.subject.productId === '9') out.push(CLOUD);
  else if (e.subject.email?.endsWith('@acme.com')) out.push(ACME);
  return out.length > 0 ? out : [CHANNEL];
}

function topLevelKeys(w: World, channel: string): string[] {
  return w.slack
    .messages(channel)
    .filter((m) => m.thread_ts === undefined)
    .map((m) => alertKeyOfMessage(m) ?? 'digest')
    .sort();
}

function kindOf(message: { metadata?: unknown }): string | undefined {
  return (message.metadata as { event_payload?: { kind?: string } } | undefined)?.event_payload?.kind;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}

describe('routes', () => {
  it('sends each alert to its routes’ channels, each with its own message; finance gets its copy at 3d', async () => {
    const path = routesFile(THREE_ROUTES);
    world = await createWorld({
      sim: { instances: 400, attention: 20 },
      env: { DIGEST_OVER: '50', ROUTES_FILE: path },
    });
    const w = world;
    // One alerting customer of line 11 or 12 becomes an acme.com customer.
    const before = await w.expectedAlerts();
    const acme = before.find((e) => e.subject.productId === '11' || e.subject.productId === '12');
    expect(acme, 'the data set has an alert outside lines 13 and 9').toBeDefined();
    const raw = w.sim.getInstance(acme!.subject.productId, acme!.subject.productNo)!;
    w.sim.updateInstance(acme!.subject.productId, acme!.subject.productNo, {
      customerEmail: 'ops@acme.com',
      endUserInfo: raw.endUserInfo ? { ...raw.endUserInfo, email: 'ops@acme.com' } : null,
    });
    const expected = await w.expectedAlerts();

    const first = await w.check();
    expect(first.code).toBe(0);
    for (const channel of [FINANCE, CLOUD, ACME, CHANNEL]) {
      const keys = expected.filter((e) => channelsOf(e).includes(channel)).map((e) => e.alertKey);
      expect(keys.length, `alerts for ${channel}`).toBeGreaterThan(0);
      expect(topLevelKeys(w, channel), channel).toEqual(keys.sort());
    }
    const store = createAlertStore({ redis: w.redis, prefix: w.prefix });
    const both = expected.find((e) => channelsOf(e).length === 2)!;
    const record = await store.get(both.alertKey);
    expect(record?.messages?.map((m) => m.channel)).toEqual(channelsOf(both));
    expect(record?.message?.channel).toBe(channelsOf(both)[0]);

    // A cloud alert escalating to 3d: its cloud message is updated with a reply, finance gets a new post.
    const target = expected.find(
      (e) =>
        e.subject.productId === '13' &&
        (e.stage === '30d' || e.stage === '14d' || e.stage === '7d') &&
        e.findings.every((f) => f.subject === 'plan'),
    );
    expect(target, 'the data set has a plan alert of line 13 at 30d, 14d or 7d').toBeDefined();
    w.sim.updateInstance(target!.subject.productId, target!.subject.productNo, {
      planStatus: 'expiring',
      planExpireDate: NOW + 2 * DAY + 3_600_000,
    });
    w.slack.calls.length = 0;
    const second = await w.check();
    expect(second.code).toBe(0);
    const cloudMessage = w.slack.messages(CLOUD).find((m) => alertKeyOfMessage(m) === target!.alertKey)!;
    expect((cloudMessage.metadata as { event_payload: { stage: string } }).event_payload.stage).toBe('3d');
    expect(
      w.slack
        .messages(CLOUD)
        .filter((m) => m.thread_ts === cloudMessage.ts)
        .map((m) => m.text),
    ).toEqual([expect.stringMatching(/escalated/i)]);
    const newPosts = w.slack.calls.filter((c) => c.method === 'chat.postMessage' && !c.body.thread_ts);
    expect(newPosts.map((c) => [c.body.channel, alertKeyOfMessage(c.body)])).toEqual([
      [FINANCE, target!.alertKey],
    ]);
    expect((await store.get(target!.alertKey))?.messages?.map((m) => m.channel)).toEqual([CLOUD, FINANCE]);
  });

  it('refuses to start with an invalid routes file, naming its line', async () => {
    const path = routesFile('routes:\n  - name: general\n    channels: ["#general"]\n');
    world = await createWorld({ sim: { instances: 20, attention: 1 }, env: { ROUTES_FILE: path } });
    const failure = world.check();
    await expect(failure).rejects.toBeInstanceOf(RoutesFileError);
    await expect(failure).rejects.toThrow(`${path}:3: channel "#general" is not a Slack channel ID`);
    expect(world.slack.calls).toHaveLength(0);
  });
});

describe('reminders', () => {
  it('reminds in the thread every REMIND_EVERY, mentions at 1d and expired, and not once acknowledged', async () => {
    const path = routesFile(`routes:\n  - name: all\n    channels: [${CHANNEL}]\n    mention: [S0ONCALL]\n`);
    world = await createWorld({
      sim: { instances: 300, attention: 12 },
      env: { DIGEST_OVER: '50', ROUTES_FILE: path, REMIND_EVERY: '1m' },
    });
    const w = world;
    const expected = await w.expectedAlerts();
    expect(expected.some((e) => URGENT.has(e.stage!))).toBe(true);
    expect((await w.check()).code).toBe(0);
    const store = createAlertStore({ redis: w.redis, prefix: w.prefix });
    const acked = expected.find((e) => !URGENT.has(e.stage!))!;
    expect((await store.acknowledge(acked.alertKey, 'U0ALICE', w.clock.now)).outcome).toBe('done');

    const threadOf = (alertKey: string) => {
      const top = w.topLevel().find((m) => alertKeyOfMessage(m) === alertKey)!;
      return w.replies(top.ts);
    };
    // Not yet due: nothing.
    w.clock.now = NOW + 30_000;
    expect((await w.check()).line).not.toContain('reminded');
    expect(w.slack.messages(CHANNEL).filter((m) => m.thread_ts)).toHaveLength(0);

    w.clock.now = NOW + 61_000;
    const due = await w.check();
    expect(due.line).toContain(`${expected.length - 1} reminded`);
    for (const e of expected) {
      const replies = threadOf(e.alertKey).map((m) => m.text);
      if (e.alertKey === acked.alertKey) {
        expect(replies, 'acknowledged').toEqual([]);
      } else if (URGENT.has(e.stage!)) {
        expect(replies).toEqual([expect.stringMatching(/^<!subteam\^S0ONCALL> Reminder/)]);
      } else {
        expect(replies).toEqual([expect.stringMatching(/^Reminder/)]);
      }
    }
    // Never a new top-level message.
    expect(w.topLevel()).toHaveLength(expected.length);

    // Counted from the reminder: not again a second later, again a period later.
    w.clock.now = NOW + 62_000;
    expect((await w.check()).line).not.toContain('reminded');
    w.clock.now = NOW + 125_000;
    expect((await w.check()).line).toContain(`${expected.length - 1} reminded`);
    expect(threadOf(acked.alertKey)).toEqual([]);
    expect(threadOf(expected.find((e) => e !== acked)!.alertKey)).toHaveLength(2);
  });
});

describe('quiet hours', () => {
  /** One route to CHANNEL, quiet until 07:01 UTC; the clock at 07:00:58, so the window opens in two seconds. */
  async function quietWorld(sim: { instances: number; attention: number }, digestOver: number) {
    const path = routesFile(
      `routes:\n  - name: all\n    channels: [${CHANNEL}]\n    quietHours: Mon-Sun 07:01-18:00 UTC\n`,
    );
    const w = await createWorld({ sim, env: { DIGEST_OVER: String(digestOver), ROUTES_FILE: path } });
    world = w;
    const expected = await w.expectedAlerts();
    const urgent = expected.filter((e) => URGENT.has(e.stage!)).map((e) => e.alertKey);
    const later = expected.filter((e) => !URGENT.has(e.stage!)).map((e) => e.alertKey);
    w.clock.now = NOW + 58_000;
    const pipeline = w.pipeline();
    await pipeline.startWorkers();
    return { w, pipeline, expected, urgent, later };
  }

  it('holds posts below 1d until the route opens, then posts each once; 1d and expired go at once', async () => {
    const { w, pipeline, expected, urgent, later } = await quietWorld({ instances: 300, attention: 12 }, 50);
    expect(urgent.length).toBeGreaterThan(0);
    expect(later.length).toBeGreaterThan(0);

    const first = await pipeline.runCycleNow();
    expect(first.ok).toBe(true);
    expect(first.posted).toBe(urgent.length);
    expect(first.held).toBe(later.length);
    expect(w.topLevel().map(alertKeyOfMessage).sort()).toEqual([...urgent].sort());

    // A cycle while they wait: the held posts are found queued, not queued again.
    const second = await pipeline.runCycleNow();
    expect(second.posted).toBe(0);

    const all = [...expected.map((e) => e.alertKey)].sort();
    expect(await until(() => w.postsByAlert().size === all.length, 15_000)).toBe(true);
    w.clock.now = NOW + 3 * 60_000;
    const third = await pipeline.runCycleNow();
    expect(third.posted + third.held).toBe(0);
    // Up to DIGEST_OVER held posts go top-level, each on its own, with no digest.
    expect(w.topLevel().map(alertKeyOfMessage).sort()).toEqual(all);
    expect(w.topLevel().some((m) => JSON.stringify(m.blocks).includes('Held until'))).toBe(false);
    for (const [key, n] of w.postsByAlert()) expect(n, key).toBe(1);
  });

  it('puts a night of held posts in one digest at the opening when they are more than DIGEST_OVER', async () => {
    const { w, pipeline, expected, later } = await quietWorld({ instances: 600, attention: 40 }, 3);
    expect(later.length).toBeGreaterThan(3);

    const first = await pipeline.runCycleNow();
    expect(first.held).toBe(later.length);
    const before = new Set(w.topLevel().map((m) => m.ts));

    const all = expected.map((e) => e.alertKey).sort();
    expect(await until(() => w.postsByAlert().size === all.length, 20_000)).toBe(true);
    for (const [key, n] of w.postsByAlert()) expect(n, key).toBe(1);

    // At the opening: one new top-level message, the digest, and every held alert in its thread.
    const opened = w.topLevel().filter((m) => !before.has(m.ts));
    expect(opened).toHaveLength(1);
    const digest = opened[0]!;
    expect(alertKeyOfMessage(digest)).toBeUndefined();
    expect(JSON.stringify(digest.blocks)).toContain('Held until business hours began');
    expect(digest.text).toContain(`${later.length} renewal alerts`);
    expect(w.replies(digest.ts).map(alertKeyOfMessage).sort()).toEqual([...later].sort());
  });
});

describe('self-monitoring in the pipeline', () => {
  it('an outage of three cycles raises one self-alert and one resolution, and resolves no alert', async () => {
    world = await createWorld({
      sim: { instances: 200, attention: 8 },
      env: { DIGEST_OVER: '50', SLACK_OPS_CHANNEL: 'COPS' },
      tuning: { attempts: { poll: 1, scan: 1, enrich: 2, notify: 3 } },
    });
    const w = world;
    const expected = await w.expectedAlerts();
    const summaries: Array<{ ok: boolean; resolved: number }> = [];
    const pipeline = w.pipeline({
      onCycleFinished: (s) => summaries.push({ ok: s.ok, resolved: s.resolved }),
    });
    await pipeline.startWorkers();
    expect((await pipeline.runCycleNow()).ok).toBe(true);

    w.sim.setFaults({ serverErrorRate: 1 });
    for (let i = 0; i < 3; i++) expect((await pipeline.runCycleNow()).ok).toBe(false);
    const ops = () => w.slack.messages('COPS').filter((m) => m.thread_ts === undefined);
    expect(ops()).toHaveLength(1);
    expect(ops()[0]!.text).toContain('3 poll cycles in a row failed');

    w.sim.setFaults({ serverErrorRate: 0 });
    expect((await pipeline.runCycleNow()).ok).toBe(true);
    expect(ops()).toHaveLength(1);
    expect(ops()[0]!.text).toBe('Yeastar renewal bot is healthy again');
    expect(w.slack.messages('COPS').filter((m) => m.thread_ts === ops()[0]!.ts)).toHaveLength(1);

    expect(summaries.map((s) => s.ok)).toEqual([true, false, false, false, true]);
    expect(summaries.every((s) => s.resolved === 0)).toBe(true);
    expect(w.topLevel().filter((m) => kindOf(m) === 'resolved')).toEqual([]);
    const store = createAlertStore({ redis: w.redis, prefix: w.prefix });
    expect((await store.counts()).total).toBe(expected.length);
  });

  it('a product line dropping from 1,000 to 10 instances raises the self-alert instead of resolving', async () => {
    world = await createWorld({
      sim: { instances: 2_500, attention: 40 },
      env: { DIGEST_OVER: '100', SLACK_OPS_CHANNEL: 'COPS' },
    });
    const w = world;
    const expected = await w.expectedAlerts();
    expect((await w.check()).code).toBe(0);
    const serials = w.sim.listInstanceNos('13');
    expect(serials).toHaveLength(1_000);
    const removed = new Set(serials.slice(10));
    for (const productNo of removed) w.sim.removeInstance('13', productNo);
    const gone = expected.filter((e) => e.subject.productId === '13' && removed.has(e.subject.productNo));
    expect(gone.length, 'alerts among the removed instances').toBeGreaterThan(0);

    // Two cycles: without the guard the second would resolve every removed alert as "no longer listed".
    for (let i = 0; i < 2; i++) {
      const result = await w.check();
      expect(result.line).toContain(' 0 resolved');
    }
    const ops = w.slack.messages('COPS').filter((m) => m.thread_ts === undefined);
    expect(ops).toHaveLength(1);
    expect(ops[0]!.text).toContain('lists 10 instances, down from 1000');
    expect(w.topLevel().filter((m) => kindOf(m) === 'resolved')).toEqual([]);
    const store = createAlertStore({ redis: w.redis, prefix: w.prefix });
    for (const e of gone) expect((await store.get(e.alertKey))?.resolvedAt, e.alertKey).toBeNull();
  });
});
