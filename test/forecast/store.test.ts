import { describe, expect, it } from 'vitest';
import {
  decodeSnapshot,
  encodeSnapshot,
  encodeSnapshotAsync,
  type ForecastSnapshot,
} from '../../src/forecast/snapshot.js';
import { createForecastStore, joinParts } from '../../src/forecast/store.js';
import { redisFixture } from '../helpers/redis.js';
import { BERLIN_SPRING_NOW, DAY, item, PORTAL } from './fixtures.js';

function part(items: ForecastSnapshot['items'], coversUntil: number, undated: Array<[string, number]> = []) {
  return encodeSnapshot({
    takenAt: BERLIN_SPRING_NOW,
    coversUntil,
    horizonDays: 98,
    portalUrl: PORTAL,
    items,
    undatedByCustomer: new Map(undated),
  });
}

describe('joining the pages’ parts into the snapshot', () => {
  it('keeps every item of every part once, in order, sums the undated, and covers only as far as every part', async () => {
    const a = item({ sn: 'A1', expiresAt: BERLIN_SPRING_NOW + 5 * DAY });
    const b = item({ sn: 'B1', expiresAt: BERLIN_SPRING_NOW + 2 * DAY, customer: 'Beacon' });
    const late = item({ sn: 'C1', expiresAt: BERLIN_SPRING_NOW + 200 * DAY });
    const parts = [
      part([a], BERLIN_SPRING_NOW + 99 * DAY, [['Acme Ltd', 1]]),
      part([b, late], BERLIN_SPRING_NOW + 98 * DAY, [
        ['Acme Ltd', 2],
        ['Beacon', 1],
      ]),
      ...Array.from({ length: 120 }, () => part([], BERLIN_SPRING_NOW + 99 * DAY)),
    ];
    const snapshot = await joinParts(parts, {
      takenAt: BERLIN_SPRING_NOW + DAY,
      timeZone: 'Europe/Berlin',
      horizonDays: 97,
      portalUrl: PORTAL,
    });
    expect(snapshot.items.map((i) => i.sn)).toEqual(['B1', 'A1']);
    expect(snapshot.undatedByCustomer).toEqual(
      new Map([
        ['Acme Ltd', 3],
        ['Beacon', 1],
      ]),
    );
    expect(snapshot.coversUntil).toBe(BERLIN_SPRING_NOW + 98 * DAY);
    expect(snapshot.takenAt).toBe(BERLIN_SPRING_NOW + DAY);
  });

  it('encodes off the main thread to the same snapshot', async () => {
    const snapshot: ForecastSnapshot = {
      takenAt: BERLIN_SPRING_NOW,
      coversUntil: BERLIN_SPRING_NOW + 98 * DAY,
      horizonDays: 97,
      portalUrl: PORTAL,
      items: [
        item({ sn: 'X1' }),
        item({ sn: 'X2', customer: 'Zoë, "Z" Ltd', kind: 'service', name: 'Recording' }),
      ],
      undatedByCustomer: new Map([['Zoë, "Z" Ltd', 4]]),
    };
    expect(decodeSnapshot(await encodeSnapshotAsync(snapshot))).toEqual(
      decodeSnapshot(encodeSnapshot(snapshot)),
    );
    expect(decodeSnapshot(await encodeSnapshotAsync(snapshot))).toEqual(snapshot);
  });
});

describe('the snapshot in Redis', () => {
  it('is committed once per cycle from its parts, and read again only when a new cycle wrote it', async () => {
    const fixture = await redisFixture('fstore');
    try {
      const store = createForecastStore({ redis: fixture.redis, prefix: fixture.prefix });
      const reader = createForecastStore({ redis: fixture.redis, prefix: fixture.prefix });
      const build = {
        takenAt: BERLIN_SPRING_NOW,
        timeZone: 'Europe/Berlin',
        horizonDays: 97,
        portalUrl: PORTAL,
      };
      expect(await reader.read()).toBeNull();
      await store.savePage('c1', 'p1', part([item({ sn: 'A1' })], BERLIN_SPRING_NOW + 99 * DAY));
      expect(await store.commit('c1', build)).toMatchObject({ written: true, items: 1 });
      // A retried end of the same cycle finds it written (its parts are gone).
      expect(await store.commit('c1', build)).toMatchObject({ written: false });
      const first = await reader.read();
      expect(first!.items.map((i) => i.sn)).toEqual(['A1']);
      expect(await reader.read()).toBe(first);
      await store.savePage('c2', 'p1', part([item({ sn: 'B1' })], BERLIN_SPRING_NOW + 99 * DAY));
      await store.commit('c2', build);
      expect((await reader.read())!.items.map((i) => i.sn)).toEqual(['B1']);
      expect(await fixture.redis.pttl(store.keys.snapshot)).toBe(-1);
    } finally {
      await fixture.close();
    }
  });
});
