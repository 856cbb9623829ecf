import { got } from 'got';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type SimOptions, type Simulator } from '../../sim/server.js';
import { createLogger } from '../../src/logger.js';
import { createYeastarClient, ENDPOINTS, type YeastarClientOptions } from '../../src/yeastar/client.js';
import {
  YeastarApiError,
  YeastarAuthError,
  YeastarResponseError,
  YeastarTransportError,
} from '../../src/yeastar/errors.js';
import type { InstancePage } from '../../src/yeastar/types.js';
import { freePort } from '../helpers/ports.js';
import { redisFixture, uniquePrefix } from '../helpers/redis.js';

const USER_AGENT = 'yeastar-renewal-bot-test/1.0';
const LIST_PATH = ENDPOINTS.instanceList;

let fx: Awaited<ReturnType<typeof redisFixture>>;
let sim: Simulator | undefined;
/** Every log line any client of this file wrote, at debug level: checked for secrets at the end. */
const logLines: string[] = [];
/** Every secret the tests saw: none may appear in a log line. */
const secrets = new Set<string>();

beforeAll(async () => {
  fx = await redisFixture('client');
});
afterAll(async () => {
  await fx.close();
});
afterEach(async () => {
  if (sim) {
    const keys = await fx.redis.keys(`${fx.prefix}*:yeastar:token`);
    for (const key of keys) {
      const stored = await fx.redis.hgetall(key);
      if (stored['token']) secrets.add(stored['token']);
      if (stored['refreshToken']) secrets.add(stored['refreshToken']);
    }
    secrets.add(sim.credentials.clientSecret);
    await sim.close();
    sim = undefined;
  }
});

async function startSim(options: SimOptions = {}): Promise<Simulator> {
  sim = await createSimulator({ instances: 200, ...options });
  return sim;
}

function captureLogger(into: string[] = logLines) {
  return createLogger({
    level: 'debug',
    destination: {
      write(line: string) {
        into.push(line);
        if (into !== logLines) logLines.push(line);
      },
    },
  });
}

type Harness = { sleeps: number[]; keyPrefix: string };

function client(overrides: Partial<YeastarClientOptions> = {}, harness: Partial<Harness> = {}) {
  const s = sim!;
  const sleeps = harness.sleeps ?? [];
  const keyPrefix = harness.keyPrefix ?? `${fx.prefix}:${uniquePrefix('c')}`;
  const c = createYeastarClient({
    baseUrl: s.url,
    clientId: s.credentials.clientId,
    clientSecret: s.credentials.clientSecret,
    userAgent: USER_AGENT,
    redis: fx.redis,
    keyPrefix,
    logger: captureLogger(),
    retry: { attempts: 5, baseDelayMs: 5, maxDelayMs: 20 },
    // Records the wait the client asked for and waits a token amount, so tests stay fast.
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5)));
    },
    ...overrides,
  });
  return { client: c, sleeps, keyPrefix };
}

async function collect(pages: AsyncIterable<InstancePage>): Promise<InstancePage[]> {
  const out: InstancePage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

function firstWithServices(s: Simulator, productId: string): string {
  const no = s
    .listInstanceNos(productId)
    .find((n) => (s.getInstance(productId, n)?.serviceList.length ?? 0) > 0);
  if (!no) throw new Error(`no instance of ${productId} with services`);
  return no;
}

describe('every endpoint against the simulator', () => {
  it('product lines: the four lines with their names, productId as a string', async () => {
    await startSim();
    const { client: c } = client();
    const lines = await c.listProductLines();
    expect(lines.map((l) => l.productId).sort()).toEqual(['11', '12', '13', '9']);
    expect(lines.find((l) => l.productId === '12')?.name).toBe('P-Series Software Edition');
  });

  it('instance pages, one instance by SN, and a missing SN as null', async () => {
    await startSim({ examples: true });
    const { client: c } = client();
    const page = await c.getInstancePage('13', 1, 10);
    expect(page.productId).toBe('13');
    expect(page.instances.length).toBe(10);
    expect(page.total).toBe(sim!.listInstanceNos('13').length);
    expect(page.totalPage).toBe(Math.ceil(page.total / 10));
    expect(page.requestId).toMatch(/^[0-9a-f]{32}$/);

    const example = await c.getInstance('13', '3658B4311196WEFY');
    expect(example).toMatchObject({
      productId: '13',
      productNo: '3658B4311196WEFY',
      planStatus: 'switching',
      nextPlan: 'Enterprise Plan',
      nextPlanStartDate: 1736390177000,
      endUserInfo: { companyName: 'PCE Customer Test Company' },
      serviceList: [{ serviceId: '3048573759449317376', serviceExpireDate: 1713421999000 }],
    });

    const listed = page.instances[3]!;
    expect(await c.getInstance('13', listed.productNo)).toEqual(listed);
    expect(await c.getInstance('13', '3658B43NOSUCHSN')).toBeNull();
    expect(c.stats().byEndpoint[ENDPOINTS.instanceDetail]).toMatchObject({ calls: 3, errors: 0 });
  });

  it('purchase info, then the renewal info of its plan and of a service', async () => {
    await startSim();
    const { client: c } = client();
    const productNo = firstWithServices(sim!, '11');
    const instance = await c.getInstance('11', productNo);
    const info = await c.getPurchaseInfo('11', productNo);
    const plan = info.purchasePlanInfoList.find((p) => p.planId === instance!.planId);
    expect(plan?.pricingPlanId).toMatch(/^\d+$/);
    const serviceId = instance!.serviceList[0]!.serviceId;
    const service = info.purchaseServiceInfoList.find((s) => s.serviceId === serviceId);
    expect(service?.pricingServiceId).toMatch(/^\d+$/);

    const serviceRenewal = await c.getServiceRenewalInfo(service!.pricingServiceId, '11', productNo);
    expect(serviceRenewal.pricingServiceId).toBe(service!.pricingServiceId);
    expect(serviceRenewal.serviceId).toBe(serviceId);
    expect(serviceRenewal.billingCycleList.length).toBeGreaterThan(0);

    const planRenewal = await c.getPlanRenewalInfo(plan!.pricingPlanId, '11', productNo);
    expect(planRenewal.pricingPlanId).toBe(plan!.pricingPlanId);
    expect(planRenewal.connectionServiceList).toEqual([]);

    const unknown = await c.getServiceRenewalInfo('999999999', '11', productNo).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(YeastarApiError);
    expect((unknown as YeastarApiError).code).toBe('service_not_found');
    expect((unknown as YeastarApiError).endpoint).toBe(ENDPOINTS.serviceRenewal);
  });

  it('the activation code of a Software Edition, which never reaches a log line or an error', async () => {
    await startSim();
    const lines: string[] = [];
    const { client: c } = client({ logger: captureLogger(lines) });
    const productNo = sim!.listInstanceNos('12')[0]!;
    const code = await c.getActivationCode(productNo);
    expect(code.code.length).toBeGreaterThan(8);
    expect(typeof code.generateTime).toBe('number');
    secrets.add(code.code);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(code.code);

    const missing = await c.getActivationCode('3658B43NOSUCHSN').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(YeastarApiError);
    expect((missing as YeastarApiError).code).toBe('product_not_found');
  });
});

describe('paging', () => {
  it('10,000 instances over pages of 100, tokens revoked mid-way: every SN exactly once', async () => {
    await startSim({ instances: 10_000, attention: 0 });
    const { client: c } = client();
    const lines = await c.listProductLines();
    const seen = new Map<string, number>();
    const planIds = new Map<string, [string, string | null]>();
    let revoked = 0;
    sim!.onPage('13', 7, () => {
      sim!.revokeTokens();
      revoked++;
    });
    for (const line of lines) {
      for await (const page of c.listInstances(line.productId, { pageSize: 100 })) {
        expect(page.pageSize).toBe(100);
        for (const instance of page.instances) {
          seen.set(instance.productNo, (seen.get(instance.productNo) ?? 0) + 1);
          planIds.set(instance.productNo, [line.productId, instance.planId]);
        }
      }
    }
    expect(revoked).toBe(1);
    expect(seen.size).toBe(10_000);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // Some records carry planId as a bare 19-digit number: every planId must still be exact.
    for (const [productNo, [productId, planId]] of planIds) {
      expect(planId).toBe(sim!.getInstance(productId, productNo)!.planId);
    }
    expect(c.stats().skippedRecords).toBe(0);
    const expected = lines.flatMap((l) => sim!.listInstanceNos(l.productId));
    expect(new Set(expected)).toEqual(new Set(seen.keys()));
    // One renewal after the revocation (a refresh), and exactly one repeated page request.
    expect(sim!.stats().refreshes).toBe(1);
    const stats = c.stats();
    expect(stats.byEndpoint[LIST_PATH]?.errors).toBe(0);
    expect(stats.byEndpoint[LIST_PATH]?.calls).toBe(sim!.stats().byPath[LIST_PATH]! - 1);
  });

  it('follows the totalPage each answer gives when the list shrinks between pages', async () => {
    await startSim({ instances: 400 });
    const { client: c } = client();
    const nos = sim!.listInstanceNos('12');
    expect(nos.length).toBeGreaterThan(40);
    // Just before page 2 is served, all but the first 20 instances disappear: page 2 is then the last.
    sim!.onPage('12', 2, () => {
      for (const no of nos.slice(20)) sim!.removeInstance('12', no);
    });
    const pages = await collect(c.listInstances('12', { pageSize: 10 }));
    expect(pages.map((p) => p.totalPage)).toEqual([Math.ceil(nos.length / 10), 2]);
    expect(pages.flatMap((p) => p.instances.map((i) => i.productNo))).toEqual(nos.slice(0, 20));
    expect(sim!.stats().byPath[LIST_PATH]).toBe(2);
  });

  it('a malformed record is skipped, logged without its content, counted, and the page is kept', async () => {
    await startSim();
    const lines: string[] = [];
    const { client: c } = client({ logger: captureLogger(lines) });
    const nos = sim!.listInstanceNos('13');
    sim!.corruptRecord('13', nos[2]!, 'productNo');
    const page = await c.getInstancePage('13', 1, 10);
    expect(page.instances.length).toBe(9);
    expect(page.instances.map((i) => i.productNo)).not.toContain(nos[2]);
    expect(page.skipped).toEqual([
      { index: 2, productNo: null, field: 'productNo', reason: 'is missing or empty' },
    ]);
    expect(c.stats().skippedRecords).toBe(1);
    const warning = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'yeastar instance record skipped');
    expect(warning).toMatchObject({ level: 'warn', productId: '13', index: 2, field: 'productNo' });
    expect(JSON.stringify(warning)).not.toContain('planName');
  });
});

describe('retries and errors', () => {
  it('5xx twice, then success: two backoff waits, three requests', async () => {
    await startSim();
    const { client: c, sleeps } = client();
    await c.listProductLines(); // log in first, so only the list request is counted below
    sim!.resetStats();
    sim!.failNext(2, { path: LIST_PATH });
    const page = await c.getInstancePage('9', 1, 5);
    expect(page.instances.length).toBe(5);
    expect(sim!.stats().byPath[LIST_PATH]).toBe(3);
    expect(sleeps.length).toBe(2);
    expect(sleeps.every((ms) => ms >= 0 && ms <= 20)).toBe(true);
    const stats = c.stats();
    expect(stats.retries).toBe(2);
    expect(stats.errors).toBe(0);
    expect(Object.values(stats.byEndpoint[LIST_PATH]!.byCode).reduce((a, b) => a + b, 0)).toBe(3);
    expect(stats.byEndpoint[LIST_PATH]!.byCode['success']).toBe(1);
  });

  it('5xx on every attempt: the last error after exactly `attempts` requests', async () => {
    await startSim();
    const { client: c, sleeps } = client({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    await c.listProductLines();
    sim!.resetStats();
    sim!.failNext(10, { path: LIST_PATH, status: 502 });
    const error = await c.getInstancePage('9', 1).catch((e: unknown) => e);
    expect(error instanceof YeastarApiError || error instanceof YeastarTransportError).toBe(true);
    expect((error as YeastarApiError).retryable).toBe(true);
    expect(sim!.stats().byPath[LIST_PATH]).toBe(3);
    expect(sleeps.length).toBe(2);
    expect(c.stats().errors).toBe(1);
  });

  it('429 with Retry-After: waits the seconds the server asked for, then succeeds', async () => {
    await startSim();
    const { client: c, sleeps } = client();
    await c.listProductLines();
    sim!.resetStats();
    sim!.rateLimitNext(1, 1, { path: LIST_PATH });
    const page = await c.getInstancePage('11', 1, 5);
    expect(page.instances.length).toBe(5);
    expect(sleeps).toEqual([1000]);
    expect(sim!.stats().byPath[LIST_PATH]).toBe(2);
    expect(c.stats().byEndpoint[LIST_PATH]!.byCode['too_many_requests']).toBe(1);
  });

  it('a Retry-After beyond the cap is capped', async () => {
    await startSim();
    const { client: c, sleeps } = client({ maxRetryAfterMs: 3000 });
    await c.listProductLines();
    sim!.rateLimitNext(1, 120, { path: LIST_PATH });
    await c.getInstancePage('11', 1, 5);
    expect(sleeps).toEqual([3000]);
  });

  it('a 400 is not retried: one request, the error envelope as YeastarApiError with the details', async () => {
    await startSim();
    const { client: c, sleeps } = client();
    await c.listProductLines();
    sim!.resetStats();
    const error = await c.getInstancePage('', 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(YeastarApiError);
    const api = error as YeastarApiError;
    expect(api).toMatchObject({
      code: 'parameter_validation_failed',
      status: 400,
      endpoint: LIST_PATH,
      retryable: false,
      details: { field: 'productId' },
    });
    expect(api.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(api.message).toContain(api.requestId);
    expect(api.detailMessage).toContain('productId');
    expect(sim!.stats().byPath[LIST_PATH]).toBe(1);
    expect(sleeps).toEqual([]);
    expect(c.stats().byEndpoint[LIST_PATH]).toMatchObject({
      calls: 1,
      errors: 1,
      byCode: { parameter_validation_failed: 1 },
    });
  });

  it('a 200 whose body is not JSON: YeastarResponseError on the body, not retried', async () => {
    await startSim();
    const { client: c, sleeps } = client();
    await c.listProductLines();
    sim!.resetStats();
    sim!.malformNext(1, { path: LIST_PATH });
    const error = await c.getInstancePage('13', 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(YeastarResponseError);
    expect((error as YeastarResponseError).field).toBe('body');
    expect((error as YeastarResponseError).endpoint).toBe(LIST_PATH);
    expect(sim!.stats().byPath[LIST_PATH]).toBe(1);
    expect(sleeps).toEqual([]);
    // The next call is fine again.
    expect((await c.getInstancePage('13', 1, 3)).instances.length).toBe(3);
  });

  it('a revoked token is renewed and the call repeated exactly once', async () => {
    await startSim();
    const { client: c, sleeps } = client();
    await c.listProductLines();
    sim!.resetStats();
    sim!.revokeTokens();
    const page = await c.getInstancePage('13', 1, 5);
    expect(page.instances.length).toBe(5);
    expect(sim!.stats().byPath[LIST_PATH]).toBe(2);
    expect(sim!.stats().refreshes).toBe(1);
    expect(sleeps).toEqual([]);
    expect(c.stats().tokenRequests).toBe(2);
  });

  it('an expired token (clock injected) is renewed before it is sent, by refresh, then by login when the refresh token is spent', async () => {
    let now = Date.UTC(2025, 5, 1);
    await startSim({ clock: () => now });
    const { client: c, keyPrefix } = client({ clock: () => now });
    await c.getInstancePage('13', 1, 1);
    expect(sim!.stats()).toMatchObject({ tokensIssued: 1, refreshes: 0 });

    now += 29 * 60_000;
    await c.getInstancePage('13', 1, 1);
    expect(sim!.stats().refreshes).toBe(1);
    // No request was sent with the old token and refused.
    expect(c.stats().byEndpoint[LIST_PATH]!.byCode).toEqual({ success: 2 });

    const spent = await fx.redis.hget(`${keyPrefix}:yeastar:token`, 'refreshToken');
    await got.post(`${sim!.url}/auth/openapi/v1/oauth/token`, {
      headers: { 'user-agent': USER_AGENT },
      form: { grant_type: 'refresh_token', refresh_token: spent ?? '' },
    });
    const issued = sim!.stats().tokensIssued;
    now += 29 * 60_000;
    await c.getInstancePage('13', 1, 1);
    expect(sim!.stats().tokensIssued).toBeGreaterThan(issued);
    expect(c.stats().byEndpoint[LIST_PATH]!.byCode).toEqual({ success: 3 });
    expect(c.stats().tokenRequests).toBe(4);
  });

  it('two clients sharing one Redis prefix, calling at once, log in once', async () => {
    await startSim();
    const keyPrefix = `${fx.prefix}:${uniquePrefix('shared')}`;
    const a = client({}, { keyPrefix }).client;
    const b = client({}, { keyPrefix }).client;
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => a.getInstancePage('13', i + 1, 5)),
      ...Array.from({ length: 5 }, (_, i) => b.getInstancePage('12', i + 1, 5)),
    ]);
    expect(sim!.stats().tokensIssued).toBe(1);
    expect(a.stats().tokenRequests + b.stats().tokenRequests).toBe(1);
  });

  it('connection refused: YeastarTransportError with the cause, retried, no got internals attached', async () => {
    await startSim();
    const port = await freePort();
    const { client: c, sleeps } = client({
      baseUrl: `http://127.0.0.1:${port}`,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const error = await c.listProductLines().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(YeastarTransportError);
    expect((error as YeastarTransportError).retryable).toBe(true);
    expect((error as Error & { cause: { code: string } }).cause.code).toBe('ECONNREFUSED');
    expect(Object.keys((error as Error & { cause: object }).cause)).not.toContain('options');
    expect(sleeps.length).toBe(1);
  });

  it("counts the time requests hold a slot, which the simulator's own answer time is part of", async () => {
    await startSim();
    const { client: c } = client();
    await c.listProductLines();
    const before = { client: c.stats().slotMs, sim: sim!.stats().answerMs };
    sim!.setFaults({ latencyMs: 40 });
    await Promise.all([c.getInstancePage('13', 1), c.getInstancePage('13', 2), c.listProductLines()]);
    sim!.setFaults({ latencyMs: 0 });
    const simMs = sim!.stats().answerMs - before.sim;
    const slotMs = c.stats().slotMs - before.client;
    // Three answers of at least 40 ms each, and a slot is held from sending to the last byte read.
    expect(simMs).toBeGreaterThanOrEqual(3 * 39);
    expect(slotMs).toBeGreaterThanOrEqual(simMs);
  });

  it('a timeout is a retryable transport error', async () => {
    await startSim();
    const { client: c, sleeps } = client({
      timeoutMs: 300,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    await c.listProductLines();
    sim!.setFaults({ latencyMs: 2_000 });
    const error = await c.getInstancePage('13', 1).catch((e: unknown) => e);
    sim!.setFaults({ latencyMs: 0 });
    expect(error).toBeInstanceOf(YeastarTransportError);
    expect((error as Error & { cause: { code: string } }).cause.code).toBe('ETIMEDOUT');
    expect(sleeps.length).toBe(1);
    expect(c.stats().byEndpoint[LIST_PATH]!.byCode['ETIMEDOUT']).toBe(2);
  });

  it('refused credentials: YeastarAuthError with the code and requestId; none configured: a clear message', async () => {
    await startSim();
    const refused = await client({ clientSecret: 'not-the-secret' })
      .client.listProductLines()
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(YeastarAuthError);
    expect((refused as YeastarAuthError).code).toBe('invalid_client');
    expect((refused as YeastarAuthError).requestId).toMatch(/^[0-9a-f]{32}$/);

    const none = await client({ clientId: undefined, clientSecret: undefined })
      .client.listProductLines()
      .catch((e: unknown) => e);
    expect(none).toBeInstanceOf(YeastarAuthError);
    expect((none as Error).message).toMatch(/YEASTAR_CLIENT_ID and YEASTAR_CLIENT_SECRET/);
  });

  it('sends the User-Agent the simulator insists on', async () => {
    await startSim();
    const { client: c, keyPrefix } = client();
    await c.listProductLines();
    const token = await fx.redis.hget(`${keyPrefix}:yeastar:token`, 'token');
    // The same request without a User-Agent is refused, so the client's success shows it sent one.
    const bare = await got(`${sim!.url}${ENDPOINTS.productList}`, {
      headers: { authorization: `Bearer ${token}`, 'user-agent': undefined },
      throwHttpErrors: false,
    });
    expect(bare.statusCode).toBe(400);
    expect(JSON.parse(bare.body).code).toBe('missing_user_agent');
  });
});

describe('logs', () => {
  it('no token, refresh token, client secret or activation code in any log line', () => {
    expect(logLines.length).toBeGreaterThan(50);
    expect(secrets.size).toBeGreaterThan(3);
    const all = logLines.join('\n');
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    // The logs do say what happened.
    expect(all).toContain('yeastar call failed; retrying');
    expect(all).toContain('yeastar access token obtained');
  });
});
