import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeSlack, type FakeSlack } from '../../sim/fake-slack.js';
import { createSelfMonitor, findDrops } from '../../src/jobs/self-monitor.js';
import { silentLogger } from '../../src/logger.js';
import { YeastarAuthError } from '../../src/yeastar/errors.js';
import { redisFixture } from '../helpers/redis.js';

const line = (productId: string, instances: number) => ({ productId, name: `Line ${productId}`, instances });

describe('findDrops', () => {
  it('flags a line that lists fewer than half of its last good count', () => {
    expect(findDrops({ '13': 1000, '12': 100 }, [line('13', 10), line('12', 60)])).toEqual([
      { productId: '13', name: 'Line 13', before: 1000, now: 10 },
    ]);
  });
  it('does not judge small lines or lines without a baseline', () => {
    expect(findDrops({ '9': 10 }, [line('9', 0), line('11', 0)])).toEqual([]);
  });
});

describe('self-monitor', () => {
  let slack: FakeSlack;
  let fixture: Awaited<ReturnType<typeof redisFixture>>;
  const channel = 'COPS00001';

  beforeAll(async () => {
    slack = await createFakeSlack();
    fixture = await redisFixture('meta');
  });
  afterAll(async () => {
    await slack.close();
    await fixture.close();
  });

  const monitor = (prefix: string) =>
    createSelfMonitor({
      redis: fixture.redis,
      prefix,
      slack: new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } }),
      channel,
      failAfter: 3,
      logger: silentLogger(),
    });

  it('raises one alert after three failed cycles in a row and resolves it in place on success', async () => {
    slack.reset();
    const m = monitor(`${fixture.prefix}:a`);
    const boom = new Error('instance_product_list failed: 503');
    expect(await m.afterCycle({ cycleId: 'c1', ok: false, error: boom, complete: [] })).toEqual([]);
    expect(await m.afterCycle({ cycleId: 'c2', ok: false, error: boom, complete: [] })).toEqual([]);
    expect(slack.messages(channel)).toHaveLength(0);
    const problems = await m.afterCycle({ cycleId: 'c3', ok: false, error: boom, complete: [] });
    expect(problems.map((p) => p.kind)).toEqual(['cycle_failures']);
    await m.afterCycle({ cycleId: 'c4', ok: false, error: boom, complete: [] });
    const top = slack.messages(channel).filter((msg) => !msg.thread_ts);
    expect(top).toHaveLength(1);
    expect(top[0]!.text).toContain(
      '4 poll cycles in a row failed; the last: instance_product_list failed: 503',
    );

    await m.afterCycle({ cycleId: 'c5', ok: true, complete: [line('13', 100)] });
    const after = slack.messages(channel);
    expect(after.filter((msg) => !msg.thread_ts)).toHaveLength(1);
    expect(after[0]!.text).toBe('Yeastar renewal bot is healthy again');
    expect(after.filter((msg) => msg.thread_ts === after[0]!.ts).map((msg) => msg.text)).toEqual([
      'Resolved: cycle c5 succeeded.',
    ]);
    // Healthy again and quiet: a further good cycle posts nothing.
    const calls = slack.calls.length;
    await m.afterCycle({ cycleId: 'c6', ok: true, complete: [line('13', 100)] });
    expect(slack.calls.length).toBe(calls);
  });

  it('alerts at once when the credentials are refused', async () => {
    slack.reset();
    const m = monitor(`${fixture.prefix}:b`);
    const refused = new YeastarAuthError('Yeastar refused the client credentials: invalid_client', {
      endpoint: '/auth/openapi/v1/oauth/token',
      code: 'invalid_client',
    });
    const problems = await m.afterCycle({ cycleId: 'c1', ok: false, error: refused, complete: [] });
    expect(problems.map((p) => p.kind)).toEqual(['token']);
    expect(slack.messages(channel)[0]!.text).toContain('No API access token can be obtained');
  });

  it('raises the alert when a line drops to under half, and keeps the old baseline', async () => {
    slack.reset();
    const m = monitor(`${fixture.prefix}:c`);
    await m.afterCycle({ cycleId: 'c1', ok: true, complete: [line('13', 1000)] });
    expect(await m.drops([line('13', 10)])).toEqual([
      { productId: '13', name: 'Line 13', before: 1000, now: 10 },
    ]);
    const problems = await m.afterCycle({ cycleId: 'c2', ok: true, complete: [line('13', 10)] });
    expect(problems.map((p) => p.kind)).toEqual(['instance_drop']);
    expect(slack.messages(channel)[0]!.text).toContain('lists 10 instances, down from 1000');
    // Still dropped next cycle: the baseline was not lowered to 10.
    expect(await m.drops([line('13', 10)])).toHaveLength(1);
    await m.afterCycle({ cycleId: 'c3', ok: true, complete: [line('13', 990)] });
    expect(slack.messages(channel)[0]!.text).toBe('Yeastar renewal bot is healthy again');
  });
});
