import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSnapshotBuilder } from '../../src/forecast/collect.js';
import { compareItems } from '../../src/forecast/items.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  type ForecastSnapshot,
  ForecastSnapshotError,
} from '../../src/forecast/snapshot.js';
import { instance, service } from '../alerts/rules-fixtures.js';
import { arbItems, BERLIN_SPRING_NOW, DAY, HOUR, item, PORTAL } from './fixtures.js';

const TZ = 'Europe/Berlin';

function snapshotOf(items: ForecastSnapshot['items'], undated = new Map<string, number>()): ForecastSnapshot {
  return {
    takenAt: BERLIN_SPRING_NOW,
    coversUntil: BERLIN_SPRING_NOW + 100 * DAY,
    horizonDays: 97,
    portalUrl: PORTAL,
    items: [...items].sort(compareItems),
    undatedByCustomer: undated,
  };
}

function gz(value: unknown): Buffer {
  return gzipSync(JSON.stringify(value));
}

describe('snapshot encoding', () => {
  it('decodes to what was encoded, whatever the items', () => {
    fc.assert(
      fc.property(
        arbItems(BERLIN_SPRING_NOW - 400 * DAY, 800),
        fc.array(fc.tuple(fc.string(), fc.integer({ min: 1, max: 9 })), { maxLength: 4 }),
        (items, undated) => {
          const snapshot = snapshotOf(items, new Map(undated));
          expect(decodeSnapshot(encodeSnapshot(snapshot))).toEqual(snapshot);
        },
      ),
    );
  });

  it('decodes an empty snapshot', () => {
    const empty = snapshotOf([]);
    expect(decodeSnapshot(encodeSnapshot(empty))).toEqual(empty);
  });

  it('stores each repeated text once, and no portal link', () => {
    const customer = 'A very long customer name';
    const many = Array.from({ length: 200 }, (_, i) =>
      item({ sn: `SN${String(i).padStart(4, '0')}`, customer }),
    );
    const json = gunzipSync(encodeSnapshot(snapshotOf(many))).toString('utf8');
    expect(json.split(customer).length - 1).toBe(1);
    expect(json.split('Ultimate Plan').length - 1).toBe(1);
    expect(json).not.toContain('productNo=');
  });
});

describe('snapshot decoding refuses what it did not write', () => {
  const bytes = encodeSnapshot(snapshotOf([item(), item({ kind: 'service', name: 'Recording Minutes' })]));
  const good = JSON.parse(gunzipSync(bytes).toString('utf8'));
  const broken = (patch: (raw: typeof good) => void) => {
    const copy = structuredClone(good);
    patch(copy);
    return gz(copy);
  };

  it.each([
    ['bytes that are not gzip', Buffer.from('hello'), /not gzip data/],
    ['gzip that is not JSON', gzipSync('{"format":'), /not JSON inside/],
    ['a JSON array', gz([1, 2]), /the snapshot is not an object/],
    ['another format', broken((r) => (r.format = 'other')), /format is "other"/],
    ['another version', broken((r) => (r.v = 2)), /version 2; this bot reads version 1/],
    ['a missing string table', broken((r) => delete r.strings), /strings is not an array/],
    ['a short column', broken((r) => r.items.flags.pop()), /items\.flags has 1 entries, expected 2/],
    ['a string index out of range', broken((r) => (r.items.name[1] = 99)), /items\.name\[1\] is 99/],
    ['an unknown flag', broken((r) => (r.items.flags[0] = 4)), /items\.flags\[0\] is 4, outside 0\.\.3/],
    [
      'a fractional date',
      broken((r) => (r.items.expiresAtDelta[0] = 0.5)),
      /expiresAtDelta\[0\] is not a whole/,
    ],
    ['an item naming no instance', broken((r) => (r.items.instance[1] = 5)), /items\.instance\[1\] is 5/],
    [
      'an instance no item names',
      broken((r) => {
        for (const column of ['productId', 'productLine', 'customer']) r.instances[column].push(0);
        r.instances.sn.push('3658B43XXXXXXXXX');
      }),
      /items name 1 instances, the table has 2/,
    ],
    ['an odd undated list', broken((r) => (r.undated = [0])), /undated has an odd number/],
  ])('%s', (_, bytes, message) => {
    expect(() => decodeSnapshot(bytes)).toThrow(ForecastSnapshotError);
    expect(() => decodeSnapshot(bytes)).toThrow(message);
  });

  it('says it is a forecast snapshot in every message', () => {
    expect(() => decodeSnapshot(Buffer.from('x'))).toThrow(/^Unreadable forecast snapshot: /);
  });
});

describe('createSnapshotBuilder', () => {
  const options = { takenAt: BERLIN_SPRING_NOW, timeZone: TZ, horizonDays: 7, portalUrl: PORTAL };

  it('keeps what expires within the horizon in calendar days of the zone, and every overdue item', () => {
    const builder = createSnapshotBuilder(options);
    // Day 7 after Wednesday 24 March is Wednesday 31 March, after the change to summer time on the 28th:
    // the window ends at midnight starting 1 April in Berlin, 22:00 UTC on 31 March.
    const end = Date.UTC(2027, 2, 31, 22, 0, 0);
    const at = (expiresAt: number, name: string) =>
      instance({ productNo: name, planName: name, planExpireDate: expiresAt, serviceList: [] });
    builder.addInstance(at(end - 1, 'last-minute'), 'Line');
    builder.addInstance(at(end, 'one-day-too-late'), 'Line');
    builder.addInstance(at(BERLIN_SPRING_NOW - 900 * DAY, 'long-overdue'), 'Line');
    builder.addInstance(at(BERLIN_SPRING_NOW + HOUR, 'soon'), 'Line');
    const snapshot = builder.build();
    expect(snapshot.coversUntil).toBe(end);
    expect(snapshot.items.map((i) => i.name)).toEqual(['long-overdue', 'soon', 'last-minute']);
  });

  it('counts undated plans and services per customer', () => {
    const builder = createSnapshotBuilder(options);
    const undated = (company: string) =>
      instance({
        endUserInfo: { address: null, contactName: null, email: null, companyName: company },
        planExpireDate: null,
        serviceList: [service({ serviceExpireDate: null })],
      });
    builder.addInstance(undated('Acme'), 'Line');
    builder.addInstance(undated('Acme'), 'Line');
    builder.addInstance(undated('Beacon'), 'Line');
    expect(builder.build().undatedByCustomer).toEqual(
      new Map([
        ['Acme', 4],
        ['Beacon', 2],
      ]),
    );
  });

  it('refuses a horizon that is not a whole number of days', () => {
    expect(() => createSnapshotBuilder({ ...options, horizonDays: 1.5 })).toThrow(RangeError);
  });
});
