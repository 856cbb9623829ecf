import { afterEach, describe, expect, it } from 'vitest';
import { forecastItemsOf } from '../../src/forecast/items.js';
import { decodeSnapshot } from '../../src/forecast/snapshot.js';
import { createForecastStore, forecastKeys } from '../../src/forecast/store.js';
import { windowEnd } from '../../src/forecast/window.js';
import { createYeastarClient } from '../../src/yeastar/client.js';
import { listKeys } from '../helpers/redis.js';
import { createWorld, DAY, type World } from './harness.js';

const LIST = '/product/openapi/instance_product/v1/client/instance_product_list';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** What the simulator serves now, as the forecast's items: every dated one before `until`. */
async function servedItems(w: World, until: number) {
  const client = createYeastarClient({
    baseUrl: w.sim.url,
    clientId: w.sim.credentials.clientId,
    clientSecret: w.sim.credentials.clientSecret,
    userAgent: 'OpenAPI',
    redis: w.redis,
    keyPrefix: `${w.prefix}:expect`,
  });
  const keys: string[] = [];
  let undated = 0;
  for (const line of await client.listProductLines()) {
    for await (const page of client.listInstances(line.productId)) {
      for (const instance of page.instances) {
        const forecast = forecastItemsOf(instance, line.name, w.config.portalUrl);
        undated += forecast.undated;
        for (const i of forecast.items) {
          if (i.expiresAt < until) keys.push(`${i.productId}:${i.sn}:${i.kind}:${i.name}:${i.expiresAt}`);
        }
      }
    }
  }
  return { keys: keys.sort(), undated };
}

describe('the forecast snapshot of a cycle', () => {
  it('is written at the end of a complete cycle with every due item the API listed, once, and no parts left', async () => {
    world = await createWorld({ sim: { instances: 300, attention: 8 }, env: { FORECAST_DAYS: '60' } });
    const store = createForecastStore({ redis: world.redis, prefix: world.prefix });
    expect(await store.read()).toBeNull();

    expect((await world.check()).code).toBe(0);
    const snapshot = await store.read();
    expect(snapshot).not.toBeNull();
    const until = windowEnd(world.clock.now, 'UTC', 60 + 7);
    expect(snapshot!.coversUntil).toBe(until);
    expect(snapshot!.takenAt).toBe(world.clock.now);
    const expected = await servedItems(world, until);
    const got = snapshot!.items.map((i) => `${i.productId}:${i.sn}:${i.kind}:${i.name}:${i.expiresAt}`);
    expect(got.length).toBeGreaterThan(20);
    expect(got.sort()).toEqual(expected.keys);
    expect([...snapshot!.undatedByCustomer.values()].reduce((a, b) => a + b, 0)).toBe(expected.undated);
    // The pages' parts went with the commit; the snapshot has no expiry of its own.
    expect(await listKeys(world.redis, `${world.prefix}:cycle:*:forecast`)).toEqual([]);
    expect(await world.redis.pttl(forecastKeys(world.prefix).snapshot)).toBe(-1);
  });

  it('is left as it was by a cycle that did not read every page', async () => {
    world = await createWorld({
      sim: { instances: 300, attention: 8 },
      tuning: { attempts: { poll: 3, scan: 1, enrich: 1, notify: 3 } },
    });
    expect((await world.check()).code).toBe(0);
    const key = forecastKeys(world.prefix).snapshot;
    const first = await world.redis.getBuffer(key);
    expect(first).not.toBeNull();

    // A renewal the next cycle would see, but one of its pages fails for good.
    const some = decodeSnapshot(first!).items[0]!;
    world.sim.updateInstance(some.productId, some.sn, { planExpireDate: world.clock.now + 900 * DAY });
    world.sim.failNext(200, { status: 503, path: LIST });
    world.clock.now += DAY;
    const partial = await world.check();
    expect(partial.code).toBe(1);
    expect(await world.redis.getBuffer(key)).toEqual(first);
    // Its parts are not the snapshot: they expire with the cycle's own keys.
    const parts = await listKeys(world.redis, `${world.prefix}:cycle:*:forecast`);
    for (const part of parts) expect(await world.redis.pttl(part)).toBeGreaterThan(0);
  });
});
