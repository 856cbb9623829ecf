import { EXAMPLE_INSTANCE_LIST } from '../../sim/examples.js';
import { parseJsonSafe } from '../../src/util/json.js';
import { parseInstancePage } from '../../src/yeastar/schemas.js';
import type { Instance, InstanceService } from '../../src/yeastar/types.js';

/** Shared by the rules and render tests: instances built by hand, and the two examples of page 000. */

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** Noon UTC, so that whole days before and after stay on distinct calendar days in UTC. */
export const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);
export const THRESHOLDS = [30, 14, 7, 3, 1] as const;

export function service(overrides: Partial<InstanceService> = {}): InstanceService {
  return {
    serviceId: '3048573759449317376',
    serviceName: 'Recording Minutes',
    serviceStatus: 'subscribing',
    serviceExpireDate: NOW + 200 * DAY,
    serviceAutoRenewal: false,
    servicePeriod: null,
    quantity: '100',
    ...overrides,
  };
}

export function instance(overrides: Partial<Instance> = {}): Instance {
  return {
    productId: '13',
    productNo: '3658B4311196UZ4A',
    activationCode: 'EQQI-CFKS-KSKW-EFFP-KQE6',
    activationStatus: 'activated',
    comment: null,
    createTime: null,
    currentPlan: null,
    currentPlanExpireDate: null,
    customerEmail: null,
    endUserInfo: {
      address: 'Customer Address.',
      companyName: 'PCE Customer Test Company',
      contactName: 'PCE Customer Test',
      email: 'customer@test.com',
    },
    model: null,
    nextPlan: null,
    nextPlanExpireDate: null,
    nextPlanStartDate: null,
    partnerEmail: 'example@outlook.com',
    planAutoRenewal: false,
    planExpireDate: NOW + 200 * DAY,
    planId: '3048572026291630080',
    planName: 'Ultimate Plan',
    planServicePeriod: null,
    planStatus: 'subscribing',
    productAdminEmail: 'admin@testmail.com',
    quantity: '5',
    referrer: null,
    serviceList: [],
    url: 'docs.test.yeastarcloud.com',
    yeastarId: 'test@mailtest.com',
    ...overrides,
  };
}

/** The two instances printed on reference page 000, parsed the way the client parses them. */
export function pageExamples(): { trialing: Instance; switching: Instance } {
  const envelope = parseJsonSafe(EXAMPLE_INSTANCE_LIST) as { result: unknown };
  const page = parseInstancePage(envelope.result, '13');
  const [trialing, switching] = page.instances;
  if (!trialing || !switching) throw new Error('page 000 example did not parse into two instances');
  return { trialing, switching };
}

export const EXAMPLE_ACTIVATION_CODE = 'EQQI-CFKS-KSKW-EFFP-KQE6';
