import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { simOrders } from '../../sim/orders.js';
import { createSimulator, type Simulator } from '../../sim/server.js';
import { buildOrderRequest } from '../../src/renew/order-request.js';
import { createYeastarClient } from '../../src/yeastar/client.js';
import { YeastarApiError } from '../../src/yeastar/errors.js';
import { createOrderApi, type OrderApi, orderBody } from '../../src/yeastar/orders.js';
import { parseCreatedOrder, parseOrderPage } from '../../src/yeastar/schemas/orders.js';
import type { Instance } from '../../src/yeastar/types.js';
import { redisFixture } from '../helpers/redis.js';

const NOW = Date.UTC(2026, 10, 24, 7, 0, 0);
let fx: Awaited<ReturnType<typeof redisFixture>>;
let sim: Simulator;
let api: OrderApi;
let clock: { now: number };
let instance: Instance;

beforeAll(async () => {
  fx = await redisFixture('orders');
});
afterAll(async () => {
  await fx.close();
});
beforeEach(async () => {
  clock = { now: NOW };
  sim = await createSimulator({
    seed: 11,
    anchorMs: NOW,
    instances: 60,
    attention: 20,
    clock: () => clock.now,
  });
  const common = {
    baseUrl: sim.url,
    userAgent: 'test',
    clientId: sim.credentials.clientId,
    clientSecret: sim.credentials.clientSecret,
    redis: fx.redis,
    keyPrefix: fx.prefix,
    clock: () => clock.now,
  };
  api = createOrderApi({ ...common, sleep: async () => {} });
  const client = createYeastarClient(common);
  const page = await client.getInstancePage('11', 1, 50);
  instance = page.instances.find((i) => i.planId && i.serviceList.some((s) => s.serviceExpireDate !== null))!;
  expect(instance).toBeDefined();
});
afterEach(async () => {
  await sim.close();
});

describe('order API against the simulator', () => {
  it('lists billing contacts with 19-digit ids kept exact', async () => {
    const contacts = await api.listBillingContacts();
    expect(contacts.map((c) => c.billingContactId)).toEqual(['1869403123456789012', '1869403123456789013']);
    expect(contacts[0]?.name).toBe('Pat Finance');
  });

  it('places a renewal, lists it, follows it to succeed and extends the expiry', async () => {
    const before = sim.getInstance('11', instance.productNo)!.planExpireDate!;
    const request = buildOrderRequest(instance, {
      billingId: '1869403123456789012',
      cycles: 1,
      poNumber: 'PO-1',
    });
    const created = await api.createOrder(request);
    expect(created.orderId).toMatch(/^\d{19}$/);
    expect(created.orderNo).toMatch(/^SO\d+/);
    const page = await api.listOrders(1);
    expect(page.orders[0]).toMatchObject({
      id: created.orderId,
      orderStatus: 'pending',
      productNo: instance.productNo,
    });
    expect((await api.getOrder(created.orderId!)).status).toBe('pending');
    clock.now += 2_000;
    const details = await api.getOrder(created.orderNo!);
    expect(details).toMatchObject({
      status: 'succeed',
      id: created.orderId,
      totalAmount: expect.any(Number),
    });
    expect(sim.getInstance('11', instance.productNo)!.planExpireDate!).toBeGreaterThan(before);
  });

  it('refuses a changed quantity and a plan without its services, with the reason and request id', async () => {
    const request = buildOrderRequest(instance, { billingId: '1869403123456789012', cycles: 1 });
    const wrong = {
      ...request,
      serviceList: request.serviceList.map((s) => ({ ...s, quantity: s.quantity + 1 })),
    };
    const error = await api.createOrder(wrong).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(YeastarApiError);
    expect((error as YeastarApiError).detailMessage).toMatch(/quantity must equal/);
    expect((error as YeastarApiError).requestId).toMatch(/^[0-9a-f]{32}$/);
    const planOnly = { ...request, serviceList: request.serviceList.filter((s) => s.serviceType === 'plan') };
    await expect(api.createOrder(planOnly)).rejects.toMatchObject({ detailMessage: /together/ });
    expect(simOrders(sim.state).orders()).toHaveLength(0);
  });

  it('sends an order once even when the answer is a 500 after it was stored', async () => {
    simOrders(sim.state).failAfterStoreNext(1);
    const request = buildOrderRequest(instance, { billingId: '1869403123456789012', cycles: 1 });
    await expect(api.createOrder(request)).rejects.toMatchObject({ status: 500, retryable: true });
    expect(simOrders(sim.state).orders()).toHaveLength(1);
  });

  it('the rejection knob shows the API reason', async () => {
    simOrders(sim.state).rejectNext(1, 'Credit limit reached');
    const request = buildOrderRequest(instance, { billingId: '1869403123456789012', cycles: 1 });
    await expect(api.createOrder(request)).rejects.toMatchObject({ detailMessage: 'Credit limit reached' });
  });

  it('enables auto-renewal on the plan', async () => {
    expect(
      await api.enableAutoRenewal({
        productNo: instance.productNo,
        productId: '11',
        planOrServiceId: instance.planId!,
      }),
    ).toBe(true);
    expect(sim.getInstance('11', instance.productNo)!.planAutoRenewal).toBe(1);
  });
});

describe('order schemas', () => {
  it('keeps a 19-digit billing id a bare number in the body', () => {
    const body = orderBody({
      operationType: 'renew_plan',
      productNo: 'SN1',
      productId: 11,
      billingId: '1869403123456789012',
      serviceList: [],
    });
    expect(body).toContain('"billingId":1869403123456789012');
  });
  it('reads an order id sent as a string or under orderId, and a page', () => {
    expect(parseCreatedOrder({ orderId: '1870000000000000001', orderNo: 'SO1' })).toEqual({
      orderId: '1870000000000000001',
      orderNo: 'SO1',
    });
    expect(parseCreatedOrder(null)).toEqual({ orderId: null, orderNo: null });
    expect(() => parseOrderPage({ results: [{ orderNo: 'SO1' }] })).toThrow(/results\[0\]\.id/);
  });
});
