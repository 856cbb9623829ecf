import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alertKeyOfMessage, CHANNEL, createWorld, DAY, NOW, type World } from './harness.js';

/** Escalations whose first copy in a channel waits for its quiet hours go through the held batch's digest. */

const FINANCE = 'CFINHELD';
let world: World | undefined;
let file: string | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
  if (file) rmSync(file, { force: true });
});

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && !condition()) await new Promise((r) => setTimeout(r, 50));
  return condition();
}

describe('a night of escalations into a channel with quiet hours', () => {
  it('puts their first copies in one digest at the opening, not one top-level post each', {
    timeout: 90_000,
  }, async () => {
    file = join(tmpdir(), `routes-${randomBytes(5).toString('hex')}.yml`);
    writeFileSync(
      file,
      `routes:\n  - name: finance\n    match:\n      stages: [3d]\n    channels: [${FINANCE}]\n    continue: true\n    quietHours: Mon-Sun 07:01-18:00 UTC\n  - name: all\n    channels: [${CHANNEL}]\n`,
    );
    world = await createWorld({
      sim: { instances: 600, attention: 40 },
      env: { DIGEST_OVER: '3', ROUTES_FILE: file },
    });
    const w = world;
    w.clock.now = NOW - 3_600_000;
    const pipeline = w.pipeline();
    await pipeline.startWorkers();
    await pipeline.runCycleNow();
    const early = (await w.expectedAlerts()).filter(
      (e) =>
        (e.stage === '30d' || e.stage === '14d' || e.stage === '7d') &&
        e.findings.every((f) => f.subject === 'plan'),
    );
    expect(early.length).toBeGreaterThanOrEqual(5);
    const escalating = early.slice(0, 5);
    for (const e of escalating) {
      w.sim.updateInstance(e.subject.productId, e.subject.productNo, {
        planStatus: 'expiring',
        planExpireDate: NOW + 2 * DAY + 3_600_000,
      });
    }
    const financeBefore = w.slack.messages(FINANCE).filter((m) => m.thread_ts === undefined).length;

    // Two seconds before finance opens: the escalations update the main channel now, finance waits.
    w.clock.now = NOW + 58_000;
    const cycle = await pipeline.runCycleNow();
    expect(cycle.escalated).toBe(5);
    const keys = escalating.map((e) => e.alertKey).sort();
    const inFinance = () =>
      w.slack.messages(FINANCE).filter((m) => keys.includes(alertKeyOfMessage(m) ?? '')).length;
    expect(await until(() => inFinance() === 5, 20_000)).toBe(true);

    const top = w.slack.messages(FINANCE).filter((m) => m.thread_ts === undefined);
    expect(top).toHaveLength(financeBefore + 1);
    const digest = top.at(-1)!;
    expect(alertKeyOfMessage(digest)).toBeUndefined();
    expect(JSON.stringify(digest.blocks)).toContain('Held until business hours began');
    const threaded = w.slack.messages(FINANCE).filter((m) => m.thread_ts === digest.ts);
    expect(
      threaded
        .map(alertKeyOfMessage)
        .filter((k) => keys.includes(k ?? ''))
        .sort(),
    ).toEqual(keys);
    // In the main channel each escalation was an update in place: no second message.
    for (const key of keys) {
      expect(w.slack.messages(CHANNEL).filter((m) => alertKeyOfMessage(m) === key)).toHaveLength(1);
    }
  });
});
