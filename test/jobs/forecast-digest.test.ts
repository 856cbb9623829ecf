import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { validateMessage } from '../../src/alerts/block-limits.js';
import { FORECAST_QUEUE, weekClaimKey } from '../../src/jobs/forecast-digest.js';
import { createWorld, DAY, type World } from './harness.js';

const FORECAST_CHANNEL = 'CFORECAST';

let world: World | undefined;
let queue: Queue | undefined;
afterEach(async () => {
  await queue?.close();
  queue = undefined;
  await world?.close();
  world = undefined;
});

async function waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the weekly renewal forecast', () => {
  it('is posted once per ISO week by two processes on one Redis, with a reply per week in its thread', async () => {
    world = await createWorld({
      sim: { instances: 300, attention: 8 },
      // Every second, so the test sees several runs of the schedule within the same week of the clock.
      env: { FORECAST_CRON: '* * * * * *', SLACK_FORECAST_CHANNEL: FORECAST_CHANNEL, POLL_EVERY: '1d' },
    });
    expect((await world.check()).code).toBe(0);
    const w = world;
    queue = new Queue(FORECAST_QUEUE, { connection: w.connect(), prefix: w.prefix });
    // The first attempt fails at its first post: its retry posts, and the other runs of the week do not.
    w.slack.failNext(1, 500, 'chat.postMessage');
    const first = w.pipeline();
    const second = w.pipeline();
    await Promise.all([first.start(), second.start()]);
    // Several runs of the schedule, shared by both processes.
    await waitUntil(async () => (await queue!.getCompletedCount()) >= 3, 'three runs of the weekly job');

    const failed = w.slack.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 500);
    expect(failed.map((c) => c.body.channel)).toEqual([FORECAST_CHANNEL]);
    const messages = w.slack.messages(FORECAST_CHANNEL);
    const top = messages.filter((m) => m.thread_ts === undefined);
    expect(top).toHaveLength(1);
    expect(top[0]!.text).toMatch(/^Forecast: \d+ renewals in the next 90 days/);
    expect(JSON.stringify(top[0]!.blocks)).toContain('Weekly renewal forecast · 2026-W48');
    const replies = messages.filter((m) => m.thread_ts === top[0]!.ts);
    expect(replies.length).toBeGreaterThan(3);
    for (const m of messages) expect(validateMessage(m)).toEqual([]);
    expect(replies[0]!.text).toMatch(/^(Overdue|W48 · )/);
    // The claim has a relative lifetime, never an absolute one from the app's clock.
    const ttl = await w.redis.pttl(weekClaimKey(w.prefix, '2026-W48'));
    expect(ttl).toBeGreaterThan(13 * 86_400_000);

    // A week later (the app's clock), the next week gets its own one post.
    w.clock.now += 7 * DAY;
    const done = await queue.getCompletedCount();
    await waitUntil(async () => (await queue!.getCompletedCount()) >= done + 3, 'three more runs');
    const tops = w.slack.messages(FORECAST_CHANNEL).filter((m) => m.thread_ts === undefined);
    expect(tops.map((m) => (JSON.stringify(m.blocks).match(/2026-W\d\d/) ?? [])[0])).toEqual([
      '2026-W48',
      '2026-W49',
    ]);
  });

  it('posts nothing before the first complete cycle, nor when FORECAST_CRON is empty', async () => {
    world = await createWorld({
      sim: { instances: 50 },
      // A poll schedule that does not run a cycle during the test.
      env: { FORECAST_CRON: '* * * * * *', SLACK_FORECAST_CHANNEL: FORECAST_CHANNEL, POLL_CRON: '0 0 1 1 *' },
    });
    const w = world;
    queue = new Queue(FORECAST_QUEUE, { connection: w.connect(), prefix: w.prefix });
    // No cycle has run: the scheduled job runs and finds no snapshot.
    const pipeline = w.pipeline();
    await pipeline.start();
    await waitUntil(async () => (await queue!.getCompletedCount()) >= 1, 'a run of the weekly job');
    expect(w.slack.messages(FORECAST_CHANNEL)).toEqual([]);
    await pipeline.close();

    const off = w.pipeline({ config: { ...w.config, forecast: { ...w.config.forecast, cron: undefined } } });
    await off.start();
    expect(await queue.getJobSchedulers()).toEqual([]);
  });
});
