import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCycleState } from '../../src/jobs/cycle-state.js';
import { cycleIdOf, jobIds, queueOfJobId } from '../../src/jobs/ids.js';
import { createChannelLimiter } from '../../src/slack/channel-limiter.js';
import { redisFixture } from '../helpers/redis.js';

let fixture: Awaited<ReturnType<typeof redisFixture>>;
beforeAll(async () => {
  fixture = await redisFixture('cycle-state');
});
afterAll(() => fixture.close());

describe('cycle bookkeeping', () => {
  it('counts a job once however often it reports, and waits for children whichever reports first', async () => {
    const state = createCycleState({ redis: fixture.redis, prefix: fixture.prefix });
    const c = 'c1';
    // The root registers two children; one of them already finished before it was registered.
    expect(await state.finish(c, 'child-b', { counters: { instances: 5 } })).toBe(true);
    await state.finish(c, 'root', { children: ['child-a', 'child-b'], counters: { apiCalls: 1 } });
    expect((await state.read(c)).pending).toBe('1');
    expect(await state.unfinished(c, 10)).toEqual(['child-a']);

    expect(await state.finish(c, 'child-a', { counters: { instances: 7 } })).toBe(true);
    // A retried or duplicated job reports again: nothing is counted twice.
    expect(await state.finish(c, 'child-a', { counters: { instances: 7 } })).toBe(false);
    await state.finish(c, 'root', { children: ['child-a', 'child-b'], counters: { apiCalls: 1 } });

    const hash = await state.read(c);
    expect(hash.pending).toBe('0');
    expect(hash.instances).toBe('12');
    expect(hash.apiCalls).toBe('1');
    expect(await state.isFinished(c, 'child-a')).toBe(true);
    expect(await state.isFinished(c, 'child-c')).toBe(false);
    expect(await fixture.redis.ttl(state.keys(c).hash)).toBeGreaterThan(0);
  });

  it("wakes this process's waiters when a report leaves nothing pending, not before", async () => {
    const state = createCycleState({ redis: fixture.redis, prefix: fixture.prefix });
    const c = 'c-wake';
    await state.finish(c, 'root', { children: ['a', 'b'] });
    let woke = false;
    // A minute: if only the timer ended it, the test would time out instead of passing.
    const napping = state.nap(c, state.wakeCount(), 60_000).then(() => {
      woke = true;
    });
    await state.finish(c, 'a');
    await state.read(c);
    expect(woke).toBe(false);
    await state.finish(c, 'b');
    await napping;
    expect(woke).toBe(true);
    // A report between a waiter's count and its nap (its read missed it): the nap ends at once.
    const since = state.wakeCount();
    await state.finish(c, null, { fields: { status: 'done' } });
    await state.nap(c, since, 60_000);
    // Another cycle's waiter sleeps on when this one's status changes.
    let other = false;
    const otherNap = state.nap('c-other', state.wakeCount(), 50).then(() => {
      other = true;
    });
    await state.finish(c, null, { fields: { status: 'done' } });
    await state.read(c);
    expect(other).toBe(false);
    await otherNap;
  });

  it('keeps the new alerts for the post phase', async () => {
    const state = createCycleState({ redis: fixture.redis, prefix: fixture.prefix });
    const evaluation = { alertKey: '13:SN1', stage: '7d' } as never;
    await state.finish('c2', 'scan-1', { posts: [evaluation] });
    expect(await state.posts('c2')).toEqual([evaluation]);
  });

  it('hands the storm stream each new alert once, in the order recorded, with its renewal options', async () => {
    const state = createCycleState({ redis: fixture.redis, prefix: fixture.prefix });
    const a = { alertKey: '13:SN-A', stage: '7d' } as never;
    const b = { alertKey: '13:SN-B', stage: '3d' } as never;
    const c = { alertKey: '13:SN-C', stage: 'expired' } as never;
    const options = { options: [], error: null };
    await state.finish('c3', 'scan-1', { posts: [a, b], enrichments: { '13:SN-A': options } });
    const first = await state.postsSince('c3', 0);
    expect(first.posts).toEqual([
      { evaluation: a, enrichment: options },
      { evaluation: b, enrichment: null },
    ]);
    // A retried page records the same alerts again: nothing new to hand on.
    await state.finish('c3', 'scan-1', { posts: [a, b] });
    expect((await state.postsSince('c3', first.next)).posts).toEqual([]);
    await state.finish('c3', 'scan-2', { posts: [c] });
    const second = await state.postsSince('c3', first.next);
    expect(second.posts).toEqual([{ evaluation: c, enrichment: null }]);
    expect(second.next).toBe(3);
  });
});

describe('job ids', () => {
  it('never contain a colon, and name their queue', () => {
    const cycleId = cycleIdOf('repeat:poll:1732431600000');
    expect(cycleId).toBe('repeat.poll.1732431600000');
    const ids = [
      jobIds.scan(cycleId, '13', 4),
      jobIds.enrich(cycleId, '13:3658B4311196UZ4A'),
      jobIds.notify(cycleId, '13:3658B4311196UZ4A', 'post'),
      jobIds.digest(cycleId, 'C123'),
    ];
    for (const id of ids) expect(id).not.toContain(':');
    expect(ids.map(queueOfJobId)).toEqual(['scan', 'enrich', 'notify', 'notify']);
  });
});

describe('per-channel Slack bucket', () => {
  it('allows a burst, then asks to wait about 1/rate, and honours a pause', async () => {
    const limiter = createChannelLimiter({
      redis: fixture.redis,
      prefix: fixture.prefix,
      postsPerSecond: 1,
      burst: 3,
    });
    const waits = [];
    for (let i = 0; i < 4; i++) waits.push(await limiter.take('C1'));
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(0);
    expect(waits[3]).toBeLessThanOrEqual(1000);
    // Another channel has its own bucket.
    expect(await limiter.take('C2')).toBe(0);
    await limiter.pause('C2', 5_000);
    expect(await limiter.take('C2')).toBeGreaterThan(1_000);
  });
});
