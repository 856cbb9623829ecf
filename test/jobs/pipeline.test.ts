import { afterEach, describe, expect, it } from 'vitest';
import { alertKeyOfMessage, CHANNEL, createWorld, DAY, NOW, renew, type World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

function kindOf(message: { metadata?: unknown }): string | undefined {
  return (message.metadata as { event_payload?: { kind?: string } } | undefined)?.event_payload?.kind;
}

describe('npm run check against the simulator and a fake Slack', () => {
  it('posts each expected alert once, nothing on a second run, resolves a renewal and escalates a nearer expiry', async () => {
    world = await createWorld({ sim: { instances: 400, attention: 9 }, env: { DIGEST_OVER: '50' } });
    const expected = await world.expectedAlerts();
    expect(expected.length).toBeGreaterThan(3);

    // First cycle: exactly the alerts the rules find, one top-level message each.
    const first = await world.check();
    expect(first.code).toBe(0);
    expect(first.line).toMatch(/^cycle 2026-11-24T07:00:00Z: 400 instances, \d+ posted, 0 escalated/);
    expect(first.line).toContain(`${expected.length} posted`);
    const top = world.topLevel();
    expect(top.map(alertKeyOfMessage).sort()).toEqual(expected.map((e) => e.alertKey).sort());
    expect([...world.postsByAlert().values()].every((n) => n === 1)).toBe(true);
    for (const message of top) expect(message.text.length).toBeGreaterThan(0);

    // Second cycle, nothing changed: no new message at all.
    world.slack.calls.length = 0;
    const second = await world.check();
    expect(second.code).toBe(0);
    expect(world.slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(0);
    expect(second.line).toContain(' 0 posted, 0 escalated, 0 updated, 0 resolved');

    // A renewal resolves exactly that alert: its message updated to "resolved", a reply in its thread.
    const renewed = expected[0]!;
    renew(world, renewed);
    world.slack.calls.length = 0;
    const third = await world.check();
    expect(third.code).toBe(0);
    expect(third.line).toContain(' 0 posted, 0 escalated, 0 updated, 1 resolved');
    const message = world.topLevel().find((m) => alertKeyOfMessage(m) === renewed.alertKey)!;
    expect(kindOf(message)).toBe('resolved');
    expect(message.text).toMatch(/resolved/i);
    expect(world.replies(message.ts).map((m) => m.text)).toEqual([expect.stringMatching(/resolved/i)]);
    const updates = world.slack.calls.filter((c) => c.method === 'chat.update');
    expect(updates.map((c) => c.body.ts)).toEqual([message.ts]);

    // A nearer expiry escalates: the message shows the new stage, the thread says so.
    const target = expected.find(
      (e) =>
        e.alertKey !== renewed.alertKey &&
        (e.stage === '30d' || e.stage === '14d') &&
        e.findings.every((f) => f.subject === 'plan'),
    );
    expect(target, 'the data set has a plan alert at 30d or 14d').toBeDefined();
    world.sim.updateInstance(target!.subject.productId, target!.subject.productNo, {
      planStatus: 'expiring',
      planExpireDate: NOW + 2 * DAY + 3_600_000,
    });
    world.slack.calls.length = 0;
    const fourth = await world.check();
    expect(fourth.code).toBe(0);
    expect(fourth.line).toContain(' 0 posted, 1 escalated, 0 updated, 0 resolved');
    const escalated = world.topLevel().find((m) => alertKeyOfMessage(m) === target!.alertKey)!;
    expect((escalated.metadata as { event_payload: { stage: string } }).event_payload.stage).toBe('3d');
    expect(world.replies(escalated.ts).map((m) => m.text)).toEqual([expect.stringMatching(/escalated/i)]);
    expect(
      world.slack.calls.filter((c) => c.method === 'chat.postMessage' && !c.body.thread_ts),
    ).toHaveLength(0);
  });
});

describe('long product lines', () => {
  it('reads every page of lines longer than the head of pages page 1 adds at once', async () => {
    // One scan at a time: page 1 adds pages 2 and 3 at once, and a line's other 17 or so pages after
    // its own look-ups, in batches.
    world = await createWorld({
      sim: { instances: 400, attention: 12 },
      env: { DIGEST_OVER: '50', YEASTAR_PAGE_SIZE: '5', YEASTAR_CONCURRENCY: '1' },
      tuning: { scanConcurrency: 1 },
    });
    const lastPages = ['9', '11', '12', '13'].map((id) =>
      Math.ceil(world!.sim.listInstanceNos(id).length / 5),
    );
    expect(Math.max(...lastPages)).toBeGreaterThan(3);
    const expected = await world.expectedAlerts();

    const first = await world.check();
    expect(first.code).toBe(0);
    expect(first.line).toContain(': 400 instances, ');
    expect(first.line).toContain(`${expected.length} posted`);
    expect(world.topLevel().map(alertKeyOfMessage).sort()).toEqual(expected.map((e) => e.alertKey).sort());
    expect([...world.postsByAlert().values()].every((n) => n === 1)).toBe(true);
  });
});

describe('storm control', () => {
  it('puts more than DIGEST_OVER new alerts in the thread of one digest', async () => {
    world = await createWorld({ sim: { instances: 300, attention: 25 }, env: { DIGEST_OVER: '10' } });
    const expected = await world.expectedAlerts();
    expect(expected.length).toBeGreaterThan(10);
    expect((await world.check()).code).toBe(0);
    const top = world.topLevel();
    expect(top).toHaveLength(1);
    expect(alertKeyOfMessage(top[0]!)).toBeUndefined();
    const thread = world.replies(top[0]!.ts);
    expect(thread.map(alertKeyOfMessage).sort()).toEqual(expected.map((e) => e.alertKey).sort());
    expect(world.slack.messages(CHANNEL)).toHaveLength(expected.length + 1);

    // A renewal of an alert inside the digest thread is announced in that same thread.
    renew(world, expected[0]!);
    expect((await world.check()).code).toBe(0);
    expect(world.topLevel()).toHaveLength(1);
    const after = world.replies(top[0]!.ts);
    expect(after).toHaveLength(expected.length + 1);
    expect(after.at(-1)!.text).toMatch(/resolved/i);
    const resolved = after.find((m) => alertKeyOfMessage(m) === expected[0]!.alertKey)!;
    expect(kindOf(resolved)).toBe('resolved');
  });

  it('starts a storm thread while the scan is still running, and gives the digest the final counts at the end', async () => {
    // 60-odd pages, two requests at a time, 20 ms each: the scan lasts long after the storm is certain.
    world = await createWorld({
      sim: { instances: 600, attention: 30, faults: { latencyMs: 20 } },
      env: { DIGEST_OVER: '3', YEASTAR_PAGE_SIZE: '10', YEASTAR_CONCURRENCY: '2' },
    });
    const expected = await world.expectedAlerts();
    expect(expected.length).toBeGreaterThan(20);
    // When each product line's last page is served: the scan's end.
    const lastPageServed: number[] = [];
    for (const productId of ['9', '11', '12', '13']) {
      const pages = Math.ceil(world.sim.listInstanceNos(productId).length / 10);
      if (pages > 0) world.sim.onPage(productId, pages, () => lastPageServed.push(Date.now()));
    }

    expect((await world.check()).code).toBe(0);
    const scanEnd = Math.max(...lastPageServed);
    const top = world.topLevel();
    expect(top).toHaveLength(1);
    const thread = world.replies(top[0]!.ts);
    expect(thread.map(alertKeyOfMessage).sort()).toEqual(expected.map((e) => e.alertKey).sort());
    expect([...world.postsByAlert().values()].every((n) => n === 1)).toBe(true);
    const posts = world.slack.calls.filter((c) => c.method === 'chat.postMessage' && c.ok);
    const digestPostedAt = posts.find((c) => !c.body.thread_ts)!.at;
    const threadedBeforeScanEnd = posts.filter((c) => c.body.thread_ts && c.at < scanEnd);
    expect(digestPostedAt).toBeLessThan(scanEnd);
    expect(threadedBeforeScanEnd.length).toBeGreaterThan(0);

    // Put up with part of the storm ("so far"), rewritten once with all of it after the scan.
    const updates = world.slack.calls.filter((c) => c.method === 'chat.update' && c.ok);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.body.ts).toBe(top[0]!.ts);
    expect(top[0]!.text).toContain(`${expected.length} renewal alerts`);
    expect(top[0]!.text).not.toContain('so far');
    expect(JSON.stringify(top[0]!.blocks)).toContain('in the order the scan found them');
  });

  it('posts up to DIGEST_OVER new alerts as top-level messages', async () => {
    world = await createWorld({ sim: { instances: 300, attention: 8 }, env: { DIGEST_OVER: '10' } });
    const expected = await world.expectedAlerts();
    expect(expected.length).toBeLessThanOrEqual(10);
    expect((await world.check()).code).toBe(0);
    expect(world.topLevel().map(alertKeyOfMessage).sort()).toEqual(expected.map((e) => e.alertKey).sort());
  });
});

describe('Slack flow control', () => {
  it('never posts more than the burst plus the per-second rate into one channel within a second', async () => {
    world = await createWorld({
      sim: { instances: 300, attention: 9 },
      env: { DIGEST_OVER: '50', SLACK_POSTS_PER_SECOND: '4', SLACK_BURST: '2' },
    });
    const expected = await world.expectedAlerts();
    expect(expected.length).toBeGreaterThan(6);
    expect((await world.check()).code).toBe(0);
    const times = world.slack.calls
      .filter((c) => c.method === 'chat.postMessage' && c.ok)
      .map((c) => c.at)
      .sort((a, b) => a - b);
    expect(times).toHaveLength(expected.length);
    for (const t of times) {
      expect(times.filter((u) => u >= t && u < t + 1_000).length).toBeLessThanOrEqual(2 + 4);
    }
  });
});
