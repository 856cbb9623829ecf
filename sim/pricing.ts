import type { CatalogLine, CatalogService } from './catalog.js';

/**
 * The pricing answers (`purchase_product_info`, `renew/add_on_info`, `renew/plan_info`) built from the
 * catalog, in the shapes of reference pages 002 and 003. When an instance is given, its own plan
 * and services are the ones offered for renewal, so a client can always follow an instance to the
 * pricing IDs it needs.
 */

export type InstanceOffer = {
  planId: string | undefined;
  serviceIds: readonly string[];
  /** False when the instance's plan cannot be renewed (a deterministic ~5 % of instances). */
  planRenewable: boolean;
};

type Pricing = { cycle: string; purchaseType: string[] };

function servicePricing(service: CatalogService, owned: boolean): Pricing[] {
  const types = owned ? ['purchase', 'renew'] : ['purchase'];
  return service.billingModel === 'once'
    ? [
        { cycle: 'once', purchaseType: ['purchase'] },
        { cycle: 'annually', purchaseType: types },
      ]
    : [{ cycle: 'annually', purchaseType: types }];
}

export function purchaseProductInfo(line: CatalogLine, offer: InstanceOffer | undefined) {
  return {
    offeringId: line.offeringId,
    productName: line.productName,
    quPurchaseInfo: {
      purchasePlanInfoList: line.plans.map((plan) => {
        let purchaseType: string[];
        if (!offer) purchaseType = plan.trialPeriod === null ? ['purchase'] : ['purchase', 'trial'];
        else if (plan.planId === offer.planId) purchaseType = offer.planRenewable ? ['renew'] : [];
        else purchaseType = plan.trialPeriod === null ? ['switch'] : ['trial', 'switch'];
        return {
          name: plan.name,
          planId: plan.planId,
          pricingPlanId: plan.pricingPlanId,
          purchasePricingInfoList: purchaseType.length > 0 ? [{ cycle: 'annually', purchaseType }] : [],
          trialPeriod: plan.trialPeriod,
          trialPrice: plan.trialPeriod === null ? null : 0,
        };
      }),
      purchaseServiceInfoList: line.services.map((service) => ({
        isConnect: true,
        name: service.name,
        pricingServiceId: service.pricingServiceId,
        purchasePricingInfoList: servicePricing(
          service,
          offer?.serviceIds.includes(service.serviceId) ?? false,
        ),
        serviceId: service.serviceId,
        trialPeriod: service.billingModel === 'once' ? null : 30,
        trialPrice: 0,
      })),
    },
  };
}

export function addOnInfo(line: CatalogLine, service: CatalogService) {
  // Extension Expansion drags its maintenance along on renewal: one example of a connected service.
  const maintenance = line.services.find((s) => s.name === 'Maintenance');
  const connected =
    service.name === 'Extension Expansion' && maintenance
      ? [
          {
            billingModel: 'recurring',
            billingCycle: 'annually',
            connectionServiceList: [
              {
                billingCycleList: ['annually'],
                billingModelList: [maintenance.billingModel],
                name: maintenance.name,
                pricingServiceId: maintenance.pricingServiceId,
                purchaseParameter: maintenance.purchaseParameter,
                purchaseParameterId: maintenance.purchaseParameterId,
                purchaseType: ['renew'],
                serviceId: maintenance.serviceId,
                trialPeriod: null,
                trialPrice: null,
                trialQuantity: null,
                unitName: maintenance.unitName,
              },
            ],
          },
        ]
      : [];
  return {
    billingCycleList:
      service.billingModel === 'recurring' && line.productId !== 11 ? ['annually', 'monthly'] : ['annually'],
    billingModelList: [service.billingModel],
    connectionServiceList: connected,
    name: service.name,
    pricingServiceId: service.pricingServiceId,
    purchaseMultiCycleList: [],
    purchaseParameter: service.purchaseParameter,
    purchaseParameterId: service.purchaseParameterId,
    serviceId: service.serviceId,
    unitName: service.unitName,
  };
}

/** The guide prints no example for plan renewal info; this shape mirrors the service one. */
export function planInfo(line: CatalogLine, pricingPlanId: number) {
  const plan = line.plans.find((p) => p.pricingPlanId === pricingPlanId);
  if (!plan) return undefined;
  return {
    name: plan.name,
    planId: plan.planId,
    pricingPlanId: plan.pricingPlanId,
    billingCycleList: ['annually'],
    billingModelList: ['recurring'],
    connectionServiceList: [],
  };
}
