import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, type SimOptions, type Simulator } from '../../sim/server.js';
import { call, getToken, LIST, type Reply } from './http.js';

/**
 * The simulator keeps rendered instance-list pages and serves them again: a client must not be able to
 * tell, whatever changed in between and whatever fault it was told to get.
 */

const DETAIL = '/product/openapi/instance_product/v1/detail';
const LINES = ['13', '12', '11', '9'];
const BASE: SimOptions = { instances: 2000, seed: 5, anchorMs: Date.UTC(2026, 0, 15), examples: true };

type Page = { count: number; total: number; totalPage: number; results: Record<string, unknown>[] };

/** The body with its requestId blanked: the one part of an answer that must differ every time. */
const sameBut = (reply: Reply) => reply.text.replace(/"requestId":"[0-9a-f]{32}"/, '"requestId":""');

const started: Simulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sim) => sim.close()));
});

async function start(options: SimOptions = {}): Promise<{ sim: Simulator; token: string }> {
  const sim = await createSimulator({ ...BASE, ...options });
  started.push(sim);
  return { sim, token: await getToken(sim) };
}

async function list(sim: Simulator, token: string, productId: string, pageNo: number, pageSize = 100) {
  const reply = await call(
    sim,
    `${LIST}?productId=${productId}&pageNo=${pageNo}&pageSize=${pageSize}`,
    token,
  );
  expect(reply.status, reply.text.slice(0, 200)).toBe(200);
  return { reply, page: reply.envelope.result as Page };
}

/** A list page served twice, so that the second answer comes from the cache. */
async function warm(sim: Simulator, token: string, productId: string, pageNo: number, pageSize = 100) {
  await list(sim, token, productId, pageNo, pageSize);
  const hits = sim.pageCacheStats().hits;
  const again = await list(sim, token, productId, pageNo, pageSize);
  expect(sim.pageCacheStats().hits).toBe(hits + 1);
  return again;
}

describe('simulator page cache: what a client sees', () => {
  it('serves a cached page byte for byte as an uncached one, with a fresh requestId each time', async () => {
    const { sim, token } = await start();
    const plain = await start({ pageCacheBytes: 0 });
    const asked: Array<[string, number, number]> = [
      ['13', 1, 100], // the two example records at the head
      ['13', 9, 100], // the partial last page
      ['12', 2, 25],
      ['11', 99, 100], // past the end
      ['7', 1, 100], // not a product line
    ];
    for (const line of LINES) for (let pageNo = 1; pageNo <= 3; pageNo++) asked.push([line, pageNo, 100]);
    let bare = 0;
    for (const [productId, pageNo, pageSize] of asked) {
      const first = await list(sim, token, productId, pageNo, pageSize);
      const hits = sim.pageCacheStats().hits;
      const cached = await list(sim, token, productId, pageNo, pageSize);
      expect(sim.pageCacheStats().hits).toBe(hits + 1);
      const uncached = await list(plain.sim, plain.token, productId, pageNo, pageSize);
      expect(sameBut(cached.reply)).toBe(sameBut(uncached.reply));
      expect(sameBut(first.reply)).toBe(sameBut(cached.reply));
      expect(cached.reply.headers.get('content-length')).toBe(uncached.reply.headers.get('content-length'));
      expect(cached.reply.envelope.requestId).toMatch(/^[0-9a-f]{32}$/);
      expect(cached.reply.envelope.requestId).not.toBe(first.reply.envelope.requestId);
      expect(cached.reply.text).toMatch(
        /^\{"code":"success","detailMessage":"","requestId":"[0-9a-f]{32}","result":\{"count":\d+,.*,"status":200\}$/s,
      );
      if (/"planId":\d/.test(cached.reply.text)) bare++;
    }
    expect(bare).toBeGreaterThan(0); // a 19-digit planId went out as a bare number on some cached page
    expect(plain.sim.pageCacheStats()).toMatchObject({ pages: 0, bytes: 0, hits: 0 });
  });

  it('a cached page holds exactly what detail, serialised on its own, says of each record', async () => {
    const { sim, token } = await start();
    let checked = 0;
    for (const line of LINES) {
      for (let pageNo = 1; pageNo <= 4; pageNo++) {
        const { reply, page } = await warm(sim, token, line, pageNo, 25);
        // Only the pages with something special: the example records or a bare 19-digit planId.
        if (!(line === '13' && pageNo === 1) && !/"planId":\d/.test(reply.text)) continue;
        const records: string[] = [];
        for (const record of page.results) {
          const detail = await call(
            sim,
            `${DETAIL}?productId=${line}&productNo=${record['productNo']}`,
            token,
          );
          const body = sameBut(detail);
          const head = '{"code":"success","detailMessage":"","requestId":"","result":';
          expect(body.startsWith(head) && body.endsWith(',"status":200}')).toBe(true);
          records.push(body.slice(head.length, -',"status":200}'.length));
        }
        const { count, total, totalPage } = page;
        const result = `{"count":${count},"pageNo":${pageNo},"pageSize":25,"results":[${records.join(',')}],"total":${total},"totalPage":${totalPage}}`;
        expect(sameBut(reply)).toBe(
          `{"code":"success","detailMessage":"","requestId":"","result":${result},"status":200}`,
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });
});

describe('simulator page cache: changes show on the next answer', () => {
  it('updateInstance: the patched record, on every page size that holds it', async () => {
    const { sim, token } = await start();
    const { page } = await warm(sim, token, '12', 2);
    await warm(sim, token, '12', 5, 25); // records 100–124: page 2's first quarter
    const target = page.results[10]!['productNo'] as string;
    sim.updateInstance('12', target, { planExpireDate: 1_234_567_890_000, planStatus: 'expired' });
    const after = (await list(sim, token, '12', 2)).page.results[10]!;
    expect(after).toMatchObject({
      productNo: target,
      planExpireDate: 1_234_567_890_000,
      planStatus: 'expired',
    });
    const small = (await list(sim, token, '12', 5, 25)).page.results[10];
    expect(small).toMatchObject({
      productNo: target,
      planExpireDate: 1_234_567_890_000,
      planStatus: 'expired',
    });
  });

  it('removeInstance: the record is gone, the rest move up a place and the counts drop', async () => {
    const { sim, token } = await start();
    const before = (await warm(sim, token, '11', 1)).page;
    const nextBefore = (await warm(sim, token, '11', 2)).page;
    const gone = before.results[0]!['productNo'];
    sim.removeInstance('11', gone as string);
    const after = (await list(sim, token, '11', 1)).page;
    expect(after.total).toBe(before.total - 1);
    expect(after.count).toBe(before.count - 1);
    expect(after.results.map((r) => r['productNo'])).not.toContain(gone);
    expect(after.results[0]!['productNo']).toBe(before.results[1]!['productNo']);
    expect(after.results.at(-1)!['productNo']).toBe(nextBefore.results[0]!['productNo']);
    const nextAfter = (await list(sim, token, '11', 2)).page;
    expect(nextAfter.results[0]!['productNo']).toBe(nextBefore.results[1]!['productNo']);
  });

  it('removeInstance of an example record', async () => {
    const { sim, token } = await start();
    const before = (await warm(sim, token, '13', 1)).page;
    sim.removeInstance('13', '3658B4311196UZ4A');
    const after = (await list(sim, token, '13', 1)).page;
    expect(after.total).toBe(before.total - 1);
    expect(after.results[0]!['productNo']).toBe('3658B4311196WEFY');
  });

  it('corruptRecord: the field is missing from the record', async () => {
    const { sim, token } = await start();
    const { page } = await warm(sim, token, '9', 1);
    const target = page.results[4]!;
    expect(target).toHaveProperty('planExpireDate');
    sim.corruptRecord('9', target['productNo'] as string, 'planExpireDate');
    const after = (await list(sim, token, '9', 1)).page.results[4]!;
    expect(after['productNo']).toBe(target['productNo']);
    expect(after).not.toHaveProperty('planExpireDate');
    expect(Object.keys(after)).toHaveLength(Object.keys(target).length - 1);
  });

  it('onPage: a hook that changes the data shows in the very answer it ran before', async () => {
    const { sim, token } = await start();
    const { page } = await warm(sim, token, '13', 2);
    const sn = page.results[0]!['productNo'] as string;
    let ran = 0;
    sim.onPage('13', 2, () => {
      ran++;
      sim.updateInstance('13', sn, { comment: 'changed by the hook' });
    });
    const after = (await list(sim, token, '13', 2)).page;
    expect(ran).toBe(1);
    expect(after.results[0]).toMatchObject({ productNo: sn, comment: 'changed by the hook' });
    const cached = (await warm(sim, token, '13', 2)).page;
    expect(cached.results[0]).toMatchObject({ comment: 'changed by the hook' });
    expect(ran).toBe(1);
  });

  it('a change after prerender shows too', async () => {
    const { sim, token } = await start();
    await sim.prerender(100);
    const before = (await list(sim, token, '12', 5)).page;
    const target = before.results.at(-1)!['productNo'] as string;
    sim.updateInstance('12', target, { quantity: '999' });
    expect((await list(sim, token, '12', 5)).page.results.at(-1)).toMatchObject({ quantity: '999' });
  });
});

describe('simulator page cache: faults still apply to cached pages', () => {
  it('malformNext cuts a cached body where it cut an uncached one', async () => {
    const { sim, token } = await start();
    const plain = await start({ pageCacheBytes: 0 });
    const path = `${LIST}?productId=13&pageNo=1&pageSize=100`;
    const whole = (await warm(sim, token, '13', 1)).reply;
    expect(whole.text.length).toBeLessThan(Buffer.byteLength(whole.text)); // accents: bytes ≠ characters
    sim.malformNext(1, { path: LIST });
    plain.sim.malformNext(1, { path: LIST });
    const broken = await call(sim, path, token);
    const brokenPlain = await call(plain.sim, path, plain.token);
    expect(broken.status).toBe(200);
    expect(() => JSON.parse(broken.text)).toThrow();
    expect(broken.text.length).toBe(Math.floor(whole.text.length / 2));
    expect(sameBut(broken)).toBe(sameBut(brokenPlain));
    expect(sameBut(whole).startsWith(sameBut(broken))).toBe(true);
    expect(sameBut(await call(sim, path, token))).toBe(sameBut(whole));
  });

  it('failNext, rateLimitNext, revoked tokens and latency', async () => {
    const { sim, token } = await start();
    await warm(sim, token, '12', 1);
    const path = `${LIST}?productId=12&pageNo=1&pageSize=100`;
    sim.failNext(1, { path: LIST });
    expect((await call(sim, path, token)).status).toBe(503);
    sim.rateLimitNext(1, 3, { path: LIST });
    const limited = await call(sim, path, token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    sim.setFaults({ latencyMs: 150 });
    const t0 = performance.now();
    expect((await call(sim, path, token)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    sim.setFaults({ latencyMs: 0 });
    sim.revokeTokens();
    const expired = await call(sim, path, token);
    expect(expired.status).toBe(401);
    expect(expired.envelope.code).toBe('token_expired');
  });
});

describe('simulator page cache: budget and prerender', () => {
  it('keeps no more than its byte budget, then serves the rest uncached and still right', async () => {
    const budget = 250_000; // two 100-record pages (~115 kB each), not three
    const { sim, token } = await start({ pageCacheBytes: budget });
    const plain = await start({ pageCacheBytes: 0 });
    for (let pageNo = 1; pageNo <= 5; pageNo++) {
      const { reply } = await list(sim, token, '13', pageNo);
      expect(sameBut(reply)).toBe(sameBut((await list(plain.sim, plain.token, '13', pageNo)).reply));
    }
    const held = sim.pageCacheStats();
    expect(held.bytes).toBeLessThanOrEqual(budget);
    expect(held.pages).toBe(2);
    // Full means the first pages stay, not that the latest push them out.
    await list(sim, token, '13', 1);
    expect(sim.pageCacheStats().hits).toBe(held.hits + 1);
    const late = await list(sim, token, '13', 5);
    expect(sim.pageCacheStats().hits).toBe(held.hits + 1);
    expect(sameBut(late.reply)).toBe(sameBut((await list(plain.sim, plain.token, '13', 5)).reply));
  });

  it('pageCacheBytes 0: nothing kept, prerender included, every answer right', async () => {
    const { sim, token } = await start({ pageCacheBytes: 0 });
    const reference = await start();
    await sim.prerender(100);
    for (let round = 0; round < 2; round++) {
      const { reply } = await list(sim, token, '11', 2);
      expect(sameBut(reply)).toBe(sameBut((await list(reference.sim, reference.token, '11', 2)).reply));
    }
    expect(sim.pageCacheStats()).toEqual({ pages: 0, bytes: 0, hits: 0 });
  });

  it('prerender fills every page of every line, and a client walking them gets only cached answers', async () => {
    const { sim, token } = await start();
    const plain = await start({ pageCacheBytes: 0 });
    await sim.prerender(100);
    const filled = sim.pageCacheStats();
    let pages = 0;
    let records = 0;
    for (const line of LINES) {
      for (let pageNo = 1; ; pageNo++) {
        const { reply, page } = await list(sim, token, line, pageNo);
        expect(sameBut(reply)).toBe(sameBut((await list(plain.sim, plain.token, line, pageNo)).reply));
        pages++;
        records += page.results.length;
        if (pageNo >= page.totalPage) break;
      }
    }
    expect(records).toBe(2000 + 2);
    expect(filled.pages).toBe(pages);
    expect(sim.pageCacheStats()).toEqual({ ...filled, hits: pages });
    await sim.prerender(500); // served as 100 a page: nothing new to render
    expect(sim.pageCacheStats().pages).toBe(pages);
  });

  it('prerender stops at the budget and refuses a page size that is not a positive integer', async () => {
    const { sim } = await start({ pageCacheBytes: 400_000 });
    await sim.prerender(100);
    const { pages, bytes } = sim.pageCacheStats();
    expect(bytes).toBeLessThanOrEqual(400_000);
    expect(pages).toBe(3);
    await expect(sim.prerender(0)).rejects.toThrow(RangeError);
    await expect(sim.prerender(2.5)).rejects.toThrow(RangeError);
  });
});
