import { afterEach, describe, expect, it } from 'vitest';
import { alertKeyOfMessage, createWorld, type World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

function expectEachPostedOnce(w: World, alertKeys: string[]): void {
  const posts = w.postsByAlert();
  expect([...posts.keys()].sort()).toEqual([...alertKeys].sort());
  for (const [key, n] of posts) expect(n, key).toBe(1);
  expect(w.topLevel().map(alertKeyOfMessage).sort()).toEqual([...alertKeys].sort());
}

describe('failures delay alerts but lose none and double none', () => {
  it('survives the Yeastar API failing, rate limiting and revoking tokens mid-cycle', async () => {
    world = await createWorld({ sim: { instances: 600, attention: 10 }, env: { DIGEST_OVER: '50' } });
    const expected = (await world.expectedAlerts()).map((e) => e.alertKey);
    world.sim.resetStats();
    world.sim.failNext(4);
    world.sim.rateLimitNext(2, 1);
    const sim = world.sim;
    sim.onPage('13', 2, () => sim.revokeTokens());
    sim.failNext(3, { status: 502, path: '/pricing/openapi/purchase/v1/purchase_product_info' });

    const result = await world.check();
    expect(result.code).toBe(0);
    expect(result.line).toContain('600 instances');
    expectEachPostedOnce(world, expected);
  });

  const PURCHASE = '/pricing/openapi/purchase/v1/purchase_product_info';
  const textOf = (w: World, alertKey: string) =>
    JSON.stringify(w.topLevel().find((m) => alertKeyOfMessage(m) === alertKey)?.blocks ?? []);

  it('renewal look-ups that fail during the scan are retried by an enrich job: the alerts keep their options', async () => {
    world = await createWorld({ sim: { instances: 300, attention: 6 }, env: { DIGEST_OVER: '50' } });
    const expected = (await world.expectedAlerts()).map((e) => e.alertKey);
    world.sim.resetStats();
    // The client tries each call 5 times: exactly enough failures for every scan-time look-up to give up.
    world.sim.failNext(5 * expected.length, { status: 503, path: PURCHASE });

    const result = await world.check();
    expect(result.code).toBe(0);
    expect(result.line).not.toContain('without renewal options');
    expectEachPostedOnce(world, expected);
    // Five failed tries per alert in the scan, then one that works in its enrich job.
    expect(world.sim.stats().byPath[PURCHASE]).toBe(6 * expected.length);
    for (const key of expected) {
      expect(textOf(world, key)).toMatch(/renew|cannot be renewed/);
      expect(textOf(world, key)).not.toContain('renewal options unavailable');
    }
  });

  it('renewal look-ups that never work: each alert is still posted once, saying why it has no options', async () => {
    world = await createWorld({
      sim: { instances: 300, attention: 4 },
      env: { DIGEST_OVER: '50' },
      tuning: { attempts: { poll: 3, scan: 6, enrich: 2, notify: 8 } },
    });
    const expected = (await world.expectedAlerts()).map((e) => e.alertKey);
    world.sim.failNext(100_000, { status: 503, path: PURCHASE });

    const result = await world.check();
    expect(result.code).toBe(0);
    expect(result.line).toContain(`${expected.length} without renewal options`);
    expectEachPostedOnce(world, expected);
    for (const key of expected) expect(textOf(world, key)).toContain('renewal options unavailable');
  });

  it('survives Slack answering 429 with Retry-After and 500', async () => {
    world = await createWorld({ sim: { instances: 400, attention: 10 }, env: { DIGEST_OVER: '50' } });
    const expected = (await world.expectedAlerts()).map((e) => e.alertKey);
    world.slack.rateLimitNext(2, 1, 'chat.postMessage');
    world.slack.failNext(3, 500, 'chat.postMessage');
    world.slack.failNext(1, 503);

    const result = await world.check();
    expect(result.code).toBe(0);
    expectEachPostedOnce(world, expected);
    expect(world.slack.calls.filter((c) => c.status === 429)).toHaveLength(2);
  });

  it('fails the check (exit 1) when Slack refuses the channel, and posts on the next run once it is fixed', async () => {
    world = await createWorld({ sim: { instances: 200, attention: 4 }, env: { DIGEST_OVER: '50' } });
    const expected = (await world.expectedAlerts()).map((e) => e.alertKey);
    world.slack.errorNext(expected.length, 'channel_not_found', 'chat.postMessage');
    const failed = await world.check();
    expect(failed.code).toBe(1);
    expect(failed.line).toContain(`${expected.length} errors`);
    // No retry of what a retry cannot fix: one attempt per alert.
    expect(world.slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(expected.length);

    const again = await world.check();
    expect(again.code).toBe(0);
    expectEachPostedOnce(world, expected);
  });
});

describe('duplicates', () => {
  it('runs the same cycle job twice without posting twice', async () => {
    world = await createWorld({ sim: { instances: 300, attention: 8 }, env: { DIGEST_OVER: '50' } });
    const expected = (await world.expectedAlerts()).map((e) => e.alertKey);
    const pipeline = world.pipeline();
    await pipeline.startWorkers();
    const first = await pipeline.runCycleNow({ jobId: 'same-cycle' });
    expect(first.ok).toBe(true);
    expect(first.posted).toBe(expected.length);
    // Added again while the first still exists, and again after it was removed.
    const second = await pipeline.runCycleNow({ jobId: 'same-cycle' });
    await pipeline.queues.poll.remove('same-cycle');
    const third = await pipeline.runCycleNow({ jobId: 'same-cycle' });
    expect(second.posted).toBe(expected.length);
    expect(third.posted).toBe(expected.length);
    expectEachPostedOnce(world, expected);
  });

  it('two pipelines on one Redis, two cycles at once: every alert posted once', async () => {
    world = await createWorld({ sim: { instances: 500, attention: 12 }, env: { DIGEST_OVER: '50' } });
    const expected = (await world.expectedAlerts()).map((e) => e.alertKey);
    const a = world.pipeline();
    const b = world.pipeline();
    await Promise.all([a.startWorkers(), b.startWorkers()]);
    const [ra, rb] = await Promise.all([a.runCycleNow(), b.runCycleNow()]);
    expect(ra.ok && rb.ok).toBe(true);
    expect(ra.posted + rb.posted).toBe(expected.length);
    expectEachPostedOnce(world, expected);
  });

  it('keeps one schedule however many times the bot starts', async () => {
    world = await createWorld({ sim: { instances: 50, attention: 1 }, env: { POLL_EVERY: '1h' } });
    const a = world.pipeline();
    const b = world.pipeline();
    await a.start();
    await b.start();
    await a.start();
    const schedulers = await a.queues.poll.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toEqual(['poll']);
  });
});

describe('graceful stop', () => {
  it('closing mid-cycle hands the cycle back; the next process resumes it and nothing is lost or doubled', async () => {
    world = await createWorld({
      sim: { instances: 2_000, attention: 15, faults: { latencyMs: 20 } },
      env: { DIGEST_OVER: '50', YEASTAR_CONCURRENCY: '2' },
    });
    const expected = (await world.expectedAlerts()).map((e) => e.alertKey);
    const first = world.pipeline();
    await first.startWorkers();
    const running = first.runCycleNow({ jobId: 'graceful' });
    const key = `${world.prefix}:cycle:graceful`;
    // Stop once some pages are in, and before the cycle is over.
    for (let i = 0; i < 400; i++) {
      const done = Number(await world.redis.hget(key, 'done:13'));
      if (done >= 1) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await first.close();
    const interrupted = await running;
    expect(interrupted.ok).toBe(false);
    expect(await world.redis.hget(key, 'status')).toBe('running');

    const second = world.pipeline();
    await second.startWorkers();
    const resumed = await second.runCycleNow({ jobId: 'graceful' });
    expect(resumed.ok).toBe(true);
    expect(resumed.instances).toBe(2_000);
    expectEachPostedOnce(world, expected);
  });
});
