import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlertStore } from '../../src/alerts/alert-store.js';
import type { AlertStore, Decision } from '../../src/alerts/types.js';
import { listKeys, redisFixture } from '../helpers/redis.js';
import { DAY, evaluation, NOW, page, serial } from './state-fixtures.js';

let fixture: Awaited<ReturnType<typeof redisFixture>>;
let store: AlertStore;

beforeEach(async () => {
  fixture = await redisFixture('state');
  store = createAlertStore({ redis: fixture.redis, prefix: fixture.prefix });
});

afterEach(async () => {
  await fixture.close();
});

function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  return listKeys(redis, `${prefix}*`);
}

async function decideOne(
  cycle: string,
  e: ReturnType<typeof evaluation>,
  now = NOW,
  evaluator = 'w1',
): Promise<Decision> {
  const [decision] = await store.decide(cycle, evaluator, [e], now);
  if (decision === undefined) throw new Error('no decision');
  return decision;
}

const MESSAGE = { channel: 'C123', ts: '1718450000.000100' };
const KEY = evaluation(1, null).alertKey;

describe('alert life cycle', () => {
  it('posts once, stays quiet, updates, escalates, de-escalates quietly and resolves', async () => {
    const posted = await decideOne('c1', evaluation(1, '14d', { digest: 'a' }));
    expect(posted).toMatchObject({ action: 'post', alertKey: KEY, previousStage: null, message: null });
    await store.setMessage(KEY, MESSAGE);

    expect((await decideOne('c2', evaluation(1, '14d', { digest: 'a' }), NOW + 1000)).action).toBe('nothing');

    const updated = await decideOne('c3', evaluation(1, '14d', { digest: 'b' }), NOW + 2000);
    expect(updated).toMatchObject({ action: 'update', previousStage: '14d', message: MESSAGE });

    await store.acknowledge(KEY, 'U1', NOW + 2500);
    expect((await store.get(KEY))?.acknowledgedBy).toBe('U1');

    const escalated = await decideOne('c4', evaluation(1, '7d', { digest: 'c' }), NOW + 3000);
    expect(escalated).toMatchObject({ action: 'escalate', previousStage: '14d', message: MESSAGE });
    const afterEscalation = await store.get(KEY);
    expect(afterEscalation).toMatchObject({
      stage: '7d',
      acknowledgedBy: null,
      acknowledgedAt: null,
      digest: 'c',
    });

    // A date moved later: less urgent, still not healthy.
    const eased = await decideOne('c5', evaluation(1, '14d', { digest: 'd' }), NOW + 4000);
    expect(eased).toMatchObject({ action: 'update', previousStage: '7d' });

    const resolved = await decideOne('c6', evaluation(1, null), NOW + 5000);
    expect(resolved).toMatchObject({
      action: 'resolve',
      resolveReason: 'renewed',
      previousStage: '14d',
      message: MESSAGE,
    });
    const record = await store.get(KEY);
    expect(record).toMatchObject({
      resolvedAt: NOW + 5000,
      resolveReason: 'renewed',
      firstSeenAt: NOW,
      lastSeenAt: NOW + 5000,
    });
    expect(await store.listOpen()).toEqual({ total: 0, records: [] });
    expect(await store.counts()).toEqual({ byStage: {}, byProduct: {}, total: 0 });
    expect((await store.findBySn(serial(1)))?.resolvedAt).toBe(NOW + 5000);

    // Healthy again: nothing more to say.
    expect((await decideOne('c7', evaluation(1, null), NOW + 6000)).action).toBe('nothing');
  });

  it('reads a record back with numbers as numbers and nulls as null', async () => {
    const e = evaluation(1, '3d', { digest: 'x' });
    await decideOne('c1', e);
    expect(await store.get(KEY)).toEqual({
      alertKey: KEY,
      stage: '3d',
      severity: 'high',
      digest: 'x',
      evaluation: e,
      message: null,
      messages: [],
      notifiedAt: null,
      acknowledgedBy: null,
      acknowledgedAt: null,
      snoozedUntil: null,
      snoozedBy: null,
      firstSeenAt: NOW,
      lastSeenAt: NOW,
      cycleId: 'c1',
      missedCycles: 0,
      resolvedAt: null,
      resolveReason: null,
    });
    expect(await store.get('13:nope')).toBeNull();
  });

  it('posts again while the alert has no Slack message, and stops once it has one', async () => {
    expect((await decideOne('c1', evaluation(1, '7d'))).action).toBe('post');
    expect((await decideOne('c2', evaluation(1, '7d'), NOW + 1)).action).toBe('post');
    // A changed digest with no message to update is a post too.
    expect((await decideOne('c3', evaluation(1, '7d', { digest: 'new' }), NOW + 2)).action).toBe('post');
    await store.setMessage(KEY, MESSAGE);
    expect((await decideOne('c4', evaluation(1, '7d', { digest: 'new' }), NOW + 3)).action).toBe('nothing');
  });

  it('re-opens a resolved alert as a fresh post', async () => {
    await decideOne('c1', evaluation(1, '7d'));
    await store.setMessage(KEY, MESSAGE);
    await store.acknowledge(KEY, 'U1', NOW);
    await decideOne('c2', evaluation(1, null), NOW + 1);
    const reopened = await decideOne('c3', evaluation(1, '3d'), NOW + 2);
    expect(reopened).toMatchObject({ action: 'post', previousStage: null, message: null });
    expect(await store.get(KEY)).toMatchObject({
      firstSeenAt: NOW + 2,
      resolvedAt: null,
      resolveReason: null,
      acknowledgedBy: null,
      stage: '3d',
    });
    expect(await fixture.redis.pttl(`${fixture.prefix}:alert:${KEY}`)).toBe(-1);
    expect((await store.counts()).total).toBe(1);
  });

  it('creates no key at all for healthy instances', async () => {
    const decisions = await store.decide('c1', 'w1', page(1, 100, null), NOW);
    expect(decisions.map((d) => d.action)).toEqual(Array(100).fill('nothing'));
    await store.sweepVanished('c1', '13', NOW);
    expect(await store.counts()).toEqual({ byStage: {}, byProduct: {}, total: 0 });
    expect(await keysUnder(fixture.redis, fixture.prefix)).toEqual([]);
  });

  it('decides each evaluation of a mixed page on its own', async () => {
    await store.decide('c1', 'w1', [evaluation(1, '7d'), evaluation(2, '30d')], NOW);
    await store.setMessage(evaluation(1, null).alertKey, MESSAGE);
    await store.setMessage(evaluation(2, null).alertKey, MESSAGE);
    const decisions = await store.decide(
      'c2',
      'w1',
      [evaluation(1, '7d'), evaluation(2, null), evaluation(3, '1d'), evaluation(4, null)],
      NOW + 1,
    );
    expect(decisions.map((d) => [d.alertKey, d.action])).toEqual([
      ['13:SN000001', 'nothing'],
      ['13:SN000002', 'resolve'],
      ['13:SN000003', 'post'],
      ['13:SN000004', 'nothing'],
    ]);
    expect(await store.decide('c3', 'w1', [], NOW)).toEqual([]);
  });

  it('resolves from a page of healthy instances, keeping the evaluation the alert was shown with', async () => {
    const alerting = evaluation(50, '7d', { digest: 'shown' });
    await store.decide('c1', 'w1', [alerting], NOW);
    await store.setMessage(alerting.alertKey, MESSAGE);
    const renewed = evaluation(50, null);
    const healthy = page(1, 100, null).map((e) => (e.alertKey === renewed.alertKey ? renewed : e));
    const decisions = await store.decide('c2', 'w1', healthy, NOW + 1);
    const acted = decisions.filter((d) => d.action !== 'nothing');
    expect(acted).toHaveLength(1);
    // The decision carries this cycle's evaluation (the renewal date); the record keeps what readers saw.
    expect(acted[0]).toMatchObject({ alertKey: renewed.alertKey, action: 'resolve', evaluation: renewed });
    expect(await store.get(renewed.alertKey)).toMatchObject({
      resolvedAt: NOW + 1,
      resolveReason: 'renewed',
      evaluation: alerting,
      stage: '7d',
    });
    expect(await store.counts()).toEqual({ byStage: {}, byProduct: {}, total: 0 });
    expect(await fixture.redis.pttl(`${fixture.prefix}:alerts:sn:${serial(50)}`)).toBeGreaterThan(0);
  });

  it('decides an alertKey that cannot be joined with the others like any other', async () => {
    const odd = evaluation(1, '3d');
    const key = '13:SN\nodd';
    const oddAlert = {
      ...odd,
      alertKey: key,
      subject: { ...odd.subject, alertKey: key, productNo: 'SN\nodd' },
    };
    expect(
      (await store.decide('c1', 'w1', [oddAlert, evaluation(2, null)], NOW)).map((d) => d.action),
    ).toEqual(['post', 'nothing']);
    await store.setMessage(key, MESSAGE);
    const healthy = { ...oddAlert, stage: null, severity: null };
    const [resolved] = await store.decide('c2', 'w1', [healthy], NOW + 1);
    expect(resolved).toMatchObject({ action: 'resolve', alertKey: key, message: MESSAGE });
    expect(await store.findBySn('SN\nodd')).toMatchObject({ resolvedAt: NOW + 1 });
  });
});

describe('snooze', () => {
  it('silences updates and escalations until it ends, except to expired', async () => {
    await decideOne('c1', evaluation(1, '14d', { digest: 'a' }));
    await store.setMessage(KEY, MESSAGE);
    const snoozed = await store.snooze(KEY, NOW + DAY, 'U2', NOW);
    expect(snoozed).toMatchObject({ outcome: 'done', record: { snoozedUntil: NOW + DAY, snoozedBy: 'U2' } });

    expect((await decideOne('c2', evaluation(1, '14d', { digest: 'b' }), NOW + 1000)).action).toBe('nothing');
    expect((await decideOne('c3', evaluation(1, '7d', { digest: 'c' }), NOW + 2000)).action).toBe('nothing');
    const during = await store.get(KEY);
    // Unchanged, so the change is noticed when the snooze ends; but seen this cycle.
    expect(during).toMatchObject({
      stage: '14d',
      digest: 'a',
      lastSeenAt: NOW + 2000,
      cycleId: 'c3',
      missedCycles: 0,
    });

    const after = await decideOne('c4', evaluation(1, '7d', { digest: 'c' }), NOW + DAY + 1);
    expect(after).toMatchObject({ action: 'escalate', previousStage: '14d' });
    expect(await store.get(KEY)).toMatchObject({ stage: '7d', snoozedUntil: null, snoozedBy: null });
  });

  it('lets an expiry through the snooze and clears it', async () => {
    await decideOne('c1', evaluation(1, '3d'));
    await store.setMessage(KEY, MESSAGE);
    await store.snooze(KEY, NOW + 7 * DAY, 'U2', NOW);
    expect((await decideOne('c2', evaluation(1, '1d'), NOW + 1)).action).toBe('nothing');
    const expired = await decideOne('c3', evaluation(1, 'expired'), NOW + 2);
    expect(expired).toMatchObject({ action: 'escalate', previousStage: '3d' });
    expect(await store.get(KEY)).toMatchObject({ stage: 'expired', snoozedUntil: null });
    expect((await decideOne('c4', evaluation(1, 'expired'), NOW + 3)).action).toBe('nothing');
  });

  it('does not re-post a lost message while snoozed', async () => {
    await decideOne('c1', evaluation(1, '7d'));
    await store.snooze(KEY, NOW + DAY, 'U2', NOW);
    expect((await decideOne('c2', evaluation(1, '7d'), NOW + 1)).action).toBe('nothing');
    expect((await decideOne('c3', evaluation(1, '7d'), NOW + DAY + 1)).action).toBe('post');
  });

  it('ends with a renewal', async () => {
    await decideOne('c1', evaluation(1, '7d'));
    await store.snooze(KEY, NOW + DAY, 'U2', NOW);
    expect(await decideOne('c2', evaluation(1, null), NOW + 1)).toMatchObject({
      action: 'resolve',
      resolveReason: 'renewed',
    });
  });

  it('takes the latest snooze', async () => {
    await decideOne('c1', evaluation(1, '7d'));
    await store.snooze(KEY, NOW + 7 * DAY, 'U2', NOW);
    const second = await store.snooze(KEY, NOW + DAY, 'U3', NOW + 5);
    expect(second).toMatchObject({ outcome: 'done', record: { snoozedUntil: NOW + DAY, snoozedBy: 'U3' } });
  });
});

describe('buttons on resolved or unknown alerts', () => {
  it('answers resolved for acknowledge and snooze', async () => {
    expect(await store.acknowledge('13:missing', 'U1', NOW)).toEqual({ outcome: 'resolved', record: null });
    expect(await store.snooze('13:missing', NOW + DAY, 'U1', NOW)).toEqual({
      outcome: 'resolved',
      record: null,
    });

    await decideOne('c1', evaluation(1, '7d'));
    await decideOne('c2', evaluation(1, null), NOW + 1);
    const ack = await store.acknowledge(KEY, 'U1', NOW + 2);
    expect(ack).toMatchObject({ outcome: 'resolved', record: { alertKey: KEY, resolvedAt: NOW + 1 } });
    const snooze = await store.snooze(KEY, NOW + DAY, 'U1', NOW + 2);
    expect(snooze.outcome).toBe('resolved');
    expect(await store.get(KEY)).toMatchObject({ acknowledgedBy: null, snoozedUntil: null });
    // No record stub is created for a message of a forgotten alert.
    await store.setMessage('13:missing', MESSAGE);
    expect(await fixture.redis.exists(`${fixture.prefix}:alert:13:missing`)).toBe(0);
  });
});

describe('vanished instances', () => {
  it('resolves after two missed cycles in a row, counting each cycle once', async () => {
    await store.decide('c1', 'w1', [evaluation(1, '7d'), evaluation(2, '7d')], NOW);
    await store.setMessage(KEY, MESSAGE);
    expect(await store.sweepVanished('c1', '13', NOW)).toEqual([]);

    // c2 lists only #2.
    await store.decide('c2', 'w1', [evaluation(2, '7d')], NOW + 1);
    expect(await store.sweepVanished('c2', '13', NOW + 1)).toEqual([]);
    expect(await store.sweepVanished('c2', '13', NOW + 1)).toEqual([]);
    expect(await store.get(KEY)).toMatchObject({ missedCycles: 1, resolvedAt: null });

    await store.decide('c3', 'w1', [evaluation(2, '7d')], NOW + 2);
    const swept = await store.sweepVanished('c3', '13', NOW + 2);
    expect(swept).toEqual([
      {
        action: 'resolve',
        alertKey: KEY,
        evaluation: evaluation(1, '7d'),
        previousStage: '7d',
        message: MESSAGE,
        messages: [MESSAGE],
        resolveReason: 'vanished',
      },
    ]);
    expect(await store.get(KEY)).toMatchObject({ resolvedAt: NOW + 2, resolveReason: 'vanished' });
    expect((await store.listOpen()).records.map((r) => r.alertKey)).toEqual(['13:SN000002']);
    expect(await store.counts()).toEqual({ byStage: { '7d': 1 }, byProduct: { '13': 1 }, total: 1 });
  });

  it('resets the count when the instance is seen again in between', async () => {
    await decideOne('c1', evaluation(1, '7d'));
    await store.sweepVanished('c2', '13', NOW + 1);
    expect((await store.get(KEY))?.missedCycles).toBe(1);
    await decideOne('c3', evaluation(1, '7d'), NOW + 2);
    expect((await store.get(KEY))?.missedCycles).toBe(0);
    expect(await store.sweepVanished('c3', '13', NOW + 2)).toEqual([]);
    expect(await store.sweepVanished('c4', '13', NOW + 3)).toEqual([]);
    expect((await store.get(KEY))?.resolvedAt).toBeNull();
  });

  it('sweeps only the product line it is given', async () => {
    await decideOne('c1', evaluation(1, '7d', { productId: '13' }));
    await decideOne('c1', evaluation(2, '7d', { productId: '14' }));
    await store.sweepVanished('c2', '14', NOW);
    const swept = await store.sweepVanished('c3', '14', NOW);
    expect(swept.map((d) => d.alertKey)).toEqual(['14:SN000002']);
    expect((await store.get('13:SN000001'))?.missedCycles).toBe(0);
  });
});

describe('listing and counting open alerts', () => {
  it('lists most urgent first, unknown dates last, with withinDays and paging', async () => {
    await store.decide(
      'c1',
      'w1',
      [
        evaluation(1, '30d', { expiresAt: NOW + 30 * DAY }),
        evaluation(2, 'switching', { expiresAt: null }),
        evaluation(3, 'expired', { expiresAt: NOW - 2 * DAY }),
        evaluation(4, '7d', { expiresAt: NOW + 6 * DAY }),
        evaluation(5, '14d', { expiresAt: NOW + 12 * DAY }),
        evaluation(6, '30d', { expiresAt: NOW + 20 * DAY }),
      ],
      NOW,
    );
    const all = await store.listOpen();
    expect(all.total).toBe(6);
    expect(all.records.map((r) => r.alertKey.slice(-1))).toEqual(['3', '4', '5', '6', '1', '2']);

    const soon = await store.listOpen({ withinDays: 14, now: NOW });
    expect(soon.total).toBe(3);
    expect(soon.records.map((r) => r.stage)).toEqual(['expired', '7d', '14d']);

    const secondPage = await store.listOpen({ offset: 2, limit: 2 });
    expect(secondPage.total).toBe(6);
    expect(secondPage.records.map((r) => r.alertKey.slice(-1))).toEqual(['5', '6']);

    await expect(store.listOpen({ withinDays: 7 })).rejects.toThrow(/now/);
  });

  it('lists only the alerts nobody was notified about since a cutoff, window by window', async () => {
    // First seen at NOW-10d, NOW-5d and NOW; the first one was notified at NOW-1d, the others never.
    await decideOne('c1', evaluation(1, '7d', { expiresAt: NOW + DAY }), NOW - 10 * DAY);
    await decideOne('c1', evaluation(2, '7d', { expiresAt: NOW + 2 * DAY }), NOW - 5 * DAY);
    await decideOne('c1', evaluation(3, '7d', { expiresAt: NOW + 3 * DAY }), NOW);
    await store.markNotified(evaluation(1, null).alertKey, NOW - DAY);
    const keys = async (cutoff: number, offset = 0, limit = 10) => {
      const { scanned, records } = await store.listQuiet({ cutoff, offset, limit });
      return { scanned, keys: records.map((r) => r.alertKey.slice(-1)) };
    };
    // Two days ago: 1 was notified since, 3 first seen since; 2 was first seen before and never notified.
    expect(await keys(NOW - 2 * DAY)).toEqual({ scanned: 3, keys: ['2'] });
    // The cutoff is included ("at or before").
    expect(await keys(NOW - DAY)).toEqual({ scanned: 3, keys: ['1', '2'] });
    expect(await keys(NOW)).toEqual({ scanned: 3, keys: ['1', '2', '3'] });
    expect(await keys(NOW - 20 * DAY)).toEqual({ scanned: 3, keys: [] });
    // Windows count the open set, not what is kept: the second window of two holds only alert 3.
    expect(await keys(NOW - 2 * DAY, 0, 2)).toEqual({ scanned: 2, keys: ['2'] });
    expect(await keys(NOW, 2, 2)).toEqual({ scanned: 1, keys: ['3'] });
    expect(await keys(NOW, 0, 0)).toEqual({ scanned: 0, keys: [] });
  });

  it('counts open alerts by stage and by product line', async () => {
    await store.decide(
      'c1',
      'w1',
      [
        evaluation(1, '7d', { productId: '13' }),
        evaluation(2, '7d', { productId: '13' }),
        evaluation(3, 'expired', { productId: '14' }),
        evaluation(4, '30d', { productId: '14' }),
        evaluation(5, null, { productId: '14' }),
      ],
      NOW,
    );
    expect(await store.counts()).toEqual({
      byStage: { '7d': 2, expired: 1, '30d': 1 },
      byProduct: { '13': 2, '14': 2 },
      total: 4,
    });
    await store.decide(
      'c2',
      'w1',
      [
        evaluation(1, '3d', { productId: '13' }),
        evaluation(2, '7d', { productId: '13' }),
        evaluation(3, 'expired', { productId: '14' }),
        evaluation(4, null, { productId: '14' }),
      ],
      NOW + 1,
    );
    expect(await store.counts()).toEqual({
      byStage: { '7d': 1, '3d': 1, expired: 1 },
      byProduct: { '13': 2, '14': 1 },
      total: 3,
    });
  });
});

describe('retention', () => {
  it('forgets a resolved alert after the retention time', async () => {
    const short = createAlertStore({ redis: fixture.redis, prefix: fixture.prefix, retentionMs: 200 });
    await short.decide('c1', 'w1', [evaluation(1, '7d')], NOW);
    await short.decide('c2', 'w1', [evaluation(1, null)], NOW + 1);
    expect(await short.findBySn(serial(1))).not.toBeNull();
    const deadline = Date.now() + 10_000;
    while ((await short.get(KEY)) !== null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await short.get(KEY)).toBeNull();
    expect(await short.findBySn(serial(1))).toBeNull();
    expect(await keysUnder(fixture.redis, fixture.prefix)).toEqual([]);
  });

  it('keeps open alerts without an expiry', async () => {
    await decideOne('c1', evaluation(1, '7d'));
    expect(await fixture.redis.pttl(`${fixture.prefix}:alert:${KEY}`)).toBe(-1);
    expect((await store.findBySn(serial(1)))?.stage).toBe('7d');
    expect(await store.findBySn('nope')).toBeNull();
  });
});
