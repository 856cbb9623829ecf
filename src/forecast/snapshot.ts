import { promisify } from 'node:util';
import { gunzipSync, gzip, gzipSync } from 'node:zlib';
import { portalLink } from '../alerts/render.js';
import { compareItems, type ForecastItem } from './items.js';

/**
 * The forecast items of one complete cycle as one compact value (one Redis string per cycle), so that
 * commands and the weekly digest answer without calling the API. Pure encode and decode.
 *
 * Layout (version 1): gzipped JSON. Every repeated text (product IDs and lines, customers, item names)
 * once in a string table; one column per field of an instance (SN, product ID, line, customer) and of an
 * item (instance, name, kind and auto-renewal as bit flags, expiry). Items are sorted by expiry and each
 * expiry is kept as the difference from the one before: a few digits where an epoch is thirteen.
 * Instances are numbered in the order their first item comes, so an item names its instance as 0 ("the
 * next new one") or as how many instances back it was. Portal links are not kept: they are rebuilt
 * from the portal's base URL, kept once. Gzip then takes out what is left of the repetition; with
 * 100,000 simulated instances the SNs, which are random, are most of what remains.
 */

const gzipAsync = promisify(gzip);

export const SNAPSHOT_FORMAT = 'yeastar-forecast';
export const SNAPSHOT_VERSION = 1;

export type ForecastSnapshot = {
  /** When the cycle that wrote it ended (the app's clock, epoch ms). */
  takenAt: number;
  /** Every item expiring before this instant is in the snapshot; later ones were left out. */
  coversUntil: number;
  /** The window it was built for, in calendar days after `takenAt`'s day. */
  horizonDays: number;
  /** `PORTAL_URL` when it was built: every item's link is made from it. */
  portalUrl: string;
  /** In `compareItems` order (by expiry first). */
  items: ForecastItem[];
  /** Plans and services without an expiry date, per customer. */
  undatedByCustomer: Map<string, number>;
};

export class ForecastSnapshotError extends Error {
  override name = 'ForecastSnapshotError';
  constructor(reason: string) {
    super(`Unreadable forecast snapshot: ${reason}`);
  }
}

const FLAG_SERVICE = 1;
/** The largest distance from 1970 a Date can hold, in ms. */
const MAX_TIME = 8.64e15;
const FLAG_AUTO_RENEW = 2;

type Encoded = {
  format: typeof SNAPSHOT_FORMAT;
  v: typeof SNAPSHOT_VERSION;
  takenAt: number;
  coversUntil: number;
  horizonDays: number;
  portalUrl: string;
  strings: string[];
  instances: { sn: string[]; productId: number[]; productLine: number[]; customer: number[] };
  /** `instance`: 0 for the next new instance, n for the instance n places before the next new one. */
  items: { instance: number[]; name: number[]; flags: number[]; expiresAtDelta: number[] };
  /** Pairs: customer (string index), count. */
  undated: number[];
};

function stringTable(): { strings: string[]; indexOf(text: string): number } {
  const strings: string[] = [];
  const index = new Map<string, number>();
  return {
    strings,
    indexOf(text) {
      let i = index.get(text);
      if (i === undefined) {
        i = strings.length;
        strings.push(text);
        index.set(text, i);
      }
      return i;
    },
  };
}

/**
 * The snapshot as bytes for one Redis value (write them as a Buffer, read them with `getBuffer`). An
 * instance (`productId:sn`) is stored once: its product line and customer are taken from its first
 * item, as `forecastItemsOf` gives every item of an instance the same ones.
 */
export function encodeSnapshot(snapshot: ForecastSnapshot): Buffer {
  return gzipSync(snapshotJson(snapshot));
}

/**
 * `encodeSnapshot` with the compression on libuv's thread pool: the end of a cycle encodes 100,000
 * instances' worth, and a synchronous gzip of it would hold up the slash commands' acks meanwhile.
 */
export function encodeSnapshotAsync(snapshot: ForecastSnapshot): Promise<Buffer> {
  return gzipAsync(snapshotJson(snapshot));
}

function snapshotJson(snapshot: ForecastSnapshot): string {
  const table = stringTable();
  const instances: Encoded['instances'] = { sn: [], productId: [], productLine: [], customer: [] };
  const items: Encoded['items'] = { instance: [], name: [], flags: [], expiresAtDelta: [] };
  const instanceIndex = new Map<string, number>();
  let previous = snapshot.takenAt;
  for (const item of [...snapshot.items].sort(compareItems)) {
    const key = `${item.productId}:${item.sn}`;
    let instance = instanceIndex.get(key);
    const isNew = instance === undefined;
    if (instance === undefined) {
      instance = instances.sn.length;
      instanceIndex.set(key, instance);
      instances.sn.push(item.sn);
      instances.productId.push(table.indexOf(item.productId));
      instances.productLine.push(table.indexOf(item.productLine));
      instances.customer.push(table.indexOf(item.customer));
    }
    items.instance.push(isNew ? 0 : instances.sn.length - instance);
    items.name.push(table.indexOf(item.name));
    items.flags.push((item.kind === 'service' ? FLAG_SERVICE : 0) | (item.autoRenew ? FLAG_AUTO_RENEW : 0));
    items.expiresAtDelta.push(item.expiresAt - previous);
    previous = item.expiresAt;
  }
  const undated: number[] = [];
  for (const [customer, count] of snapshot.undatedByCustomer) undated.push(table.indexOf(customer), count);
  const encoded: Encoded = {
    format: SNAPSHOT_FORMAT,
    v: SNAPSHOT_VERSION,
    takenAt: snapshot.takenAt,
    coversUntil: snapshot.coversUntil,
    horizonDays: snapshot.horizonDays,
    portalUrl: snapshot.portalUrl,
    strings: table.strings,
    instances,
    items,
    undated,
  };
  return JSON.stringify(encoded);
}

// --- decoding: every field checked, so a damaged or foreign value fails here with its path -------

function fail(reason: string): never {
  throw new ForecastSnapshotError(reason);
}

function recordAt(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${path} is not an object`);
  return value as Record<string, unknown>;
}

function intAt(value: unknown, path: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  if (!Number.isSafeInteger(value)) fail(`${path} is not a whole number`);
  const n = value as number;
  if (n < min || n > max) fail(`${path} is ${n}, outside ${min}..${max}`);
  return n;
}

function stringAt(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(`${path} is not a string`);
  return value;
}

function arrayAt(value: unknown, path: string, length?: number): unknown[] {
  if (!Array.isArray(value)) fail(`${path} is not an array`);
  if (length !== undefined && value.length !== length) {
    fail(`${path} has ${value.length} entries, expected ${length}`);
  }
  return value;
}

/** The path of a bad entry is only built when one is found: columns run to hundreds of thousands. */
function intColumn(value: unknown, path: string, length: number | undefined, min: number, max: number) {
  const column = arrayAt(value, path, length);
  for (let i = 0; i < column.length; i++) {
    const n = column[i];
    if (!Number.isSafeInteger(n) || (n as number) < min || (n as number) > max)
      intAt(n, `${path}[${i}]`, min, max);
  }
  return column as number[];
}

function stringColumn(value: unknown, path: string): string[] {
  const column = arrayAt(value, path);
  for (let i = 0; i < column.length; i++) {
    if (typeof column[i] !== 'string') stringAt(column[i], `${path}[${i}]`);
  }
  return column as string[];
}

function parseBytes(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = gunzipSync(bytes).toString('utf8');
  } catch (error) {
    return fail(`not gzip data (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    return fail(`not JSON inside the gzip data (${(error as Error).message})`);
  }
}

function readHeader(raw: Record<string, unknown>) {
  if (raw.format !== SNAPSHOT_FORMAT)
    fail(`format is ${JSON.stringify(raw.format)}, not "${SNAPSHOT_FORMAT}"`);
  if (raw.v !== SNAPSHOT_VERSION)
    fail(`version ${JSON.stringify(raw.v)}; this bot reads version ${SNAPSHOT_VERSION}`);
  return {
    takenAt: intAt(raw.takenAt, 'takenAt'),
    coversUntil: intAt(raw.coversUntil, 'coversUntil'),
    horizonDays: intAt(raw.horizonDays, 'horizonDays', 0),
    portalUrl: stringAt(raw.portalUrl, 'portalUrl'),
  };
}

type InstanceRow = {
  sn: string;
  productId: string;
  productLine: string;
  customer: string;
  portalUrl: string;
};

function readInstances(value: unknown, strings: string[], portalUrl: string): InstanceRow[] {
  const raw = recordAt(value, 'instances');
  const sn = stringColumn(raw.sn, 'instances.sn');
  const last = strings.length - 1;
  const productId = intColumn(raw.productId, 'instances.productId', sn.length, 0, last);
  const productLine = intColumn(raw.productLine, 'instances.productLine', sn.length, 0, last);
  const customer = intColumn(raw.customer, 'instances.customer', sn.length, 0, last);
  return sn.map((no, i) => {
    const id = strings[productId[i]!]!;
    return {
      sn: no,
      productId: id,
      productLine: strings[productLine[i]!]!,
      customer: strings[customer[i]!]!,
      portalUrl: portalLink(portalUrl, id, no),
    };
  });
}

function readItems(value: unknown, strings: string[], instances: InstanceRow[], takenAt: number) {
  const raw = recordAt(value, 'items');
  const instance = intColumn(raw.instance, 'items.instance', undefined, 0, instances.length);
  const count = instance.length;
  const name = intColumn(raw.name, 'items.name', count, 0, strings.length - 1);
  const flags = intColumn(raw.flags, 'items.flags', count, 0, FLAG_SERVICE | FLAG_AUTO_RENEW);
  const delta = intColumn(raw.expiresAtDelta, 'items.expiresAtDelta', count, -MAX_TIME, MAX_TIME);
  const items: ForecastItem[] = new Array(count);
  let expiresAt = takenAt;
  let introduced = 0;
  for (let i = 0; i < count; i++) {
    const back = instance[i]!;
    const at = back === 0 ? introduced++ : introduced - back;
    if (at < 0 || at >= instances.length) fail(`items.instance[${i}] is ${back}, which names no instance`);
    expiresAt += delta[i]!;
    if (Math.abs(expiresAt) > MAX_TIME)
      fail(`items.expiresAtDelta[${i}] leads outside the dates Date can hold`);
    const flag = flags[i]!;
    const owner = instances[at]!;
    // Spelled out, not spread: one object shape for every item, several times faster to build.
    items[i] = {
      sn: owner.sn,
      productId: owner.productId,
      productLine: owner.productLine,
      customer: owner.customer,
      name: strings[name[i]!]!,
      kind: flag & FLAG_SERVICE ? 'service' : 'plan',
      expiresAt,
      autoRenew: (flag & FLAG_AUTO_RENEW) !== 0,
      portalUrl: owner.portalUrl,
    };
  }
  if (introduced !== instances.length)
    fail(`items name ${introduced} instances, the table has ${instances.length}`);
  return items;
}

function readUndated(value: unknown, strings: string[]): Map<string, number> {
  const pairs = intColumn(value, 'undated', undefined, 0, Number.MAX_SAFE_INTEGER);
  if (pairs.length % 2 !== 0) fail('undated has an odd number of entries (customer, count pairs)');
  const undated = new Map<string, number>();
  for (let i = 0; i < pairs.length; i += 2) {
    const customer = strings[pairs[i]!];
    if (customer === undefined) fail(`undated[${i}] is ${pairs[i]}, not a string index`);
    undated.set(customer, (undated.get(customer) ?? 0) + pairs[i + 1]!);
  }
  return undated;
}

/** The snapshot `encodeSnapshot` wrote; a `ForecastSnapshotError` naming the first bad field otherwise. */
export function decodeSnapshot(bytes: Uint8Array): ForecastSnapshot {
  const raw = recordAt(parseBytes(bytes), 'the snapshot');
  const header = readHeader(raw);
  const strings = stringColumn(raw.strings, 'strings');
  const instances = readInstances(raw.instances, strings, header.portalUrl);
  const items = readItems(raw.items, strings, instances, header.takenAt);
  return { ...header, items, undatedByCustomer: readUndated(raw.undated, strings) };
}
