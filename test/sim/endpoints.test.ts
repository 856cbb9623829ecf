import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXAMPLE_ACTIVATION_CODE,
  EXAMPLE_ADD_ON_INFO,
  EXAMPLE_INSTANCE_LIST,
  EXAMPLE_PRODUCT_LIST,
  EXAMPLE_PURCHASE_PRODUCT_INFO,
} from '../../sim/examples.js';
import { createSimulator, type Simulator } from '../../sim/server.js';
import { parseJsonSafe } from '../../src/util/json.js';
import { call, getToken, LIST, listAll, listPage } from './http.js';

const DETAIL = '/product/openapi/instance_product/v1/detail';
const PURCHASE = '/pricing/openapi/purchase/v1/purchase_product_info';
const ADD_ON = '/pricing/openapi/purchase/v1/renew/add_on_info';
const PLAN = '/pricing/openapi/purchase/v1/renew/plan_info';
const CODE = '/product/openapi/instance_product/v1/activation_code';

const RECORD_FIELDS = [
  'activationStatus',
  'comment',
  'createTime',
  'currentPlan',
  'currentPlanExpireDate',
  'customerEmail',
  'endUserInfo',
  'model',
  'nextPlan',
  'nextPlanExpireDate',
  'nextPlanStartDate',
  'partnerEmail',
  'planAutoRenewal',
  'planExpireDate',
  'planId',
  'planName',
  'planStatus',
  'productAdminEmail',
  'productNo',
  'quantity',
  'referrer',
  'serviceList',
  'url',
  'yeastarId',
];

type Service = { serviceId: string; serviceName: string; serviceExpireDate: number | null };
type PurchaseInfo = {
  offeringId: string;
  productName: string;
  quPurchaseInfo: {
    purchasePlanInfoList: Array<{
      planId: string;
      pricingPlanId: number;
      purchasePricingInfoList: Array<{ cycle: string; purchaseType: string[] }>;
    }>;
    purchaseServiceInfoList: Array<{ serviceId: string; pricingServiceId: number; name: string }>;
  };
};

describe('the five example bodies', () => {
  it('parse as envelopes and keep integer pricing IDs as bare numbers', () => {
    for (const text of [
      EXAMPLE_INSTANCE_LIST,
      EXAMPLE_PRODUCT_LIST,
      EXAMPLE_PURCHASE_PRODUCT_INFO,
      EXAMPLE_ADD_ON_INFO,
      EXAMPLE_ACTIVATION_CODE,
    ]) {
      expect(parseJsonSafe(text)).toMatchObject({ code: 'success', status: 200 });
    }
    expect(EXAMPLE_PURCHASE_PRODUCT_INFO).toContain('"pricingPlanId": 15438');
    expect(EXAMPLE_ADD_ON_INFO).toContain('"pricingServiceId": 27946');
    expect(EXAMPLE_INSTANCE_LIST).toContain('"planId": "3048572026291630080"');
  });
});

describe('simulator endpoints', () => {
  let sim: Simulator;
  let token: string;
  beforeAll(async () => {
    sim = await createSimulator({ instances: 1234, seed: 7, examples: true });
    token = await getToken(sim);
  });
  afterAll(() => sim.close());

  it('lists the four product lines with integer productIds', async () => {
    const reply = await call(sim, '/pricing/openapi/purchase/v1/product_list', token);
    expect(reply.envelope.result).toEqual([
      { name: 'P-Series Cloud Edition', productId: 13 },
      { name: 'P-Series Software Edition', productId: 12 },
      { name: 'P-Series Plan for Appliance Edition', productId: 11 },
      { name: 'Linkus Cloud Service', productId: 9 },
    ]);
    expect(reply.text).toContain('"productId":13');
  });

  it('paginates: totals add up to N (+2 examples), the last page is partial, beyond it is empty', async () => {
    let total = 0;
    for (const productId of ['9', '11', '12', '13']) {
      const first = await listPage(sim, token, productId, 1, 100);
      expect(first.count).toBe(first.total);
      expect(first.totalPage).toBe(Math.ceil(first.total / 100));
      const last = await listPage(sim, token, productId, first.totalPage, 100);
      expect(last.results).toHaveLength(first.total - (first.totalPage - 1) * 100);
      const beyond = await listPage(sim, token, productId, first.totalPage + 1, 100);
      expect(beyond.results).toEqual([]);
      expect(beyond.total).toBe(first.total);
      total += first.total;
    }
    expect(total).toBe(1234 + 2);
  });

  it('uses pageSize 25 by default and caps it at 100', async () => {
    const byDefault = await call(sim, `${LIST}?productId=13`, token);
    const result = byDefault.envelope.result as { pageSize: number; pageNo: number; results: unknown[] };
    expect(result).toMatchObject({ pageSize: 25, pageNo: 1 });
    expect(result.results).toHaveLength(25);
    const capped = await listPage(sim, token, '13', 1, 500);
    expect(capped.pageSize).toBe(100);
    expect(capped.results).toHaveLength(100);
  });

  it('lists every record once across pages, every field of page 000 present, SNs unique', async () => {
    const all = await listAll(sim, token, '13');
    const first = await listPage(sim, token, '13', 1, 100);
    expect(all).toHaveLength(first.total);
    const sns = all.map((r) => r['productNo']);
    expect(new Set(sns).size).toBe(all.length);
    expect(sim.listInstanceNos('13')).toEqual(sns);
    for (const record of all) for (const field of RECORD_FIELDS) expect(record).toHaveProperty(field);
    expect(sns.slice(0, 2)).toEqual(['3658B4311196UZ4A', '3658B4311196WEFY']);
    for (const sn of sns.slice(2)) expect(sn).toMatch(/^3658B43[0-9A-Z]{9}$/);
  });

  it('answers a missing or bad parameter with parameter_validation_failed naming the field', async () => {
    const missing = await call(sim, `${LIST}?pageNo=1`, token);
    expect(missing.status).toBe(400);
    expect(missing.envelope).toMatchObject({
      code: 'parameter_validation_failed',
      status: 400,
      result: { field: 'productId' },
    });
    expect(missing.envelope.detailMessage).toContain('productId');
    const badPage = await call(sim, `${LIST}?productId=13&pageNo=0`, token);
    expect(badPage.envelope.result).toEqual({ field: 'pageNo' });
    const noSn = await call(sim, `${DETAIL}?productId=13`, token);
    expect(noSn.envelope.result).toEqual({ field: 'productNo' });
  });

  it('serves one record by SN, and product_not_found for an unknown one', async () => {
    const page = await listPage(sim, token, '12', 1, 5);
    const sn = String(page.results[3]!['productNo']);
    const detail = await call(sim, `${DETAIL}?productNo=${sn}&productId=12`, token);
    expect(detail.envelope.result).toEqual(page.results[3]);
    const wrongLine = await call(sim, `${DETAIL}?productNo=${sn}&productId=13`, token);
    expect(wrongLine.status).toBe(404);
    const unknown = await call(sim, `${DETAIL}?productNo=3658B43NOSUCHSN&productId=12`, token);
    expect(unknown.status).toBe(404);
    expect(unknown.envelope).toMatchObject({ code: 'product_not_found', status: 404 });
  });

  it('purchase_product_info offers every service and the plan of an instance, with pricing IDs', async () => {
    let renewable = 0;
    let checked = 0;
    for (const productId of ['9', '11', '12', '13']) {
      const page = await listPage(sim, token, productId, 1, 40);
      for (const record of page.results) {
        const reply = await call(
          sim,
          `${PURCHASE}?productId=${productId}&productNo=${record['productNo']}`,
          token,
        );
        expect(reply.status).toBe(200);
        const info = reply.envelope.result as PurchaseInfo;
        expect(info.offeringId).toMatch(/^\d{19}$/);
        const plan = info.quPurchaseInfo.purchasePlanInfoList.find(
          (p) => p.planId === String(record['planId']),
        );
        expect(plan, `plan of ${record['productNo']}`).toBeDefined();
        expect(Number.isInteger(plan!.pricingPlanId)).toBe(true);
        if (plan!.purchasePricingInfoList.some((p) => p.purchaseType.includes('renew'))) renewable++;
        for (const service of record['serviceList'] as Service[]) {
          const offered = info.quPurchaseInfo.purchaseServiceInfoList.find(
            (s) => s.serviceId === service.serviceId,
          );
          expect(offered?.name).toBe(service.serviceName);
          expect(Number.isInteger(offered?.pricingServiceId)).toBe(true);
        }
        checked++;
      }
    }
    // About 5 % cannot be renewed; the rest can.
    expect(renewable).toBeGreaterThan(checked * 0.85);
    expect(renewable).toBeLessThan(checked);
    const noSn = await call(sim, `${PURCHASE}?productId=11`, token);
    expect(noSn.envelope).toMatchObject({
      code: 'parameter_validation_failed',
      result: { field: 'productNo' },
    });
    const cloud = await call(sim, `${PURCHASE}?productId=13`, token);
    expect(cloud.status).toBe(200);
    expect(cloud.text).toMatch(/"pricingPlanId":\d+/);
  });

  it('add_on_info and plan_info describe the renewal of a service and a plan', async () => {
    const page = await listPage(sim, token, '12', 1, 100);
    const record = page.results.find((r) => (r['serviceList'] as Service[]).length > 0)!;
    const sn = String(record['productNo']);
    const info = (await call(sim, `${PURCHASE}?productId=12&productNo=${sn}`, token)).envelope
      .result as PurchaseInfo;
    const service = (record['serviceList'] as Service[])[0]!;
    const pricing = info.quPurchaseInfo.purchaseServiceInfoList.find(
      (s) => s.serviceId === service.serviceId,
    )!;
    const addOn = await call(
      sim,
      `${ADD_ON}/${pricing.pricingServiceId}?productNo=${sn}&productId=12`,
      token,
    );
    expect(addOn.status).toBe(200);
    expect(addOn.envelope.result).toMatchObject({
      name: service.serviceName,
      pricingServiceId: pricing.pricingServiceId,
      serviceId: service.serviceId,
      purchaseMultiCycleList: [],
    });
    const result = addOn.envelope.result as Record<string, unknown>;
    for (const field of [
      'billingCycleList',
      'billingModelList',
      'connectionServiceList',
      'purchaseParameter',
      'unitName',
    ]) {
      expect(result).toHaveProperty(field);
    }
    const unknown = await call(sim, `${ADD_ON}/999999?productNo=${sn}&productId=12`, token);
    expect(unknown.status).toBe(404);
    expect(unknown.envelope.code).toBe('service_not_found');

    const plan = info.quPurchaseInfo.purchasePlanInfoList.find((p) => p.planId === record['planId'])!;
    const planInfo = await call(sim, `${PLAN}/${plan.pricingPlanId}?productId=12&productNo=${sn}`, token);
    expect(planInfo.envelope.result).toMatchObject({
      name: record['planName'],
      planId: record['planId'],
      pricingPlanId: plan.pricingPlanId,
      connectionServiceList: [],
    });
  });

  it('gives Software Edition activation codes only', async () => {
    const page = await listPage(sim, token, '12', 1, 3);
    const sn = String(page.results[0]!['productNo']);
    const reply = await call(sim, `${CODE}?productNo=${sn}&productId=12`, token);
    const code = reply.envelope.result as { code: string; generateTime: number };
    expect(code.code.length).toBeGreaterThan(20);
    expect(Number.isInteger(code.generateTime)).toBe(true);
    const cloud = (await listPage(sim, token, '13', 1, 3)).results[2]!['productNo'];
    const wrongLine = await call(sim, `${CODE}?productNo=${cloud}&productId=13`, token);
    expect(wrongLine.envelope).toMatchObject({ code: 'parameter_validation_failed', status: 400 });
    const unknown = await call(sim, `${CODE}?productNo=3658B43NOSUCHSN&productId=12`, token);
    expect(unknown.envelope.code).toBe('product_not_found');
  });

  it('answers an unknown path with not_found and a fresh requestId every time', async () => {
    const a = await call(sim, '/no/such/path', token);
    const b = await call(sim, '/no/such/path', token);
    expect(a.status).toBe(404);
    expect(a.envelope).toMatchObject({ code: 'not_found', status: 404 });
    expect(a.envelope.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.envelope.requestId).not.toBe(b.envelope.requestId);
  });

  it('sends a bare 19-digit planId once per 1,000 records, exact only to a safe parser', async () => {
    const texts: string[] = [];
    for (const productId of ['9', '11', '12', '13']) {
      const first = await call(sim, `${LIST}?productId=${productId}&pageNo=1&pageSize=100`, token);
      const pages = (first.envelope.result as { totalPage: number }).totalPage;
      texts.push(first.text);
      for (let p = 2; p <= pages; p++) {
        texts.push((await call(sim, `${LIST}?productId=${productId}&pageNo=${p}&pageSize=100`, token)).text);
      }
    }
    const bare = texts.flatMap((t) => [...t.matchAll(/"planId":(\d{19})/g)].map((m) => m[1]!));
    expect(bare).toHaveLength(2); // indexes 3 and 1003 of 1,234
    for (const digits of bare) {
      const text = texts.find((t) => t.includes(`"planId":${digits}`))!;
      const safe = parseJsonSafe(text) as { result: { results: Array<{ planId: unknown }> } };
      expect(safe.result.results.map((r) => r.planId)).toContain(digits);
      expect(String(JSON.parse(`{"n":${digits}}`).n)).not.toBe(digits);
    }
  });
});
