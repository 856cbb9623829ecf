import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod/v3';
import {
  envelopeSchema,
  fastEnvelope,
  fastPageMeta,
  fastPlanRenewal,
  fastPurchaseProductInfo,
  fastServiceRenewalInfo,
  instanceRecordSchema,
  pageMetaSchema,
  parseInstancePage,
  planRenewalSchema,
  purchaseProductInfoSchema,
  serviceRenewalSchema,
} from '../../src/yeastar/schemas.js';

/**
 * Instance records are read by a hand-written fast path, with the zod schema as the reference (and the
 * source of every error message). For any record, the page parser must accept exactly what the schema
 * accepts and give exactly what it gives, key order included.
 */

/** Anything a JSON body may hold where a field is expected, sensible or not. */
const anyValue = fc.oneof(
  fc.constantFrom(null, undefined, '', '  ', '0', '1', 'true', 'false', 0, 1, true, false, 2, '2'),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, 2 ** 53 + 2, [], {}, [1]),
  fc.string({ maxLength: 6 }),
  fc.constantFrom('1736390176000', ' 42 ', '2025-03-01T00:00:00Z', '2025-13-45', '3048572026291630080'),
);

/** Mostly what the field type takes (blanks included), now and then anything at all. */
const usually = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: anyValue });
const blank = fc.constantFrom(null, undefined, '', '  ');
const text = usually(fc.oneof(blank, fc.string({ maxLength: 6 }), fc.integer(), fc.boolean()));
const id = usually(
  fc.oneof(blank, fc.string({ maxLength: 6 }), fc.integer(), fc.constant('3048572026291630080')),
);
const epoch = usually(
  fc.oneof(blank, fc.integer(), fc.constantFrom('1736390176000', ' 42 ', '2025-03-01T00:00:00Z')),
);
const num = usually(fc.oneof(blank, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant('12')));
const flag = usually(fc.constantFrom(null, '', 0, 1, '0', '1', true, false, 'true', 'false'));
const productNo = usually(fc.oneof(fc.string({ minLength: 1, maxLength: 6 }), fc.nat()));

const service = usually(
  fc.record(
    {
      serviceId: id,
      serviceName: text,
      serviceStatus: text,
      serviceExpireDate: epoch,
      serviceAutoRenewal: flag,
      servicePeriod: num,
      quantity: text,
      extra: anyValue,
    },
    { requiredKeys: [] },
  ),
);

const record = usually(
  fc.record(
    {
      productNo,
      activationCode: text,
      activationStatus: text,
      createTime: epoch,
      currentPlanExpireDate: epoch,
      endUserInfo: usually(
        fc.oneof(blank, fc.record({ address: text, companyName: text, email: text }, { requiredKeys: [] })),
      ),
      planAutoRenewal: flag,
      planExpireDate: epoch,
      planId: id,
      planServicePeriod: num,
      planStatus: text,
      serviceList: usually(fc.oneof(blank, fc.array(service, { maxLength: 3 }))),
      unknownField: anyValue,
    },
    { requiredKeys: ['productNo'] },
  ),
);

/**
 * Runs a fast reader and its zod schema on inputs from `arbitrary`. Where zod refuses, the fast reader
 * refuses too (null). Where zod accepts, it gives the same result, key order included; with
 * `mayDecline` it may instead answer null and leave the input to zod. Returns how many inputs zod
 * accepted, so a test can check that both sides were exercised.
 */
function expectAgreement(
  schema: z.ZodTypeAny,
  fast: (raw: unknown) => unknown,
  arbitrary: fc.Arbitrary<unknown>,
  options: { mayDecline?: boolean } = {},
): number {
  let accepted = 0;
  fc.assert(
    fc.property(arbitrary, (raw) => {
      const reference = schema.safeParse(raw);
      const read = fast(raw);
      if (!reference.success) {
        expect(read).toBeNull();
        return;
      }
      accepted++;
      if (read === null && options.mayDecline) return;
      expect(read).not.toBeNull();
      expect(read).toEqual(reference.data);
      expect(JSON.stringify(read)).toBe(JSON.stringify(reference.data));
    }),
    { numRuns: 1500 },
  );
  return accepted;
}

describe('envelopes: the fast path agrees with the schema', () => {
  const envelope = usually(
    fc.record(
      {
        code: usually(fc.oneof(fc.constantFrom('success', 'invalid_token', ''), fc.string({ maxLength: 6 }))),
        detailMessage: text,
        requestId: text,
        result: anyValue,
        status: num,
        extra: anyValue,
      },
      { requiredKeys: [] },
    ),
  );

  it('reads what the schema accepts the same way, and refuses what it refuses', () => {
    const accepted = expectAgreement(envelopeSchema, fastEnvelope, envelope);
    expect(accepted).toBeGreaterThan(100);
  });
});

describe('page numbers: the fast path agrees with the schema', () => {
  const results = usually(
    fc.oneof(
      blank,
      fc.array(fc.oneof(fc.constantFrom(null, undefined), fc.record({ productNo })), { maxLength: 4 }),
    ),
  );
  const meta = usually(
    fc.record(
      { count: num, pageNo: num, pageSize: num, total: num, totalPage: num, results, extra: anyValue },
      { requiredKeys: [] },
    ),
  );

  it('reads what the schema accepts the same way, and leaves the rest to it', () => {
    // null only where the schema must look (a list with null entries, a refused field).
    const accepted = expectAgreement(pageMetaSchema, fastPageMeta, meta, { mayDecline: true });
    expect(accepted).toBeGreaterThan(100);
  });

  it('reads a plain page without the schema', () => {
    const raw = {
      count: '3',
      pageNo: 2,
      pageSize: 100,
      total: 3,
      totalPage: 1,
      results: [{ productNo: 'A' }],
    };
    expect(fastPageMeta(raw)).toEqual({ ...raw, count: 3 });
  });
});

describe('instance records: the fast path agrees with the schema', () => {
  it('accepts what the schema accepts, with the same result, and skips what it refuses', () => {
    fc.assert(
      fc.property(record, (raw) => {
        const reference = instanceRecordSchema.safeParse(raw);
        const page = parseInstancePage(
          { results: [raw], pageNo: 1, pageSize: 1, total: 1, totalPage: 1 },
          '9',
        );
        if (raw === null || raw === undefined) {
          expect(page.instances).toEqual([]);
          return;
        }
        if (reference.success) {
          expect(page.skipped).toEqual([]);
          expect(page.instances).toHaveLength(1);
          const { productId, ...rest } = page.instances[0]!;
          expect(productId).toBe('9');
          expect(JSON.stringify(rest)).toBe(JSON.stringify(reference.data));
          expect(rest).toEqual(reference.data);
        } else {
          expect(page.instances).toEqual([]);
          expect(page.skipped).toHaveLength(1);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('reads a valid record with numbers sent as text and services with blanks', () => {
    const page = parseInstancePage(
      {
        results: [
          {
            productNo: ' SN1 ',
            planExpireDate: '1736390176000',
            planId: 3048572026,
            planAutoRenewal: '1',
            serviceList: [null, { serviceId: 7, serviceExpireDate: '', servicePeriod: '12' }],
          },
        ],
      },
      '12',
    );
    expect(page.instances[0]).toMatchObject({
      productId: '12',
      productNo: 'SN1',
      planExpireDate: 1736390176000,
      planId: '3048572026',
      planAutoRenewal: true,
      endUserInfo: null,
      serviceList: [{ serviceId: '7', serviceExpireDate: null, servicePeriod: 12, serviceName: null }],
    });
  });
});

describe('purchase and renewal answers: the fast paths agree with the schemas', () => {
  const words = usually(
    fc.oneof(blank, fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), blank), { maxLength: 3 })),
  );
  /** A list as the API sends it: missing, null, or entries with now and then a null among them. */
  const listOf = <T>(item: fc.Arbitrary<T>) =>
    usually(
      fc.oneof(
        blank,
        fc.array(
          fc.oneof(
            { weight: 5, arbitrary: item },
            { weight: 1, arbitrary: fc.constantFrom(null, undefined) },
          ),
          { maxLength: 3 },
        ),
      ),
    );
  const object = <T extends Record<string, fc.Arbitrary<unknown>>>(shape: T) =>
    usually(fc.record({ ...shape, extra: anyValue }, { requiredKeys: [] }));

  const pricing = object({ cycle: text, purchaseType: words });
  const plan = object({
    name: text,
    planId: id,
    pricingPlanId: id,
    purchasePricingInfoList: listOf(pricing),
    trialPeriod: num,
    trialPrice: num,
  });
  const service = object({
    isConnect: flag,
    name: text,
    pricingServiceId: id,
    purchasePricingInfoList: listOf(pricing),
    serviceId: id,
    trialPeriod: num,
    trialPrice: num,
  });
  const purchase = object({
    offeringId: id,
    productName: text,
    quPurchaseInfo: usually(
      fc.oneof(
        blank,
        object({ purchasePlanInfoList: listOf(plan), purchaseServiceInfoList: listOf(service) }),
      ),
    ),
    purchasePlanInfoList: listOf(plan),
    purchaseServiceInfoList: listOf(service),
  });
  const details = object({
    billingCycleList: words,
    billingModelList: words,
    name: text,
    pricingServiceId: id,
    purchaseParameter: text,
    purchaseParameterId: id,
    purchaseType: words,
    serviceId: id,
    trialPeriod: num,
    trialPrice: num,
    trialQuantity: num,
    unitName: text,
  });
  const additional = object({
    billingModel: text,
    billingCycle: text,
    connectionServiceList: listOf(details),
  });
  const serviceRenewal = object({
    billingCycleList: words,
    billingModelList: words,
    connectionServiceList: listOf(additional),
    name: text,
    pricingServiceId: id,
    purchaseMultiCycleList: usually(fc.oneof(blank, fc.array(anyValue, { maxLength: 2 }))),
    purchaseParameter: text,
    purchaseParameterId: id,
    serviceId: id,
    unitName: text,
  });
  const planRenewal = object({
    name: text,
    planId: id,
    pricingPlanId: id,
    billingCycleList: words,
    billingModelList: words,
    connectionServiceList: listOf(additional),
  });

  it.each([
    ['purchase_product_info', purchaseProductInfoSchema, fastPurchaseProductInfo, purchase],
    ['renew/add_on_info', serviceRenewalSchema, fastServiceRenewalInfo, serviceRenewal],
    ['renew/plan_info', planRenewalSchema, fastPlanRenewal, planRenewal],
  ] as const)(
    '%s: accepts what the schema accepts, with the same result, and refuses the rest',
    (_name, schema, fast, arbitrary) => {
      const accepted = expectAgreement(schema, fast, arbitrary as fc.Arbitrary<unknown>);
      // Both sides of the comparison are exercised.
      expect(accepted).toBeGreaterThan(100);
      expect(accepted).toBeLessThan(1500);
    },
  );
});
