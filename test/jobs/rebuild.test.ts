import { LogLevel, WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertStore } from '../../src/alerts/alert-store.js';
import { renderAlert } from '../../src/alerts/render.js';
import { deleteKeys, listKeys } from '../helpers/redis.js';
import { alertKeyOfMessage, CHANNEL, createWorld, DAY, type World } from './harness.js';

/** A wiped Redis is rebuilt from Slack before the next cycle decides anything: no duplicate, no lost click. */

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('Redis wiped under 20 open alerts', () => {
  it('the next cycle posts nothing new; acknowledgements and snoozes are kept', {
    timeout: 90_000,
  }, async () => {
    world = await createWorld({ sim: { instances: 300, attention: 20 }, env: { DIGEST_OVER: '10' } });
    const w = world;
    const expected = (await w.expectedAlerts()).map((e) => e.alertKey).sort();
    expect(expected).toHaveLength(20);
    expect((await w.check()).code).toBe(0);
    // A storm: one digest, the 20 alerts in its thread (rebuilt through conversations.replies).
    const [digest] = w.topLevel();
    expect(w.topLevel()).toHaveLength(1);
    expect(w.replies(digest!.ts).map(alertKeyOfMessage).sort()).toEqual(expected);

    // Three acknowledged and two snoozed, each shown in its message as a click does (chat.update).
    const store = createAlertStore({ redis: w.redis, prefix: w.prefix });
    const web = new WebClient(w.config.slack.botToken, {
      slackApiUrl: w.slack.url,
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 0 },
    });
    const now = w.clock.now;
    const acked = expected.slice(0, 3);
    const snoozed = expected.slice(3, 5);
    for (const key of acked) await store.acknowledge(key, `U${key.length}ACK`, now);
    for (const key of snoozed) await store.snooze(key, now + 7 * DAY, 'USNOOZER', now);
    for (const key of [...acked, ...snoozed]) {
      const record = (await store.get(key))!;
      const rendered = renderAlert({
        evaluation: record.evaluation!,
        record,
        portalUrl: w.config.portalUrl,
        now,
        timeZone: w.config.timeZone,
      });
      await web.chat.update({ ...record.messages[0]!, ...rendered });
    }
    const before = new Map(
      await Promise.all(expected.map(async (k) => [k, (await store.get(k))!.messages] as const)),
    );

    // The wipe: every key of this test's prefix (never the shared Redis's others).
    await deleteKeys(w.redis, w.prefix);
    expect(await listKeys(w.redis, `${w.prefix}:*`)).toEqual([]);
    w.slack.calls.length = 0;

    expect((await w.check()).code).toBe(0);
    expect(w.slack.calls.filter((c) => c.method === 'chat.postMessage')).toEqual([]);
    expect(w.slack.messages(CHANNEL)).toHaveLength(21);
    const reads = w.slack.calls.filter((c) => c.method.startsWith('conversations.'));
    expect(reads.map((c) => c.method)).toEqual(['conversations.history', 'conversations.replies']);

    for (const key of expected) {
      const record = (await store.get(key))!;
      expect(record.resolvedAt, key).toBeNull();
      expect(
        record.messages.map((m) => [m.channel, m.ts]),
        key,
      ).toEqual(before.get(key)!.map((m) => [m.channel, m.ts]));
      if (acked.includes(key)) expect(record.acknowledgedBy).toBe(`U${key.length}ACK`);
      else expect(record.acknowledgedBy).toBeNull();
      if (snoozed.includes(key)) {
        expect(record.snoozedBy).toBe('USNOOZER');
        expect(record.snoozedUntil).toBe(now + 7 * DAY);
      } else expect(record.snoozedUntil).toBeNull();
    }
    expect((await store.counts()).total).toBe(20);

    // And later cycles stay quiet: the rebuilt index is the index.
    w.slack.calls.length = 0;
    expect((await w.check()).code).toBe(0);
    expect(w.slack.calls.filter((c) => c.method === 'chat.postMessage')).toEqual([]);
    expect(w.slack.calls.filter((c) => c.method.startsWith('conversations.'))).toEqual([]);
  });
});

describe('what a rebuild costs', () => {
  it('100 open alerts posted top-level cost one conversations.history call (a digest thread adds one replies call)', {
    timeout: 90_000,
  }, async () => {
    world = await createWorld({ sim: { instances: 1_500, attention: 100 }, env: { DIGEST_OVER: '200' } });
    const w = world;
    const expected = await w.expectedAlerts();
    expect(expected).toHaveLength(100);
    expect((await w.check()).code).toBe(0);
    expect(w.topLevel()).toHaveLength(100);
    await deleteKeys(w.redis, w.prefix);
    w.slack.calls.length = 0;
    expect((await w.check()).code).toBe(0);
    expect(w.slack.calls.filter((c) => c.method === 'chat.postMessage')).toEqual([]);
    expect(w.slack.calls.filter((c) => c.method.startsWith('conversations.')).map((c) => c.method)).toEqual([
      'conversations.history',
    ]);
  });
});

describe('Redis wiped under a running `npm start`', () => {
  it('sets the poll schedule again, and the cycle it runs rebuilds before posting: nothing posted twice', {
    timeout: 90_000,
  }, async () => {
    world = await createWorld({
      sim: { instances: 300, attention: 12 },
      env: { DIGEST_OVER: '50', POLL_EVERY: '1h' },
      tuning: { scheduleCheckMs: 200 },
    });
    const w = world;
    const expected = (await w.expectedAlerts()).map((e) => e.alertKey).sort();
    const pipeline = w.pipeline();
    await pipeline.start();
    const posted = () => w.postsByAlert().size;
    for (let i = 0; i < 400 && posted() < expected.length; i++) await new Promise((r) => setTimeout(r, 50));
    expect([...w.postsByAlert().keys()].sort()).toEqual(expected);

    await deleteKeys(w.redis, w.prefix);
    const history = () => w.slack.calls.filter((c) => c.method === 'conversations.history').length;
    const before = history();
    // The schedule comes back, its first cycle runs at once and reads Slack before anything else.
    for (let i = 0; i < 400 && history() === before; i++) await new Promise((r) => setTimeout(r, 50));
    expect(history()).toBeGreaterThan(before);
    const store = createAlertStore({ redis: w.redis, prefix: w.prefix });
    for (let i = 0; i < 400 && (await store.counts()).total < expected.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await store.counts()).total).toBe(expected.length);
    expect(await pipeline.queues.poll.getJobScheduler('poll')).toBeDefined();
    for (const [key, n] of w.postsByAlert()) expect(n, key).toBe(1);
  });
});
