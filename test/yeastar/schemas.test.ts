import { describe, expect, it } from 'vitest';
import {
  EXAMPLE_ACTIVATION_CODE,
  EXAMPLE_ADD_ON_INFO,
  EXAMPLE_INSTANCE_LIST,
  EXAMPLE_PRODUCT_LIST,
  EXAMPLE_PURCHASE_PRODUCT_INFO,
} from '../../sim/examples.js';
import { parseJsonSafe } from '../../src/util/json.js';
import {
  parseActivationCode,
  parseEnvelope,
  parseInstance,
  parseInstancePage,
  parsePlanRenewalInfo,
  parseProductLines,
  parsePurchaseProductInfo,
  parseServiceRenewalInfo,
  parseTokenResult,
  SchemaError,
} from '../../src/yeastar/schemas.js';
import type { Instance } from '../../src/yeastar/types.js';

function envelopeOf(text: string) {
  return parseEnvelope(parseJsonSafe(text));
}

/** A complete, valid wire record to break one field at a time. */
function rawRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    activationStatus: 'activated',
    createTime: 1704854634000,
    planExpireDate: 1736390176000,
    planId: '3048572026291630080',
    planName: 'Ultimate Plan',
    planStatus: 'purchased',
    productNo: '3658B4311196AAAA',
    serviceList: [],
    ...overrides,
  };
}

function expectSchemaError(fn: () => unknown, field: string): SchemaError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as SchemaError).field).toBe(field);
    return error as SchemaError;
  }
  throw new Error(`expected a SchemaError on ${field}`);
}

describe('the five documented example bodies', () => {
  it('instance_product_list: both records, every field', () => {
    const envelope = envelopeOf(EXAMPLE_INSTANCE_LIST);
    expect(envelope).toMatchObject({
      code: 'success',
      detailMessage: '',
      requestId: '7cced72314a6172c8810cffbea3a2335',
      status: 200,
    });
    const page = parseInstancePage(envelope.result, '13', { requestId: envelope.requestId });
    expect(page).toMatchObject({
      productId: '13',
      count: 2,
      pageNo: 1,
      pageSize: 25,
      total: 2,
      totalPage: 1,
      skipped: [],
      requestId: '7cced72314a6172c8810cffbea3a2335',
    });
    const [trial, switching] = page.instances;
    expect(trial).toStrictEqual({
      productId: '13',
      activationCode: 'EQQI-CFKS-KSKW-EFFP-KQE6',
      activationStatus: 'activated',
      comment: null,
      createTime: null,
      currentPlan: null,
      currentPlanExpireDate: null,
      customerEmail: null,
      endUserInfo: null,
      model: null,
      nextPlan: null,
      nextPlanExpireDate: null,
      nextPlanStartDate: null,
      partnerEmail: 'example@outlook.com',
      planAutoRenewal: false,
      planExpireDate: 1730345636000,
      planId: '3048572026291630080',
      planName: 'Ultimate Plan',
      planServicePeriod: null,
      planStatus: 'trialing',
      productAdminEmail: 'admin@testmail.com',
      productNo: '3658B4311196UZ4A',
      quantity: '5',
      referrer: null,
      serviceList: [],
      url: 'docs.test.yeastarcloud.com',
      yeastarId: 'test@mailtest.com',
    } satisfies Instance);
    expect(switching).toStrictEqual({
      productId: '13',
      activationCode: null,
      activationStatus: 'activated',
      comment: null,
      createTime: 1704854634000,
      currentPlan: 'Ultimate Plan',
      currentPlanExpireDate: 1736390176000,
      customerEmail: null,
      endUserInfo: {
        address: 'Customer Address.',
        companyName: 'PCE Customer Test Company',
        contactName: 'PCE Customer Test',
        email: 'customer@test.com',
      },
      model: null,
      nextPlan: 'Enterprise Plan',
      nextPlanExpireDate: 1767926176000,
      nextPlanStartDate: 1736390177000,
      partnerEmail: 'example@outlook.com',
      planAutoRenewal: false,
      planExpireDate: 1736390176000,
      planId: '3048572026291630080',
      planName: 'Ultimate Plan',
      planServicePeriod: null,
      planStatus: 'switching',
      productAdminEmail: 'docs@yeastar.com',
      productNo: '3658B4311196WEFY',
      quantity: '20',
      referrer: null,
      serviceList: [
        {
          quantity: '100',
          serviceAutoRenewal: false,
          serviceExpireDate: 1713421999000,
          serviceId: '3048573759449317376',
          serviceName: 'Recording Minutes',
          servicePeriod: null,
          serviceStatus: 'switching',
        },
      ],
      url: 'docstest.test3.yeastarcloud.com',
      yeastarId: 'example@outlook.com',
    } satisfies Instance);
  });

  it('product_list: integer productIds become strings, names kept', () => {
    const envelope = envelopeOf(EXAMPLE_PRODUCT_LIST);
    expect(envelope.requestId).toBe('706be51dd6dfaa311ea2931c47081763');
    expect(parseProductLines(envelope.result)).toStrictEqual({
      productLines: [
        { name: 'P-Series Cloud Edition', productId: '13' },
        { name: 'P-Series Plan for Appliance Edition', productId: '11' },
        { name: 'P-Series Software Edition', productId: '12' },
        { name: 'Linkus Cloud Service', productId: '9' },
      ],
      skipped: [],
    });
  });

  it('purchase_product_info: plans and services with their pricing IDs and purchase types', () => {
    const envelope = envelopeOf(EXAMPLE_PURCHASE_PRODUCT_INFO);
    expect(envelope.requestId).toBe('16908a8861bdc64af5cfd9567ed57ebd');
    expect(parsePurchaseProductInfo(envelope.result)).toStrictEqual({
      offeringId: '3049039276655034368',
      productName: 'Software PBX (PSE Self-hosted)',
      purchasePlanInfoList: [
        {
          name: 'Enterprise Plan',
          planId: '3049040650094403584',
          pricingPlanId: '15438',
          purchasePricingInfoList: [{ cycle: 'annually', purchaseType: ['renew'] }],
          trialPeriod: 30,
          trialPrice: 0,
        },
        {
          name: 'Ultimate Plan',
          planId: '3049041101760282624',
          pricingPlanId: '15439',
          purchasePricingInfoList: [{ cycle: 'annually', purchaseType: ['trial', 'switch'] }],
          trialPeriod: 30,
          trialPrice: 0,
        },
      ],
      purchaseServiceInfoList: [
        {
          isConnect: true,
          name: 'Extension Expansion',
          pricingServiceId: '22983',
          purchasePricingInfoList: [{ cycle: 'annually', purchaseType: ['purchase'] }],
          serviceId: '3049060579827040256',
          trialPeriod: null,
          trialPrice: 0,
        },
        {
          isConnect: true,
          name: 'Hot Standby',
          pricingServiceId: '22984',
          purchasePricingInfoList: [],
          serviceId: '3049060920480022528',
          trialPeriod: 30,
          trialPrice: 0,
        },
        {
          isConnect: true,
          name: 'Maintenance',
          pricingServiceId: '22985',
          purchasePricingInfoList: [
            { cycle: 'once', purchaseType: ['purchase'] },
            { cycle: 'annually', purchaseType: ['purchase'] },
          ],
          serviceId: '3111639376985194496',
          trialPeriod: null,
          trialPrice: 0,
        },
        {
          isConnect: true,
          name: 'Outbound Call Center',
          pricingServiceId: '57551',
          purchasePricingInfoList: [],
          serviceId: '3302296213345505280',
          trialPeriod: null,
          trialPrice: null,
        },
        {
          isConnect: true,
          name: 'PMS',
          pricingServiceId: '22986',
          purchasePricingInfoList: [{ cycle: 'annually', purchaseType: ['purchase', 'trial'] }],
          serviceId: '3115983610256539648',
          trialPeriod: 30,
          trialPrice: 0,
        },
      ],
    });
  });

  it('renew/add_on_info: every field, purchaseParameterId null', () => {
    const envelope = envelopeOf(EXAMPLE_ADD_ON_INFO);
    expect(envelope.requestId).toBe('bcd5d88e5e0fa7b09296df663b9d6db1');
    expect(parseServiceRenewalInfo(envelope.result)).toStrictEqual({
      billingCycleList: ['annually'],
      billingModelList: ['recurring'],
      connectionServiceList: [],
      name: 'Hotel PMS Integration',
      pricingServiceId: '27946',
      purchaseMultiCycleList: [],
      purchaseParameter: null,
      purchaseParameterId: null,
      serviceId: '3116037397465776128',
      unitName: null,
    });
  });

  it('activation_code: the code and its generateTime', () => {
    const envelope = envelopeOf(EXAMPLE_ACTIVATION_CODE);
    expect(envelope.requestId).toBe('3390ad5230998289d07660b4745b9a89');
    expect(parseActivationCode(envelope.result)).toStrictEqual({
      code: 'su71kZxxxxxxx0dbctakLMtNcNjIsSBbb6V1EqpuYyVvBuL0hlaUcJ0wTmZU2EczUpcYA/XlGJOSN0d6bOZrU+AUlCYUsTkgfjEd=',
      generateTime: 1701927971000,
    });
  });
});

describe('instance records the examples do not show', () => {
  it('skips a record without productNo (missing, null, "", blank) and keeps the rest of the page', () => {
    const page = parseInstancePage(
      {
        count: 6,
        pageNo: 1,
        pageSize: 6,
        total: 6,
        totalPage: 1,
        results: [
          rawRecord({ productNo: 'GOOD-1' }),
          rawRecord({ productNo: undefined }),
          rawRecord({ productNo: null }),
          rawRecord({ productNo: '' }),
          rawRecord({ productNo: '   ' }),
          rawRecord({ productNo: 'GOOD-2' }),
        ],
      },
      '12',
    );
    expect(page.instances.map((i) => i.productNo)).toEqual(['GOOD-1', 'GOOD-2']);
    expect(page.skipped).toEqual(
      [1, 2, 3, 4].map((index) => ({
        index,
        productNo: null,
        field: 'productNo',
        reason: 'is missing or empty',
      })),
    );
  });

  it('skips a record whose date or list is unusable, naming the field and the SN, without quoting the value', () => {
    const page = parseInstancePage(
      {
        results: [
          rawRecord({ productNo: 'BAD-DATE', planExpireDate: 'next tuesday' }),
          rawRecord({
            productNo: 'BAD-SERVICE',
            serviceList: [{ serviceId: '1', serviceExpireDate: { at: 1 } }],
          }),
          rawRecord({ productNo: 'BAD-LIST', serviceList: 'none' }),
          'not a record',
          rawRecord({ productNo: 'FINE' }),
        ],
        total: 5,
        totalPage: 1,
      },
      '13',
    );
    expect(page.instances.map((i) => i.productNo)).toEqual(['FINE']);
    expect(page.skipped.map(({ index, productNo, field }) => ({ index, productNo, field }))).toEqual([
      { index: 0, productNo: 'BAD-DATE', field: 'planExpireDate' },
      { index: 1, productNo: 'BAD-SERVICE', field: 'serviceList[0].serviceExpireDate' },
      { index: 2, productNo: 'BAD-LIST', field: 'serviceList' },
      { index: 3, productNo: null, field: 'record' },
    ]);
    expect(page.skipped[0]?.reason).not.toContain('tuesday');
  });

  it('tolerates dates as numeric strings, IDs as numbers, flags as strings and nulls everywhere', () => {
    const [instance] = parseInstancePage(
      {
        results: [
          {
            productNo: 3658431119,
            planExpireDate: '1736390176000',
            createTime: '',
            nextPlanStartDate: '2025-01-09T02:49:37.000Z',
            planId: 3048572,
            // parseJsonSafe turns a bare 19-digit planId into a string before the schema sees it.
            ...(parseJsonSafe('{"yeastarId": 3076915454468767744}') as object),
            planAutoRenewal: '1',
            planServicePeriod: '365',
            quantity: 5,
            endUserInfo: { companyName: '', contactName: null },
            serviceList: [
              null,
              {
                serviceId: 3048573759,
                serviceExpireDate: '1713421999000',
                serviceAutoRenewal: 1,
                servicePeriod: null,
                quantity: null,
              },
            ],
            activationCode: null,
            activationStatus: null,
            comment: null,
            currentPlan: null,
            planStatus: null,
            unknownFutureField: { anything: true },
          },
        ],
      },
      '12',
      { pageNo: 3, pageSize: 50 },
    ).instances;
    expect(instance).toMatchObject({
      productId: '12',
      productNo: '3658431119',
      planExpireDate: 1736390176000,
      createTime: null,
      nextPlanStartDate: 1736390977000,
      planId: '3048572',
      yeastarId: '3076915454468767744',
      planAutoRenewal: true,
      planServicePeriod: 365,
      quantity: '5',
      endUserInfo: { address: null, companyName: null, contactName: null, email: null },
      serviceList: [
        {
          serviceId: '3048573759',
          serviceName: null,
          serviceStatus: null,
          serviceExpireDate: 1713421999000,
          serviceAutoRenewal: true,
          servicePeriod: null,
          quantity: null,
        },
      ],
      activationCode: null,
      planStatus: null,
      currentPlanExpireDate: null,
    });
    expect(instance).not.toHaveProperty('unknownFutureField');
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

  it('a null service list is an empty list; missing page numbers fall back to what was asked', () => {
    const page = parseInstancePage({ results: [rawRecord({ serviceList: null })], total: 120 }, '9', {
      pageNo: 2,
      pageSize: 50,
      requestId: 'r1',
    });
    expect(page.instances[0]?.serviceList).toEqual([]);
    expect(page).toMatchObject({
      pageNo: 2,
      pageSize: 50,
      total: 120,
      count: 120,
      totalPage: 3,
      requestId: 'r1',
    });
  });

  it('a page without a results list is an empty page; a page that is not a page is an error', () => {
    expect(parseInstancePage({ results: null, total: 0, totalPage: 0 }, '9').instances).toEqual([]);
    expectSchemaError(() => parseInstancePage({ results: 'oops' }, '9'), 'result.results');
    expectSchemaError(() => parseInstancePage(null, '9'), 'result');
  });

  it('the detail endpoint: one record, or an error naming the field', () => {
    expect(parseInstance(rawRecord(), '13').productNo).toBe('3658B4311196AAAA');
    const error = expectSchemaError(
      () => parseInstance(rawRecord({ productNo: '' }), '13'),
      'result.productNo',
    );
    expect(error.message).toContain('productNo');
  });
});

describe('other bodies', () => {
  it('an envelope needs a code', () => {
    expectSchemaError(() => parseEnvelope({ result: {} }), 'code');
    expectSchemaError(() => parseEnvelope('not an object'), '');
    expect(
      parseEnvelope({ code: 'invalid_client', status: '400', detailMessage: null, result: null }),
    ).toEqual({
      code: 'invalid_client',
      status: 400,
      detailMessage: '',
      requestId: '',
      result: null,
    });
  });

  it('a token answer: expiresIn as a string of seconds', () => {
    expect(
      parseTokenResult({
        token: 'eyJa.b.c',
        tokenHead: 'Bearer ',
        expiresIn: '1800',
        refreshToken: 'eyJd.e.f',
      }),
    ).toEqual({ token: 'eyJa.b.c', tokenHead: 'Bearer ', expiresInSeconds: 1800, refreshToken: 'eyJd.e.f' });
    expectSchemaError(() => parseTokenResult({ tokenHead: 'Bearer ' }), 'result.token');
  });

  it('product lines: an unnamed line gets its known name, an entry without an ID is skipped', () => {
    expect(
      parseProductLines([{ productId: 12 }, { name: 'Mystery' }, { productId: '99', name: '' }]),
    ).toEqual({
      productLines: [
        { productId: '12', name: 'P-Series Software Edition' },
        { productId: '99', name: 'Product 99' },
      ],
      skipped: [{ index: 1, productNo: null, field: 'productId', reason: 'is missing or empty' }],
    });
  });

  it('purchase info: a plan without pricingPlanId is an error naming it; lists may sit one level up', () => {
    expectSchemaError(
      () => parsePurchaseProductInfo({ quPurchaseInfo: { purchasePlanInfoList: [{ name: 'X' }] } }),
      'result.quPurchaseInfo.purchasePlanInfoList[0].pricingPlanId',
    );
    expect(
      parsePurchaseProductInfo({
        offeringId: 1,
        purchasePlanInfoList: [{ pricingPlanId: 7, purchasePricingInfoList: null }],
        purchaseServiceInfoList: null,
      }),
    ).toEqual({
      offeringId: '1',
      productName: null,
      purchasePlanInfoList: [
        {
          name: null,
          planId: null,
          pricingPlanId: '7',
          purchasePricingInfoList: [],
          trialPeriod: null,
          trialPrice: null,
        },
      ],
      purchaseServiceInfoList: [],
    });
  });

  it('plan_info: known fields typed, the rest kept in extra', () => {
    expect(
      parsePlanRenewalInfo({
        name: 'Enterprise Plan',
        planId: '3049040650094403584',
        pricingPlanId: 15438,
        billingCycleList: ['annually'],
        billingModelList: null,
        connectionServiceList: [
          {
            billingModel: 'recurring',
            billingCycle: 'annually',
            connectionServiceList: [
              { name: 'PMS', pricingServiceId: 22986, purchaseType: ['renew'], trialQuantity: '2' },
            ],
          },
        ],
        purchaseMultiCycleList: [1, 2],
        somethingNew: 'kept',
      }),
    ).toEqual({
      name: 'Enterprise Plan',
      planId: '3049040650094403584',
      pricingPlanId: '15438',
      billingCycleList: ['annually'],
      billingModelList: [],
      connectionServiceList: [
        {
          billingModel: 'recurring',
          billingCycle: 'annually',
          connectionServiceList: [
            {
              billingCycleList: [],
              billingModelList: [],
              name: 'PMS',
              pricingServiceId: '22986',
              purchaseParameter: null,
              purchaseParameterId: null,
              purchaseType: ['renew'],
              serviceId: null,
              trialPeriod: null,
              trialPrice: null,
              trialQuantity: 2,
              unitName: null,
            },
          ],
        },
      ],
      extra: { purchaseMultiCycleList: [1, 2], somethingNew: 'kept' },
    });
  });

  it('an activation code answer without a code is an error that does not echo the body', () => {
    const error = expectSchemaError(() => parseActivationCode({ code: '', generateTime: 1 }), 'result.code');
    expect(error.message).toBe('result.code: is missing or empty');
    expectSchemaError(() => parseActivationCode({ code: { secret: 'ABCD-EFGH' } }), 'result.code');
  });
});
