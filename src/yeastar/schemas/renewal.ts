import type { z } from 'zod';
import type {
  PlanRenewalInfo,
  RenewalAdditionalService,
  RenewalServiceDetails,
  ServiceRenewalInfo,
} from '../types.js';
import { anyList, id, list, num, object, stringList, text } from './fields.js';
import { parseWith } from './schema-error.js';

const renewalServiceDetailsSchema = object({
  billingCycleList: stringList,
  billingModelList: stringList,
  name: text,
  pricingServiceId: id,
  purchaseParameter: text,
  purchaseParameterId: id,
  purchaseType: stringList,
  serviceId: id,
  trialPeriod: num,
  trialPrice: num,
  trialQuantity: num,
  unitName: text,
}) satisfies z.ZodType<RenewalServiceDetails, unknown>;

const additionalServiceSchema = object({
  billingModel: text,
  billingCycle: text,
  connectionServiceList: list(renewalServiceDetailsSchema),
}) satisfies z.ZodType<RenewalAdditionalService, unknown>;

const serviceRenewalSchema = object({
  billingCycleList: stringList,
  billingModelList: stringList,
  connectionServiceList: list(additionalServiceSchema),
  name: text,
  pricingServiceId: id,
  purchaseMultiCycleList: anyList,
  purchaseParameter: text,
  purchaseParameterId: id,
  serviceId: id,
  unitName: text,
}) satisfies z.ZodType<ServiceRenewalInfo, unknown>;

/** `renew/add_on_info`: how a service can be renewed. */
export function parseServiceRenewalInfo(raw: unknown): ServiceRenewalInfo {
  return parseWith(serviceRenewalSchema, raw, 'result');
}

const planRenewalSchema = object({
  name: text,
  planId: id,
  pricingPlanId: id,
  billingCycleList: stringList,
  billingModelList: stringList,
  connectionServiceList: list(additionalServiceSchema),
});

/** `renew/plan_info` has no documented example: typed fields as on the service page, the rest in `extra`. */
export function parsePlanRenewalInfo(raw: unknown): PlanRenewalInfo {
  const known = parseWith(planRenewalSchema, raw, 'result');
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(key in planRenewalSchema.shape)) extra[key] = value;
  }
  return { ...known, extra };
}
