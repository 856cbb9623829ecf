import type { z } from 'zod';
import type {
  PurchasePlanInfo,
  PurchasePricing,
  PurchaseProductInfo,
  PurchaseServiceInfo,
} from '../types.js';
import { flag, id, list, num, object, requiredId, stringList, text } from './fields.js';
import { parseWith } from './schema-error.js';

const pricingSchema = object({
  cycle: text,
  purchaseType: stringList,
}) satisfies z.ZodType<PurchasePricing, unknown>;

const planInfoSchema = object({
  name: text,
  planId: id,
  pricingPlanId: requiredId,
  purchasePricingInfoList: list(pricingSchema),
  trialPeriod: num,
  trialPrice: num,
}) satisfies z.ZodType<PurchasePlanInfo, unknown>;

const serviceInfoSchema = object({
  isConnect: flag,
  name: text,
  pricingServiceId: requiredId,
  purchasePricingInfoList: list(pricingSchema),
  serviceId: id,
  trialPeriod: num,
  trialPrice: num,
}) satisfies z.ZodType<PurchaseServiceInfo, unknown>;

const purchaseListsSchema = object({
  purchasePlanInfoList: list(planInfoSchema),
  purchaseServiceInfoList: list(serviceInfoSchema),
});

// The lists sit under `quPurchaseInfo` on the reference page; tolerate them one level up as well.
const purchaseProductInfoSchema = object({
  offeringId: id,
  productName: text,
  quPurchaseInfo: purchaseListsSchema.nullish(),
  purchasePlanInfoList: list(planInfoSchema),
  purchaseServiceInfoList: list(serviceInfoSchema),
});

/** `purchase_product_info`: what an instance's product line sells, with the pricing IDs to renew. */
export function parsePurchaseProductInfo(raw: unknown): PurchaseProductInfo {
  const p = parseWith(purchaseProductInfoSchema, raw, 'result');
  return {
    offeringId: p.offeringId,
    productName: p.productName,
    purchasePlanInfoList: p.quPurchaseInfo?.purchasePlanInfoList ?? p.purchasePlanInfoList,
    purchaseServiceInfoList: p.quPurchaseInfo?.purchaseServiceInfoList ?? p.purchaseServiceInfoList,
  };
}
