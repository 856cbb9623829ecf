import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport, stopHttpThread } from '../../src/yeastar/transport.js';

const BIG = Buffer.from(JSON.stringify({ code: 'success', result: 'x'.repeat(120_000) }));
const SMALL = Buffer.from('{"code":"success","result":1}');

/** A local API: holds each answer `hold` ms and counts, per user agent, how many it holds at once. */
describe('transport: the API exchanges on the HTTP worker thread', () => {
  let server: Server;
  let baseUrl: string;
  const inFlight = new Map<string, number>();
  const peak = new Map<string, number>();
  const seen: Array<{ url: string; authorization: string | undefined }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const agent = req.headers['user-agent'] ?? '';
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
      inFlight.set(agent, (inFlight.get(agent) ?? 0) + 1);
      peak.set(agent, Math.max(peak.get(agent) ?? 0, inFlight.get(agent)!));
      const url = new URL(req.url ?? '/', 'http://localhost');
      setTimeout(
        () => {
          inFlight.set(agent, inFlight.get(agent)! - 1);
          if (url.pathname === '/busy') {
            res.writeHead(429, { 'retry-after': '7' }).end('{}');
            return;
          }
          const body = url.pathname === '/big' ? BIG : SMALL;
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
        },
        Number(url.searchParams.get('hold') ?? 0),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await stopHttpThread();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const transport = (userAgent: string, concurrency: number, now?: () => number) =>
    createTransport({ baseUrl, userAgent, timeoutMs: 5_000, concurrency, ...(now ? { now } : {}) });

  it('answers every request with its status, Retry-After and exact bytes, query and token as sent', async () => {
    const t = transport('bytes', 4);
    const [big, small, busy] = await Promise.all([
      t.get('big', { pageNo: '1' }, 'Bearer one'),
      t.get('small', { productId: '13', note: 'a b&c' }, 'Bearer two'),
      t.get('busy', {}, 'Bearer three'),
    ]);
    expect(big.statusCode).toBe(200);
    expect(big.body.equals(BIG)).toBe(true);
    expect(small.body.equals(SMALL)).toBe(true);
    expect(busy.statusCode).toBe(429);
    expect(busy.retryAfter).toBe('7');
    expect(seen).toContainEqual({ url: '/small?productId=13&note=a+b%26c', authorization: 'Bearer two' });
    expect(t.slotMs()).toBeGreaterThan(0);
  });

  it("keeps each client's own concurrency on the shared thread", async () => {
    const wide = transport('wide', 3);
    const narrow = transport('narrow', 1);
    const answers = await Promise.all([
      ...Array.from({ length: 12 }, () => wide.get('small', { hold: '15' }, 'Bearer w')),
      ...Array.from({ length: 4 }, () => narrow.get('small', { hold: '15' }, 'Bearer n')),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual(Array(16).fill(200));
    expect(peak.get('wide')).toBe(3);
    expect(peak.get('narrow')).toBe(1);
  });

  it('an urgent request goes out ahead of those waiting longer for the same client', async () => {
    const t = transport('urgent', 1);
    const first = t.get('small', { hold: '100' }, 'Bearer first');
    const page = t.get('small', {}, 'Bearer page');
    const lookUp = t.get('small', {}, 'Bearer look-up', true);
    await Promise.all([first, page, lookUp]);
    const order = seen
      .map((s) => s.authorization)
      .filter((a) => ['first', 'page', 'look-up'].includes(a?.slice(7) ?? ''));
    expect(order).toEqual(['Bearer first', 'Bearer look-up', 'Bearer page']);
  });

  it('a refused connection fails with got’s code and nothing of the request options', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const t = createTransport({
      baseUrl: `http://127.0.0.1:${port}`,
      userAgent: 'x',
      timeoutMs: 2_000,
      concurrency: 1,
    });
    const error = await t.get('small', {}, 'Bearer secret').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { code?: string }).code).toBe('ECONNREFUSED');
    expect(Object.keys(error as object)).not.toContain('options');
    expect(JSON.stringify(error) + String(error)).not.toContain('secret');
  });

  it('a stopped thread fails what it had in hand as EWORKER, and the next request starts a new one', async () => {
    const t = transport('restart', 2);
    const held = [t.get('small', { hold: '2000' }, 'Bearer r'), t.get('small', { hold: '2000' }, 'Bearer r')];
    await new Promise((resolve) => setTimeout(resolve, 100));
    await stopHttpThread();
    for (const result of await Promise.allSettled(held)) {
      expect(result.status).toBe('rejected');
      expect(((result as PromiseRejectedResult).reason as { code?: string }).code).toBe('EWORKER');
    }
    expect((await t.get('small', {}, 'Bearer r')).statusCode).toBe(200);
  });

  it('counts slot time left unused from this thread: none while the concurrency is in use', async () => {
    let t = 1_000;
    const tr = transport('idle', 2, () => t);
    t += 10;
    expect(tr.idleMs()).toBe(20); // two free slots for 10 ms
    const both = Promise.all([tr.get('small', { hold: '20' }, 'B'), tr.get('small', { hold: '20' }, 'B')]);
    t += 50; // both slots busy: nothing more is idle
    expect(tr.idleMs()).toBe(20);
    await both;
    t += 5;
    expect(tr.idleMs()).toBe(30);
  });

  it('does not keep a process alive once its requests are answered', async () => {
    // A child process that makes one request and then has nothing left to do must exit by itself:
    // a worker kept referenced would hang `npm run check` after its summary.
    const module = fileURLToPath(new URL('../../src/yeastar/transport.ts', import.meta.url));
    const script =
      `const { createTransport } = await import(${JSON.stringify(module)});` +
      `const t = createTransport({ baseUrl: ${JSON.stringify(baseUrl)}, userAgent: 'child', timeoutMs: 5000, concurrency: 1 });` +
      `const a = await t.get('small', {}, 'Bearer c'); console.log('status', a.statusCode);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(output.trim()).toBe('status 200');
    expect(code).toBe(0);
  }, 30_000);
});
