import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../sim/server.js';
import { call, getToken, LIST, listPage } from './http.js';

const PRODUCTS = '/pricing/openapi/purchase/v1/product_list';
const DETAIL = '/product/openapi/instance_product/v1/detail';

describe('simulator fault knobs', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  async function start(instances = 300): Promise<{ sim: Simulator; token: string }> {
    sim = await createSimulator({ instances });
    return { sim, token: await getToken(sim) };
  }

  it('failNext: the next n matching requests get the 5xx asked for, then normal answers return', async () => {
    const { sim, token } = await start();
    sim.failNext(2, { path: LIST });
    expect((await call(sim, PRODUCTS, token)).status).toBe(200); // another path is not affected
    const first = await call(sim, `${LIST}?productId=13`, token);
    expect(first.status).toBe(503);
    expect(first.envelope.status).toBe(503);
    expect((await call(sim, `${LIST}?productId=13`, token)).status).toBe(503);
    expect((await call(sim, `${LIST}?productId=13`, token)).status).toBe(200);

    sim.failNext(1, { status: 500 });
    const any = await call(sim, PRODUCTS, token);
    expect(any.status).toBe(500);
    expect(any.envelope.code).toBe('internal_server_error');
    sim.failNext(1, { status: 502 });
    const gateway = await call(sim, PRODUCTS, token);
    expect(gateway.status).toBe(502);
    expect(gateway.text).toContain('Bad Gateway');
  });

  it('rateLimitNext: HTTP 429 with Retry-After and too_many_requests', async () => {
    const { sim, token } = await start();
    sim.rateLimitNext(1, 7, { path: LIST });
    const limited = await call(sim, `${LIST}?productId=12`, token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.envelope).toMatchObject({ code: 'too_many_requests', status: 429 });
    expect((await call(sim, `${LIST}?productId=12`, token)).status).toBe(200);
  });

  it('malformNext: status 200 with a body that is not JSON', async () => {
    const { sim, token } = await start();
    sim.malformNext(1, { path: PRODUCTS });
    const broken = await call(sim, PRODUCTS, token);
    expect(broken.status).toBe(200);
    expect(() => JSON.parse(broken.text)).toThrow();
    expect(broken.text.length).toBeGreaterThan(0);
    const fine = await call(sim, PRODUCTS, token);
    expect(() => JSON.parse(fine.text)).not.toThrow();
  });

  it('serverErrorRate: 1 fails everything, 0.5 fails some (seeded), 0 none', async () => {
    const { sim, token } = await start();
    sim.setFaults({ serverErrorRate: 1 });
    for (let k = 0; k < 5; k++) expect([500, 502, 503]).toContain((await call(sim, PRODUCTS, token)).status);
    sim.setFaults({ serverErrorRate: 0.5 });
    const statuses: number[] = [];
    for (let k = 0; k < 40; k++) statuses.push((await call(sim, PRODUCTS, token)).status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(5);
    expect(statuses.filter((s) => s >= 500).length).toBeGreaterThan(5);
    sim.setFaults({ serverErrorRate: 0 });
    expect((await call(sim, PRODUCTS, token)).status).toBe(200);
    expect(() => sim.setFaults({ serverErrorRate: 2 })).toThrow(RangeError);
  });

  it('latency holds every answer back, and close() does not wait for held answers', async () => {
    const { sim, token } = await start();
    sim.setFaults({ latencyMs: 1_000 });
    // Only a lower bound: a slow machine makes the answer later, never earlier.
    const answer = call(sim, PRODUCTS, token).then(() => 'answer');
    const winner = await Promise.race([answer, new Promise((r) => setTimeout(() => r('timer'), 100))]);
    expect(winner).toBe('timer');
    expect(await answer).toBe('answer');
    const pending = call(sim, PRODUCTS, token).catch(() => 'closed');
    await new Promise((r) => setTimeout(r, 50));
    await sim.close();
    expect(await pending).toBe('closed');
    // afterEach closes again: closing twice must be harmless.
  });

  it('removeInstance via onPage between pages: later records move up, total shrinks', async () => {
    const { sim, token } = await start();
    const page1 = await listPage(sim, token, '13', 1, 10);
    const before = sim.listInstanceNos('13');
    const victim = before[12]!; // on page 2
    sim.onPage('13', 2, () => sim.removeInstance('13', victim));
    const page2 = await listPage(sim, token, '13', 2, 10);
    expect(page2.total).toBe(page1.total - 1);
    expect(page2.results.map((r) => r['productNo'])).toEqual(
      before.slice(10, 21).filter((sn) => sn !== victim),
    );
    expect(sim.listInstanceNos('13')).toEqual(before.filter((sn) => sn !== victim));
    const detail = await call(sim, `${DETAIL}?productId=13&productNo=${victim}`, token);
    expect(detail.envelope.code).toBe('product_not_found');
    expect(sim.getInstance('13', victim)).toBeUndefined();
    // The hook ran once: serving page 2 again removes nothing more.
    expect((await listPage(sim, token, '13', 2, 10)).total).toBe(page2.total);
  });

  it('corruptRecord serves that record without the field; the rest of the page is intact', async () => {
    const { sim, token } = await start();
    const sn = sim.listInstanceNos('11')[4]!;
    sim.corruptRecord('11', sn, 'productNo');
    const page = await listPage(sim, token, '11', 1, 10);
    expect(page.results).toHaveLength(10);
    expect(page.results[4]).not.toHaveProperty('productNo');
    expect(page.results[4]).toHaveProperty('planId');
    expect(page.results.filter((r) => !('productNo' in r))).toHaveLength(1);
    expect(sim.getInstance('11', sn)).not.toHaveProperty('productNo');
  });

  it('updateInstance changes what every endpoint serves (a renewal)', async () => {
    const { sim, token } = await start();
    const sn = sim.listInstanceNos('12')[0]!;
    const farAhead = Date.now() + 400 * 86_400_000;
    sim.updateInstance('12', sn, { planExpireDate: farAhead, planStatus: 'purchased' });
    const detail = await call(sim, `${DETAIL}?productId=12&productNo=${sn}`, token);
    expect(detail.envelope.result).toMatchObject({
      productNo: sn,
      planExpireDate: farAhead,
      planStatus: 'purchased',
    });
    const page = await listPage(sim, token, '12', 1, 5);
    expect(page.results[0]).toMatchObject({ planExpireDate: farAhead });
    expect(sim.getInstance('12', sn)?.planExpireDate).toBe(farAhead);
  });

  it('counts requests by path template and resets the counters', async () => {
    const { sim, token } = await start();
    await call(sim, PRODUCTS, token);
    await call(sim, `${LIST}?productId=9`, token);
    await call(sim, `/pricing/openapi/purchase/v1/renew/add_on_info/1?productId=9&productNo=x`, token);
    const stats = sim.stats();
    expect(stats.requests).toBe(4);
    expect(stats.byPath).toMatchObject({
      '/auth/openapi/v1/oauth/token': 1,
      [PRODUCTS]: 1,
      [LIST]: 1,
      '/pricing/openapi/purchase/v1/renew/add_on_info/{pricingServiceId}': 1,
    });
    expect(stats.answerMs).toBeGreaterThan(0);
    sim.resetStats();
    expect(sim.stats()).toEqual({ requests: 0, byPath: {}, tokensIssued: 0, refreshes: 0, answerMs: 0 });
  });
});
