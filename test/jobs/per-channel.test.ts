import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertStore } from '../../src/alerts/alert-store.js';
import { REPAIR_DELAY_MS } from '../../src/jobs/copy-repair.js';
import { alertKeyOfMessage, createWorld, type World } from './harness.js';

/** Per-channel delivery: a copy that failed in one channel is retried there by its own job, soon. */

const TEAM = 'CTEAMA';
const FINANCE = 'CFINANCEB';

let world: World | undefined;
let file: string | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
  if (file) rmSync(file, { force: true });
});

function topLevel(w: World, channel: string) {
  return w.slack.messages(channel).filter((m) => m.thread_ts === undefined);
}

describe('an alert routed to two channels', () => {
  it('a copy that failed for good in one channel is posted by its own job within a minute; the other channel is untouched', {
    timeout: 90_000,
  }, async () => {
    file = join(tmpdir(), `routes-${randomBytes(5).toString('hex')}.yml`);
    writeFileSync(file, `routes:\n  - name: both\n    channels: [${TEAM}, ${FINANCE}]\n`);
    world = await createWorld({
      sim: { instances: 60, attention: 2 },
      env: { ROUTES_FILE: file, DIGEST_OVER: '50' },
      tuning: { attempts: { poll: 3, scan: 6, enrich: 4, notify: 3 } },
    });
    const w = world;
    const expected = (await w.expectedAlerts()).map((e) => e.alertKey).sort();
    expect(expected.length).toBeGreaterThan(0);
    // Finance's channel fails every attempt of the cycle's posts there (3 per post), then recovers.
    w.slack.failNextIn(FINANCE, 3 * expected.length, 503, 'chat.postMessage');

    const pipeline = w.pipeline();
    await pipeline.startWorkers();
    const summary = await pipeline.runCycleNow();
    // The cycle counts the failed copies as its errors; the team channel got every alert.
    expect(summary.errors).toBe(expected.length);
    expect(topLevel(w, TEAM).map(alertKeyOfMessage).sort()).toEqual(expected);
    expect(topLevel(w, FINANCE)).toHaveLength(0);

    // The repair jobs: one per failed copy, due REPAIR_DELAY_MS after the failure (well within a minute).
    const repairs = await w.pipeline().queues.notify.getDelayed();
    const ours = repairs.filter((j) => j.id?.startsWith('repair|'));
    expect(ours.map((j) => j.data.channel)).toEqual(expected.map(() => FINANCE));
    expect(ours.every((j) => j.opts.delay === REPAIR_DELAY_MS)).toBe(true);
    expect(REPAIR_DELAY_MS).toBeLessThanOrEqual(60_000);

    const teamCalls = () => w.slack.calls.filter((c) => c.body.channel === TEAM).length;
    const teamBefore = teamCalls();
    for (let i = 0; i < 400 && topLevel(w, FINANCE).length < expected.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(topLevel(w, FINANCE).map(alertKeyOfMessage).sort()).toEqual(expected);
    // Nothing posted twice anywhere, and the team channel saw no call at all meanwhile.
    expect(topLevel(w, TEAM)).toHaveLength(expected.length);
    expect(teamCalls()).toBe(teamBefore);
    const store = createAlertStore({ redis: w.redis, prefix: w.prefix });
    for (const key of expected) {
      const record = await store.get(key);
      const channels = record?.messages.map((m) => m.channel).sort();
      expect(channels).toEqual([FINANCE, TEAM].sort());
      // Each copy knows the stage it shows and when its own channel was notified.
      for (const m of record!.messages) {
        expect(m.stage).toBe(record!.stage);
        expect(typeof m.notifiedAt).toBe('number');
      }
    }
  });
});

describe('copies behind their alert', () => {
  it('the next cycle escalates a copy whose update was lost and posts a copy that was never made, once', {
    timeout: 90_000,
  }, async () => {
    file = join(tmpdir(), `routes-${randomBytes(5).toString('hex')}.yml`);
    writeFileSync(file, `routes:\n  - name: both\n    channels: [${TEAM}, ${FINANCE}]\n`);
    world = await createWorld({
      sim: { instances: 200, attention: 8 },
      env: { ROUTES_FILE: file, DIGEST_OVER: '50' },
      tuning: { attempts: { poll: 3, scan: 6, enrich: 4, notify: 1 } },
    });
    const w = world;
    const expected = (await w.expectedAlerts()).filter((e) =>
      ['14d', '7d', '3d', '1d', 'expired'].includes(e.stage!),
    );
    expect(expected.length).toBeGreaterThan(1);
    const keys = (await w.expectedAlerts()).map((e) => e.alertKey).sort();
    // Every finance post fails once (one attempt each): those copies are missing after the cycle.
    w.slack.failNextIn(FINANCE, keys.length, 503, 'chat.postMessage');
    const pipeline = w.pipeline();
    await pipeline.startWorkers();
    await pipeline.runCycleNow();
    expect(topLevel(w, FINANCE)).toHaveLength(0);

    // One team copy's update "lost": its record says it still shows 30d.
    const store = createAlertStore({ redis: w.redis, prefix: w.prefix });
    const behind = expected[0]!.alertKey;
    await store.markNotified(behind, null, TEAM, '30d');
    w.slack.calls.length = 0;

    await pipeline.runCycleNow();
    const updates = w.slack.calls.filter((c) => c.method === 'chat.update' && c.body.channel === TEAM);
    expect(updates.map((c) => alertKeyOfMessage(c.body))).toEqual([behind]);
    const teamCopy = topLevel(w, TEAM).find((m) => alertKeyOfMessage(m) === behind)!;
    expect(
      w.slack
        .messages(TEAM)
        .filter((m) => m.thread_ts === teamCopy.ts)
        .map((m) => m.text),
    ).toEqual([expect.stringMatching(/escalated/i)]);
    expect((await store.get(behind))!.messages.find((m) => m.channel === TEAM)!.stage).toBe(
      expected[0]!.stage,
    );
    expect(topLevel(w, FINANCE).map(alertKeyOfMessage).sort()).toEqual(keys);

    // The repair jobs queued by the first cycle's failures find the copies there and post nothing.
    await new Promise((r) => setTimeout(r, 2 * REPAIR_DELAY_MS));
    expect(topLevel(w, FINANCE)).toHaveLength(keys.length);
    expect(topLevel(w, TEAM)).toHaveLength(keys.length);
  });
});
