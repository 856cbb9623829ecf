/**
 * Our own types for what the Partner Portal OpenAPI returns, after validation at the boundary
 * (`schemas.ts`). Conventions, the same for every type:
 * - every ID (productId, planId, serviceId, pricingPlanId, pricingServiceId, offeringId, …) is a
 *   string: 19-digit IDs are not safe JavaScript numbers;
 * - every date is epoch milliseconds (number) or null when the API sent null, "" or nothing;
 * - optional text is a non-empty string or null ("" becomes null);
 * - 0/1 flags become booleans, or null when absent;
 * - lists are arrays, never null (a null list becomes []).
 * Every field documented on the reference pages is kept.
 */

/** Plan statuses the API documents; an unknown one is kept as it came. */
export const PLAN_STATUSES = [
  'trialing',
  'subscribing',
  'purchased',
  'expiring',
  'expired',
  'switching',
] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

export type ProductLine = {
  productId: string;
  name: string;
};

export type EndUserInfo = {
  address: string | null;
  companyName: string | null;
  contactName: string | null;
  email: string | null;
};

export type InstanceService = {
  serviceId: string | null;
  serviceName: string | null;
  serviceStatus: string | null;
  serviceExpireDate: number | null;
  serviceAutoRenewal: boolean | null;
  servicePeriod: number | null;
  quantity: string | null;
};

export type Instance = {
  /** The product line the instance was listed under (a query parameter, not a field of the record). */
  productId: string;
  /** The SN. Required: a record without it is skipped and counted. */
  productNo: string;
  /** Secret: never logged, never stored in alert state, never rendered. */
  activationCode: string | null;
  activationStatus: string | null;
  comment: string | null;
  createTime: number | null;
  currentPlan: string | null;
  currentPlanExpireDate: number | null;
  customerEmail: string | null;
  endUserInfo: EndUserInfo | null;
  model: string | null;
  nextPlan: string | null;
  nextPlanExpireDate: number | null;
  nextPlanStartDate: number | null;
  partnerEmail: string | null;
  planAutoRenewal: boolean | null;
  planExpireDate: number | null;
  planId: string | null;
  planName: string | null;
  planServicePeriod: number | null;
  planStatus: PlanStatus | (string & {}) | null;
  productAdminEmail: string | null;
  quantity: string | null;
  referrer: string | null;
  serviceList: InstanceService[];
  url: string | null;
  yeastarId: string | null;
};

/** A record the client could not use, with the reason; the rest of its page is kept. */
export type SkippedRecord = {
  index: number;
  productNo: string | null;
  field: string;
  reason: string;
};

export type InstancePage = {
  productId: string;
  pageNo: number;
  pageSize: number;
  count: number;
  total: number;
  totalPage: number;
  instances: Instance[];
  skipped: SkippedRecord[];
  requestId: string;
};

export type PurchasePricing = {
  cycle: string | null;
  purchaseType: string[];
};

export type PurchasePlanInfo = {
  name: string | null;
  planId: string | null;
  pricingPlanId: string;
  purchasePricingInfoList: PurchasePricing[];
  trialPeriod: number | null;
  trialPrice: number | null;
};

export type PurchaseServiceInfo = {
  isConnect: boolean | null;
  name: string | null;
  pricingServiceId: string;
  purchasePricingInfoList: PurchasePricing[];
  serviceId: string | null;
  trialPeriod: number | null;
  trialPrice: number | null;
};

export type PurchaseProductInfo = {
  offeringId: string | null;
  productName: string | null;
  purchasePlanInfoList: PurchasePlanInfo[];
  purchaseServiceInfoList: PurchaseServiceInfo[];
};

export type RenewalServiceDetails = {
  billingCycleList: string[];
  billingModelList: string[];
  name: string | null;
  pricingServiceId: string | null;
  purchaseParameter: string | null;
  purchaseParameterId: string | null;
  purchaseType: string[];
  serviceId: string | null;
  trialPeriod: number | null;
  trialPrice: number | null;
  trialQuantity: number | null;
  unitName: string | null;
};

export type RenewalAdditionalService = {
  billingModel: string | null;
  billingCycle: string | null;
  connectionServiceList: RenewalServiceDetails[];
};

/** `renew/add_on_info/{pricingServiceId}`: how one service can be renewed. */
export type ServiceRenewalInfo = {
  billingCycleList: string[];
  billingModelList: string[];
  connectionServiceList: RenewalAdditionalService[];
  name: string | null;
  pricingServiceId: string | null;
  purchaseMultiCycleList: unknown[];
  purchaseParameter: string | null;
  purchaseParameterId: string | null;
  serviceId: string | null;
  unitName: string | null;
};

/**
 * `renew/plan_info/{pricingPlanId}`: how a plan can be renewed. The guide gives no response example,
 * so only fields shared with the service page are typed; the rest is kept in `extra`.
 */
export type PlanRenewalInfo = {
  name: string | null;
  planId: string | null;
  pricingPlanId: string | null;
  billingCycleList: string[];
  billingModelList: string[];
  connectionServiceList: RenewalAdditionalService[];
  extra: Record<string, unknown>;
};

/** Secret: the `code` is shown only to allowed users and never logged or stored. */
export type ActivationCode = {
  code: string;
  generateTime: number | null;
};

/** Per-endpoint counters a client keeps: what the check summary and metrics report. */
export type ClientStats = {
  calls: number;
  errors: number;
  retries: number;
  tokenRequests: number;
  skippedRecords: number;
  /**
   * Milliseconds requests held one of the `concurrency` slots, summed: from sending to the whole body
   * read, on the HTTP worker thread (transport.ts). Divided by the attempts, the time an API request
   * really takes, as this process sees it.
   */
  slotMs: number;
  /**
   * Slot-milliseconds no request held, since the client was made. Over a cycle, divided by the
   * concurrency: how long the API's concurrency sat unused (waiting for work, at a cycle's start and end).
   */
  idleSlotMs: number;
  byEndpoint: Record<string, { calls: number; errors: number; byCode: Record<string, number> }>;
};

export interface YeastarClient {
  listProductLines(): Promise<ProductLine[]>;
  /** One page of a product line's instances; `pageSize` at most 100. */
  getInstancePage(productId: string, pageNo: number, pageSize?: number): Promise<InstancePage>;
  /** Every page in turn, following the `totalPage` each answer gives; holds one page at a time. */
  listInstances(productId: string, options?: { pageSize?: number }): AsyncIterable<InstancePage>;
  /** `instance_product/v1/detail`: one instance by SN, or null when the API says it does not exist. */
  getInstance(productId: string, productNo: string): Promise<Instance | null>;
  getPurchaseInfo(productId: string, productNo: string): Promise<PurchaseProductInfo>;
  getServiceRenewalInfo(
    pricingServiceId: string,
    productId: string,
    productNo: string,
  ): Promise<ServiceRenewalInfo>;
  getPlanRenewalInfo(pricingPlanId: string, productId: string, productNo: string): Promise<PlanRenewalInfo>;
  /** P-Series Software Edition (productId 12) only. */
  getActivationCode(productNo: string): Promise<ActivationCode>;
  stats(): ClientStats;
}

/** Product line IDs the guide names; any other ID is shown by the name `product_list` gave it. */
export const KNOWN_PRODUCT_LINES: Readonly<Record<string, string>> = Object.freeze({
  '9': 'Linkus Cloud Service',
  '11': 'P-Series Plan for Appliance Edition',
  '12': 'P-Series Software Edition',
  '13': 'P-Series Cloud Edition',
  '14': 'P-Series Turnkey Package',
  '15': 'Remote Management',
  '19': 'Add-on Service (YCM White Label)',
  '21': 'RM Premium',
});

export const SOFTWARE_EDITION_PRODUCT_ID = '12';
