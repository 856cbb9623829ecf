/**
 * What the simulated partner may sell: one offering per product line with its plans and services.
 * The P-Series Software Edition entries reuse the IDs printed on reference page 002, and the Cloud
 * Edition's Ultimate Plan and Recording Minutes reuse page 000's, so the example records and the
 * generated ones resolve against the same catalog.
 */

export type CatalogPlan = {
  name: string;
  /** 19 digits: always a string on the wire, like the examples. */
  planId: string;
  pricingPlanId: number;
  trialPeriod: number | null;
};

export type CatalogService = {
  name: string;
  serviceId: string;
  pricingServiceId: number;
  /** What a renewal buys more of ("" when nothing is counted), as `add_on_info` reports it. */
  purchaseParameter: string;
  purchaseParameterId: number | null;
  unitName: string;
  billingModel: 'once' | 'recurring';
  /** Quantities an instance may hold of it. */
  quantities: readonly string[];
};

export type CatalogLine = {
  productId: number;
  name: string;
  offeringId: string;
  /** The name `purchase_product_info` gives the offering (not always the product line's name). */
  productName: string;
  plans: readonly CatalogPlan[];
  services: readonly CatalogService[];
  /** Share of generated instances, in twentieths. */
  weight: number;
};

export const CATALOG: readonly CatalogLine[] = [
  {
    productId: 13,
    name: 'P-Series Cloud Edition',
    offeringId: '3048571812562485248',
    productName: 'P-Series Cloud Edition',
    weight: 8,
    plans: [
      { name: 'Standard Plan', planId: '3048571999213469696', pricingPlanId: 15301, trialPeriod: 30 },
      { name: 'Enterprise Plan', planId: '3048572011712774144', pricingPlanId: 15302, trialPeriod: 30 },
      { name: 'Ultimate Plan', planId: '3048572026291630080', pricingPlanId: 15303, trialPeriod: 30 },
    ],
    services: [
      {
        name: 'Recording Minutes',
        serviceId: '3048573759449317376',
        pricingServiceId: 22101,
        purchaseParameter: 'Recording Minutes',
        purchaseParameterId: 501,
        unitName: 'minutes',
        billingModel: 'recurring',
        quantities: ['100', '500', '1000'],
      },
      {
        name: 'Extension Expansion',
        serviceId: '3048573900331409408',
        pricingServiceId: 22102,
        purchaseParameter: 'Extensions',
        purchaseParameterId: 502,
        unitName: 'extensions',
        billingModel: 'recurring',
        quantities: ['5', '10', '20', '50'],
      },
      {
        name: 'PMS',
        serviceId: '3048574018120048640',
        pricingServiceId: 22103,
        purchaseParameter: '',
        purchaseParameterId: null,
        unitName: '',
        billingModel: 'recurring',
        quantities: ['1'],
      },
      {
        name: 'Concurrent Call Expansion',
        serviceId: '3048574129766629376',
        pricingServiceId: 22104,
        purchaseParameter: 'Concurrent Calls',
        purchaseParameterId: 504,
        unitName: 'calls',
        billingModel: 'recurring',
        quantities: ['4', '8', '16'],
      },
    ],
  },
  {
    productId: 12,
    name: 'P-Series Software Edition',
    offeringId: '3049039276655034368',
    productName: 'Software PBX (PSE Self-hosted)',
    weight: 5,
    plans: [
      { name: 'Standard Plan', planId: '3049040211358810112', pricingPlanId: 15437, trialPeriod: 30 },
      { name: 'Enterprise Plan', planId: '3049040650094403584', pricingPlanId: 15438, trialPeriod: 30 },
      { name: 'Ultimate Plan', planId: '3049041101760282624', pricingPlanId: 15439, trialPeriod: 30 },
    ],
    services: [
      {
        name: 'Extension Expansion',
        serviceId: '3049060579827040256',
        pricingServiceId: 22983,
        purchaseParameter: 'Extensions',
        purchaseParameterId: 601,
        unitName: 'extensions',
        billingModel: 'recurring',
        quantities: ['10', '20', '50'],
      },
      {
        name: 'Hot Standby',
        serviceId: '3049060920480022528',
        pricingServiceId: 22984,
        purchaseParameter: '',
        purchaseParameterId: null,
        unitName: '',
        billingModel: 'recurring',
        quantities: ['1'],
      },
      {
        name: 'Maintenance',
        serviceId: '3111639376985194496',
        pricingServiceId: 22985,
        purchaseParameter: '',
        purchaseParameterId: null,
        unitName: '',
        billingModel: 'once',
        quantities: ['1'],
      },
      {
        name: 'Outbound Call Center',
        serviceId: '3302296213345505280',
        pricingServiceId: 57551,
        purchaseParameter: 'Agents',
        purchaseParameterId: 603,
        unitName: 'agents',
        billingModel: 'recurring',
        quantities: ['5', '10'],
      },
      {
        name: 'PMS',
        serviceId: '3115983610256539648',
        pricingServiceId: 22986,
        purchaseParameter: '',
        purchaseParameterId: null,
        unitName: '',
        billingModel: 'recurring',
        quantities: ['1'],
      },
    ],
  },
  {
    productId: 11,
    name: 'P-Series Plan for Appliance Edition',
    offeringId: '3116036551223824384',
    productName: 'P-Series Plan for Appliance Edition',
    weight: 4,
    plans: [
      { name: 'Standard Plan', planId: '3116036802546519040', pricingPlanId: 27901, trialPeriod: null },
      { name: 'Enterprise Plan', planId: '3116036918267363328', pricingPlanId: 27902, trialPeriod: 30 },
      { name: 'Ultimate Plan', planId: '3116037024106430464', pricingPlanId: 27903, trialPeriod: 30 },
    ],
    services: [
      {
        name: 'Hotel PMS Integration',
        serviceId: '3116037397465776128',
        pricingServiceId: 27946,
        purchaseParameter: '',
        purchaseParameterId: null,
        unitName: '',
        billingModel: 'recurring',
        quantities: ['1'],
      },
      {
        name: 'Hot Standby',
        serviceId: '3116037511093665792',
        pricingServiceId: 27947,
        purchaseParameter: '',
        purchaseParameterId: null,
        unitName: '',
        billingModel: 'recurring',
        quantities: ['1'],
      },
      {
        name: 'Maintenance',
        serviceId: '3116037629851189248',
        pricingServiceId: 27948,
        purchaseParameter: '',
        purchaseParameterId: null,
        unitName: '',
        billingModel: 'once',
        quantities: ['1'],
      },
      {
        name: 'Recording Minutes',
        serviceId: '3116037740878610432',
        pricingServiceId: 27949,
        purchaseParameter: 'Recording Minutes',
        purchaseParameterId: 701,
        unitName: 'minutes',
        billingModel: 'recurring',
        quantities: ['100', '500'],
      },
    ],
  },
  {
    productId: 9,
    name: 'Linkus Cloud Service',
    offeringId: '3062135004735635456',
    productName: 'Linkus Cloud Service',
    weight: 3,
    plans: [
      { name: 'Essential Plan', planId: '3062135190732044288', pricingPlanId: 12801, trialPeriod: 30 },
      { name: 'Pro Plan', planId: '3062135301646217216', pricingPlanId: 12802, trialPeriod: 30 },
    ],
    services: [
      {
        name: 'Extension Expansion',
        serviceId: '3062135433322205184',
        pricingServiceId: 12851,
        purchaseParameter: 'Linkus Users',
        purchaseParameterId: 801,
        unitName: 'users',
        billingModel: 'recurring',
        quantities: ['10', '25', '50'],
      },
      {
        name: 'Maintenance',
        serviceId: '3062135544173461504',
        pricingServiceId: 12852,
        purchaseParameter: '',
        purchaseParameterId: null,
        unitName: '',
        billingModel: 'once',
        quantities: ['1'],
      },
    ],
  },
];

const BY_ID = new Map(CATALOG.map((line) => [String(line.productId), line]));

export function catalogLine(productId: string): CatalogLine | undefined {
  return BY_ID.get(productId);
}

/** Slots of a block of 20 consecutive indexes, by weight: the product-line mix, 40/25/20/15 %. */
export const BLOCK_SIZE = CATALOG.reduce((sum, line) => sum + line.weight, 0);
