import type { CreateOrderRequest, OrderServiceItem } from '../yeastar/orders.js';
import type { Instance } from '../yeastar/types.js';

/**
 * The renewal order for an instance as it is now (pure). The guide's rules decide its shape: the
 * quantity is the current one (any other fails), a PBX's plan and its services renew together in one
 * order (`renew_plan`), and the billing cycle stays what it is. An instance without a plan renews its
 * services (`renew_service`). Only what the user may choose comes in: billing contact, PO number,
 * number of cycles.
 */

export type RenewChoices = { billingId: string; poNumber?: string | undefined; cycles: number };

/** The current billing cycle: the API lists none on the instance, and every renewable line is annual today. */
export const DEFAULT_BILLING_CYCLE = 'annually';
export const MAX_CYCLES = 5;

function quantityOf(raw: string | null): number {
  const n = Number(raw ?? '1');
  return Number.isInteger(n) && n > 0 ? n : 1;
}

export function renewalItems(instance: Instance, cycles: number, billingCycle = DEFAULT_BILLING_CYCLE) {
  const items: OrderServiceItem[] = [];
  if (instance.planId) {
    items.push({
      serviceType: 'plan',
      serviceId: instance.planId,
      quantity: quantityOf(instance.quantity),
      purchaseType: 'renew',
      billingModel: 'recurring',
      billingCycle,
      multiCycle: cycles,
    });
  }
  for (const service of instance.serviceList) {
    // A service without an expiry date is not a subscription (a one-off purchase): nothing to renew.
    if (!service.serviceId || service.serviceExpireDate === null) continue;
    items.push({
      serviceType: 'service',
      serviceId: service.serviceId,
      ...(instance.planId ? { connectionPlanId: instance.planId } : {}),
      quantity: quantityOf(service.quantity),
      purchaseType: 'renew',
      billingModel: 'recurring',
      billingCycle,
      multiCycle: cycles,
    });
  }
  return items;
}

export function buildOrderRequest(instance: Instance, choices: RenewChoices): CreateOrderRequest {
  const poNumber = choices.poNumber?.trim();
  return {
    operationType: instance.planId ? 'renew_plan' : 'renew_service',
    productNo: instance.productNo,
    productId: Number(instance.productId),
    billingId: choices.billingId,
    ...(poNumber ? { poNumber } : {}),
    serviceList: renewalItems(instance, choices.cycles),
  };
}
