import { once } from 'node:events';
import { createConnection } from 'node:net';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlertStore } from '../../src/alerts/alert-store.js';
import type { AlertStore } from '../../src/alerts/types.js';
import { connectRedis, redisFixture, TEST_REDIS_URL } from '../helpers/redis.js';
import { evaluation, NOW, page } from './state-fixtures.js';

let fixture: Awaited<ReturnType<typeof redisFixture>>;
let extra: Redis[];
let onCleanup: (() => void)[];

beforeEach(async () => {
  fixture = await redisFixture('state-conc');
  extra = [];
  onCleanup = [];
});

afterEach(async () => {
  for (const cleanup of onCleanup) cleanup();
  await Promise.all(extra.map((r) => r.quit()));
  await fixture.close();
});

function connection(): Redis {
  const redis = connectRedis();
  extra.push(redis);
  return redis;
}

function storeOn(redis: Redis): AlertStore {
  return createAlertStore({ redis, prefix: fixture.prefix });
}

/**
 * MONITOR over a plain socket: ioredis' own monitor mode can lose track of its command queue on a busy
 * shared server. Keeps the command and arguments of every command sent by the client at `source`.
 */
async function monitorCommands(source: string): Promise<{ seen: string[][]; close: () => void }> {
  const url = new URL(TEST_REDIS_URL);
  const socket = createConnection({ host: url.hostname, port: Number(url.port || 6379) });
  await once(socket, 'connect');
  const seen: string[][] = [];
  let buffer = '';
  let ready: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    ready = resolve;
  });
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf('\r\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 2);
      newline = buffer.indexOf('\r\n');
      if (line === '+OK') ready();
      const match = /^\+[\d.]+ \[\d+ ([^\]]+)\] (.*)$/.exec(line);
      if (match?.[1] !== source) continue;
      seen.push([...(match[2] ?? '').matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? ''));
    }
  });
  if (url.password)
    socket.write(
      `AUTH ${decodeURIComponent(url.username || 'default')} ${decodeURIComponent(url.password)}\r\n`,
    );
  socket.write('MONITOR\r\n');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('MONITOR did not start')), 10_000);
  });
  await Promise.race([started, timeout]).finally(() => clearTimeout(timer));
  return { seen, close: () => socket.destroy() };
}

const MESSAGE = { channel: 'C123', ts: '1718450000.000100' };

describe('concurrent evaluators', () => {
  it('give exactly one post per instance when 8 evaluators decide the same page', async () => {
    const evaluations = page(1, 100, '7d');
    const stores = Array.from({ length: 8 }, () => storeOn(connection()));
    const results = await Promise.all(stores.map((s, i) => s.decide('c1', `eval-${i}`, evaluations, NOW)));

    const posts = results.flat().filter((d) => d.action === 'post');
    expect(posts).toHaveLength(100);
    expect(new Set(posts.map((d) => d.alertKey)).size).toBe(100);
    expect(results.flat().filter((d) => d.action !== 'post' && d.action !== 'nothing')).toEqual([]);

    // A retried job gets its own decisions back; the others still get nothing.
    for (const [i, store] of stores.entries()) {
      const again = await store.decide('c1', `eval-${i}`, evaluations, NOW + 1);
      expect(again.map((d) => d.action)).toEqual(results[i]?.map((d) => d.action));
    }
    expect((await stores[0]?.counts())?.total).toBe(100);
  });

  it('repeats a resolve for a retried evaluator only', async () => {
    const store = storeOn(fixture.redis);
    await store.decide('c1', 'a', [evaluation(1, '7d')], NOW);
    await store.setMessage(evaluation(1, null).alertKey, MESSAGE);
    const [first] = await store.decide('c2', 'a', [evaluation(1, null)], NOW + 1);
    const [retry] = await store.decide('c2', 'a', [evaluation(1, null)], NOW + 2);
    const [other] = await store.decide('c2', 'b', [evaluation(1, null)], NOW + 2);
    expect(first).toMatchObject({ action: 'resolve', resolveReason: 'renewed', message: MESSAGE });
    expect(retry).toMatchObject({ action: 'resolve', resolveReason: 'renewed', message: MESSAGE });
    expect(other?.action).toBe('nothing');
  });

  it('does not re-post after a restart (new store, new connection, same prefix)', async () => {
    const before = storeOn(fixture.redis);
    const evaluations = page(1, 5, '14d');
    await before.decide('c1', 'w1', evaluations, NOW);
    for (const e of evaluations) await before.setMessage(e.alertKey, MESSAGE);

    const after = storeOn(connection());
    const decisions = await after.decide('c2', 'w9', evaluations, NOW + 60_000);
    expect(decisions.map((d) => d.action)).toEqual(Array(5).fill('nothing'));
    expect(decisions.map((d) => d.message)).toEqual(Array(5).fill(MESSAGE));
  });
});

describe('acknowledge race', () => {
  it('lets exactly one of 10 concurrent clicks win and names the winner to the others', async () => {
    await storeOn(fixture.redis).decide('c1', 'w1', [evaluation(1, '7d')], NOW);
    const key = evaluation(1, null).alertKey;
    const stores = Array.from({ length: 10 }, () => storeOn(connection()));
    const results = await Promise.all(stores.map((s, i) => s.acknowledge(key, `U${i}`, NOW + i)));

    const done = results.filter((r) => r.outcome === 'done');
    expect(done).toHaveLength(1);
    const winner = done[0]?.record?.acknowledgedBy;
    expect(winner).toMatch(/^U\d$/);
    const others = results.filter((r) => r.outcome === 'already');
    expect(others).toHaveLength(9);
    for (const r of others) expect(r.record?.acknowledgedBy).toBe(winner);
  });
});

describe('round trips', () => {
  it('sends one command per decide of a page of 100', async () => {
    const conn = connection();
    const store = storeOn(conn);
    // Warm the script cache so the count shows the steady state (EVALSHA, not the first call's EVAL).
    await store.decide('c0', 'w1', page(1, 1, '7d'), NOW);

    const info = String(await conn.call('CLIENT', ['INFO']));
    const source = /\baddr=(\S+)/.exec(info)?.[1];
    expect(source).toBeDefined();

    const monitor = await monitorCommands(String(source));
    onCleanup.push(() => monitor.close());
    const waitFor = async (marker: string) => {
      const deadline = Date.now() + 10_000;
      const isMarker = (a: string[]) => a[0]?.toLowerCase() === 'echo' && a[1] === marker;
      while (!monitor.seen.some(isMarker) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const at = monitor.seen.findIndex(isMarker);
      if (at < 0) throw new Error(`monitor never saw ${marker}`);
      return at;
    };

    await conn.echo('start');
    const start = await waitFor('start');
    const decisions = await store.decide('c1', 'w1', [...page(1, 50, '7d'), ...page(51, 50, null)], NOW);
    await conn.echo('end');
    const end = await waitFor('end');

    expect(decisions).toHaveLength(100);
    const commands = monitor.seen.slice(start + 1, end).map((a) => a[0]?.toLowerCase());
    expect(commands).toEqual(['evalsha']);
  });
});
