import type { Enrichment, Evaluation, RenewalOption } from '../alerts/types.js';
import { YeastarApiError } from '../yeastar/errors.js';
import type { PurchasePricing, YeastarClient } from '../yeastar/types.js';

/**
 * Renewal options for one alert: `purchase_product_info` maps the services involved to their
 * `pricingServiceId` and says whether the plan can be renewed; `renew/add_on_info` (per service) and
 * `renew/plan_info` (when the plan itself is the finding) give the billing cycles. Each endpoint is
 * called at most once per alert; the caller caches the result for the cycle.
 */

function canRenew(pricing: PurchasePricing[]): boolean {
  return pricing.some((p) => p.purchaseType.some((t) => t.toLowerCase() === 'renew'));
}

function isMissing(error: unknown): boolean {
  return error instanceof YeastarApiError && (error.status === 404 || /not_?found/i.test(error.code));
}

export async function buildEnrichment(client: YeastarClient, evaluation: Evaluation): Promise<Enrichment> {
  const { productId, productNo, planName } = evaluation.subject;
  const purchase = await client.getPurchaseInfo(productId, productNo);
  // The renewal look-ups below do not depend on each other: asked together, an alert holds its enrich
  // worker for about two API round trips instead of one per service; the options keep their order.
  const lookups: Array<Promise<RenewalOption | null>> = [];

  const planOption = async (): Promise<RenewalOption | null> => {
    if (!evaluation.findings.some((f) => f.subject === 'plan')) return null;
    const plans = purchase.purchasePlanInfoList;
    // Evaluations keep the plan's name, not its id; a single offered plan is the instance's plan.
    const plan =
      plans.find((p) => p.name !== null && p.name === planName) ??
      (plans.length === 1 ? plans[0] : undefined);
    if (plan) {
      const renewable = canRenew(plan.purchasePricingInfoList);
      const option: RenewalOption = {
        subject: 'plan',
        name: plan.name ?? planName ?? 'Unnamed plan',
        id: plan.planId,
        pricingId: plan.pricingPlanId,
        renewable,
        billingCycles: [
          ...new Set(plan.purchasePricingInfoList.map((p) => p.cycle).filter((c): c is string => c !== null)),
        ],
        billingModels: [],
      };
      if (renewable) {
        const info = await client.getPlanRenewalInfo(plan.pricingPlanId, productId, productNo);
        if (info.billingCycleList.length > 0) option.billingCycles = info.billingCycleList;
        option.billingModels = info.billingModelList;
      }
      return option;
    }
    return null;
  };
  lookups.push(planOption());

  const serviceIds = [
    ...new Set(
      evaluation.findings
        .filter((f) => f.subject === 'service' && f.serviceId !== null)
        .map((f) => f.serviceId as string),
    ),
  ];
  const serviceOption = async (serviceId: string): Promise<RenewalOption> => {
    const finding = evaluation.findings.find((f) => f.serviceId === serviceId);
    const offered = purchase.purchaseServiceInfoList.find((s) => s.serviceId === serviceId);
    const option: RenewalOption = {
      subject: 'service',
      name: finding?.name ?? offered?.name ?? 'Unnamed service',
      id: serviceId,
      pricingId: offered?.pricingServiceId ?? null,
      renewable: false,
      billingCycles: [],
      billingModels: [],
    };
    if (offered) {
      try {
        const info = await client.getServiceRenewalInfo(offered.pricingServiceId, productId, productNo);
        option.renewable = true;
        option.billingCycles = info.billingCycleList;
        option.billingModels = info.billingModelList;
      } catch (error) {
        // The API has no renewal offer for this service: that is an answer, not a failure.
        if (!isMissing(error)) throw error;
      }
    }
    return option;
  };
  for (const serviceId of serviceIds) lookups.push(serviceOption(serviceId));
  const options = (await Promise.all(lookups)).filter((o): o is RenewalOption => o !== null);
  return { options, error: null };
}
