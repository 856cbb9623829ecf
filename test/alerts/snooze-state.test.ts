import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlertStore } from '../../src/alerts/alert-store.js';
import { type SnoozeKind, snoozeUntil } from '../../src/alerts/snooze.js';
import type { AlertStore, Evaluation } from '../../src/alerts/types.js';
import { needsReminder } from '../../src/jobs/reminders.js';
import { redisFixture } from '../helpers/redis.js';
import { DAY, evaluation, NOW } from './state-fixtures.js';

/** Each snooze kind, as the menu computes it, ends in the alert state when it should, and on renewal. */

const THRESHOLDS = [30, 14, 7, 3, 1];
const MESSAGE = { channel: 'C123', ts: '1718450000.000100' };
const KEY = evaluation(1, null).alertKey;

let fixture: Awaited<ReturnType<typeof redisFixture>>;
let store: AlertStore;
let cycle = 0;

beforeEach(async () => {
  fixture = await redisFixture('snooze');
  store = createAlertStore({ redis: fixture.redis, prefix: fixture.prefix });
});
afterEach(async () => {
  await fixture.close();
});

async function decide(e: Evaluation, now: number) {
  cycle++;
  const [d] = await store.decide(`c${cycle}`, 'w1', [e], now);
  return d!;
}

/** An alert posted at NOW and snoozed at NOW with the menu's `kind`; returns when the snooze ends. */
async function snoozed(e: Evaluation, kind: SnoozeKind): Promise<number> {
  expect((await decide(e, NOW)).action).toBe('post');
  await store.setMessage(KEY, MESSAGE, NOW);
  const until = snoozeUntil(kind, e, THRESHOLDS, NOW, 'UTC');
  expect(until).not.toBeNull();
  expect((await store.snooze(KEY, until!, 'U1', NOW)).outcome).toBe('done');
  return until!;
}

describe('snooze kinds end in the alert state', () => {
  it('"for 1 day": silent for the day, the escalation goes out once it is over', async () => {
    const until = await snoozed(evaluation(1, '7d'), { kind: 'for', days: 1 });
    expect(until).toBe(NOW + DAY);
    expect((await decide(evaluation(1, '3d'), NOW + DAY / 2)).action).toBe('nothing');
    expect(await store.get(KEY)).toMatchObject({ stage: '7d', snoozedUntil: until });
    const after = await decide(evaluation(1, '3d'), until);
    expect(after).toMatchObject({ action: 'escalate', previousStage: '7d', messages: [MESSAGE] });
    expect(await store.get(KEY)).toMatchObject({ stage: '3d', snoozedUntil: null, snoozedBy: null });
  });

  it('"until next stage": ends at midnight of the next stage’s first day', async () => {
    const expiresAt = NOW + 10 * DAY;
    const until = await snoozed(evaluation(1, '14d', { expiresAt }), { kind: 'next_stage' });
    expect(until).toBe(Date.UTC(2025, 5, 18));
    expect((await decide(evaluation(1, '14d', { expiresAt, digest: 'changed' }), until - 1)).action).toBe(
      'nothing',
    );
    expect((await decide(evaluation(1, '7d', { expiresAt }), until)).action).toBe('escalate');
    expect((await store.get(KEY))?.snoozedUntil).toBeNull();
  });

  it('"until 3 days before expiry": ends at midnight three days before', async () => {
    const expiresAt = NOW + 10 * DAY;
    const until = await snoozed(evaluation(1, '14d', { expiresAt }), { kind: 'days_before', days: 3 });
    expect(until).toBe(Date.UTC(2025, 5, 22));
    // The 7d stage comes and goes unannounced.
    expect((await decide(evaluation(1, '7d', { expiresAt }), until - DAY)).action).toBe('nothing');
    const after = await decide(evaluation(1, '3d', { expiresAt }), until);
    expect(after).toMatchObject({ action: 'escalate', previousStage: '14d' });
    expect((await store.get(KEY))?.snoozedUntil).toBeNull();
  });

  it('ends on renewal: the alert resolves and no snooze is left behind', async () => {
    await snoozed(evaluation(1, '7d'), { kind: 'for', days: 7 });
    const renewed = await decide(evaluation(1, null), NOW + DAY);
    expect(renewed).toMatchObject({ action: 'resolve', resolveReason: 'renewed', messages: [MESSAGE] });
    expect(await store.get(KEY)).toMatchObject({
      snoozedUntil: null,
      snoozedBy: null,
      resolvedAt: NOW + DAY,
    });
  });

  it('ends when the stage reaches expired, whatever its end time', async () => {
    await snoozed(evaluation(1, '1d'), { kind: 'for', days: 7 });
    const expired = await decide(evaluation(1, 'expired'), NOW + DAY);
    expect(expired).toMatchObject({ action: 'escalate', previousStage: '1d' });
    expect(await store.get(KEY)).toMatchObject({ stage: 'expired', snoozedUntil: null });
  });
});

describe('reminders and the alert state', () => {
  const EVERY = DAY;

  it('are due a period after the last notification, not while snoozed or acknowledged', async () => {
    await decide(evaluation(1, '7d'), NOW);
    // No message yet (a post held for quiet hours): nothing to remind in.
    expect(needsReminder((await store.get(KEY))!, NOW + 2 * EVERY, EVERY)).toBe(false);
    await store.setMessage(KEY, MESSAGE, NOW + 1_000);
    const record = (await store.get(KEY))!;
    expect(record.notifiedAt).toBe(NOW + 1_000);
    expect(needsReminder(record, NOW + EVERY, EVERY)).toBe(false);
    expect(needsReminder(record, NOW + 1_000 + EVERY, EVERY)).toBe(true);

    await store.markNotified(KEY, NOW + EVERY + 1_000);
    expect(needsReminder((await store.get(KEY))!, NOW + EVERY + 2_000, EVERY)).toBe(false);

    await store.snooze(KEY, NOW + 5 * EVERY, 'U1', NOW);
    expect(needsReminder((await store.get(KEY))!, NOW + 4 * EVERY, EVERY)).toBe(false);
    expect(needsReminder((await store.get(KEY))!, NOW + 5 * EVERY, EVERY)).toBe(true);

    await store.acknowledge(KEY, 'U1', NOW);
    expect(needsReminder((await store.get(KEY))!, NOW + 9 * EVERY, EVERY)).toBe(false);
    // The next stage clears the acknowledgement: reminders resume.
    expect((await decide(evaluation(1, '3d'), NOW + 9 * EVERY)).action).toBe('escalate');
    expect(needsReminder((await store.get(KEY))!, NOW + 9 * EVERY, EVERY)).toBe(true);
  });

  it('keeps one message per channel, the first as the primary one', async () => {
    await decide(evaluation(1, '3d'), NOW);
    const finance = { channel: 'CFIN', ts: '1718450001.000200' };
    await store.setMessage(KEY, MESSAGE);
    await store.setMessage(KEY, finance);
    // A re-post in a channel (its message was deleted) replaces that channel's entry.
    const again = { channel: 'C123', ts: '1718450009.000900' };
    await store.setMessage(KEY, again);
    expect(await store.get(KEY)).toMatchObject({
      message: again,
      messages: [again, finance],
      notifiedAt: null,
    });
    const decided = await decide(evaluation(1, '1d'), NOW + 1);
    expect(decided).toMatchObject({ action: 'escalate', message: again, messages: [again, finance] });
  });

  it('reads a record written before messages were kept per channel as a list of its one message', async () => {
    await decide(evaluation(1, '3d'), NOW);
    await store.setMessage(KEY, MESSAGE);
    // What such a record holds: the one `message`, no `messages`.
    await fixture.redis.hdel(`${fixture.prefix}:alert:${KEY}`, 'messages');
    expect(await store.get(KEY)).toMatchObject({ message: MESSAGE, messages: [MESSAGE] });
    expect(await decide(evaluation(1, '1d'), NOW + 1)).toMatchObject({ messages: [MESSAGE] });
    const finance = { channel: 'CFIN', ts: '1718450001.000200' };
    await store.setMessage(KEY, finance);
    expect(await store.get(KEY)).toMatchObject({ message: MESSAGE, messages: [MESSAGE, finance] });
  });
});
