import { afterEach, describe, expect, it } from 'vitest';
import { createLedger } from '../../src/renew/ledger.js';
import { alertKeyOfMessage, createWorld, DAY, type World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('an alert whose renewal was ordered from Slack, redrawn by a cycle', () => {
  it('keeps "Renewal ordered by" and offers no second Renew… when the cycle updates it in place', async () => {
    world = await createWorld({
      sim: { instances: 400, attention: 9 },
      env: { DIGEST_OVER: '50', RENEW_MODE: 'live', RENEW_ALLOWED_USERS: 'URENEW001' },
    });
    const w = world;
    expect((await w.check()).code).toBe(0);
    const target = (await w.expectedAlerts()).find(
      (e) => e.stage === '30d' && e.findings.every((f) => f.subject === 'plan' && f.kind === 'expiring'),
    );
    expect(target, 'the data set has a plan alert at 30d').toBeDefined();
    const message = () => w.topLevel().find((m) => alertKeyOfMessage(m) === target!.alertKey)!;
    expect(JSON.stringify(message().blocks)).toContain('"action_id":"renew_open"');

    await createLedger({ redis: w.redis, prefix: w.prefix }).claim({
      state: 'placed',
      by: 'URENEW001',
      approvedBy: null,
      sn: target!.subject.productNo,
      productId: target!.subject.productId,
      alertKey: target!.alertKey,
      stage: target!.stage!,
      at: w.clock.now,
      request: '{}',
      orderId: '1234567890123456789',
      orderNo: 'SO2026120500042',
      status: 'pending',
      channel: null,
      ts: null,
      viewId: null,
      attempt: 'a1',
    });
    // A day nearer, still within the 30-day stage: the message is updated in place, not escalated.
    const expiresAt = target!.findings[0]!.expiresAt!;
    w.sim.updateInstance(target!.subject.productId, target!.subject.productNo, {
      planExpireDate: expiresAt - DAY,
    });
    w.slack.calls.length = 0;
    const next = await w.check();
    expect(next.code).toBe(0);
    expect(next.line).toContain(' 0 escalated, 1 updated');
    const blocks = JSON.stringify(message().blocks);
    expect(blocks).toContain('Renewal ordered by <@URENEW001>');
    expect(blocks).toContain('SO2026120500042');
    expect(blocks).not.toContain('"action_id":"renew_open"');
  });
});
