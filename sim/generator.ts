import { BLOCK_SIZE, CATALOG, type CatalogLine, type CatalogPlan, catalogLine } from './catalog.js';
import { createRng, hashInts, type Rng } from './random.js';

/**
 * Instance `i` of a simulated partner is a pure function of (seed, i, anchorMs): nothing is stored, so
 * a million instances cost no memory and page 5,000 costs as much as page 1. Product lines come in
 * blocks of 20 consecutive indexes (8 Cloud, 5 Software, 4 Appliance, 3 Linkus, shuffled per block),
 * which lets `indexAt` find the k-th instance of a line without scanning.
 */

export type RawService = {
  quantity: string;
  serviceAutoRenewal: number;
  serviceExpireDate: number | null;
  serviceId: string;
  serviceName: string;
  /** P-Series Software Edition only. */
  servicePeriod?: number;
  serviceStatus: string;
};

export type RawEndUserInfo = {
  address: string;
  companyName: string;
  contactName: string;
  email: string;
};

/** One record of `instance_product_list` / `detail` as it goes on the wire (page 000's fields). */
export type RawInstance = {
  activationCode?: string;
  activationStatus: string;
  comment: string;
  createTime: number | null;
  currentPlan: string;
  currentPlanExpireDate: number | null;
  customerEmail: string;
  endUserInfo: RawEndUserInfo | null;
  model: string;
  nextPlan: string;
  nextPlanExpireDate: number | null;
  nextPlanStartDate: number | null;
  partnerEmail: string;
  planAutoRenewal: number;
  planExpireDate: number | null;
  planId: string;
  planName: string;
  /** P-Series Software Edition only. */
  planServicePeriod?: number;
  planStatus: string;
  productAdminEmail: string;
  productNo: string;
  quantity: string;
  referrer: string;
  serviceList: RawService[];
  url: string;
  yeastarId: string;
};

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Healthy instances expire later than this many days after the anchor. */
export const HEALTHY_AFTER_DAYS = 45;
/** Attention instances expire within this many days (or have already expired, or say so). */
export const ATTENTION_WITHIN_DAYS = 30;

export const SN_PREFIX = '3658B43';
const SN_SUFFIX_LENGTH = 9;

// Purpose tags keep the random streams for different questions about the same index apart.
const TAG_BLOCK = 1;
const TAG_RECORD = 2;
const TAG_SN = 3;
const TAG_RENEW = 4;
const TAG_CODE = 5;

/** The ~6 % of instances that need attention when the caller does not say. */
export function defaultAttention(instances: number): number {
  return Math.round(instances * 0.06);
}

/**
 * Whether instance `i` of `n` is one of the `attention` that need it: every floor(n/attention)-th
 * index from 0, the first `attention` of those. Exactly `attention` indexes qualify.
 */
export function isAttentionIndex(i: number, n: number, attention: number): boolean {
  return attentionOrdinal(i, n, attention) >= 0;
}

/** Which attention instance `i` is (0, 1, 2…), or -1 for a healthy one. */
export function attentionOrdinal(i: number, n: number, attention: number): number {
  if (attention <= 0 || i < 0 || i >= n) return -1;
  const step = Math.floor(n / Math.min(attention, n));
  if (i % step !== 0) return -1;
  const ordinal = i / step;
  return ordinal < attention ? ordinal : -1;
}

/** Records with this index send `planId` as a bare 19-digit number: one per 1,000. */
export function hasBarePlanId(i: number): boolean {
  return i % 1000 === 3;
}

export type AttentionKind =
  | 'plan_expiring'
  | 'plan_expiring_status'
  | 'plan_expired'
  | 'plan_expired_stale_status'
  | 'switching'
  | 'service_expiring'
  | 'service_expired'
  | 'trial_ending'
  | 'null_expiry_expiring';

/** The cycle attention instances walk through, so every kind shows up even in a small data set. */
export const ATTENTION_KINDS: readonly AttentionKind[] = [
  'plan_expiring',
  'plan_expiring_status',
  'plan_expired',
  'switching',
  'service_expiring',
  'trial_ending',
  'plan_expiring',
  'service_expired',
  'plan_expiring_status',
  'plan_expired_stale_status',
  'switching',
  'null_expiry_expiring',
];

export type GeneratorOptions = {
  seed: number;
  instances: number;
  attention: number;
  anchorMs: number;
};

export interface InstanceGenerator {
  readonly size: number;
  readonly attention: number;
  readonly anchorMs: number;
  lineOf(i: number): CatalogLine;
  /** How many of the `size` instances belong to product line `productId`. */
  countInLine(productId: string): number;
  /** The index of the `rank`-th (from 0) instance of a line; `rank` below `countInLine`. */
  indexAt(productId: string, rank: number): number;
  /** The position of instance `i` within its own line. */
  rankOf(i: number): number;
  productNoOf(i: number): string;
  /** The index whose SN this is, or undefined when no generated instance has it. */
  indexOfProductNo(productNo: string): number | undefined;
  instanceAt(i: number): RawInstance;
  attentionKindOf(i: number): AttentionKind | undefined;
  /** False for a deterministic ~5 %: their plan cannot be renewed (no `renew` purchase type). */
  isRenewable(i: number): boolean;
  /** The online activation code `activation_code` returns for a Software Edition instance. */
  activationCodeOf(i: number): { code: string; generateTime: number };
}

// SNs are an invertible affine scramble of the index modulo 36^9, written in base 36: unique,
// stable, random-looking, and mapped back to their index without a lookup table.
const SN_MODULUS = 36n ** BigInt(SN_SUFFIX_LENGTH);
const SN_MULTIPLIER = 62_768_336_472_383n;
const SN_INVERSE = modInverse(SN_MULTIPLIER, SN_MODULUS);

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error('SN multiplier is not invertible');
  return ((oldS % m) + m) % m;
}

const FIRST_NAMES = [
  'Alice',
  'Bruno',
  'Chen',
  'Dana',
  'Emeka',
  'Fatima',
  'Giulia',
  'Hiroshi',
  'Ingrid',
  'José',
  'Karin',
  'Liam',
  'Mei',
  'Nikolai',
  'Olga',
  'Priya',
  'Quentin',
  'Rosa',
  'Sven',
  'Zoë',
];
const LAST_NAMES = [
  'Anders',
  'Baker',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'García',
  'Huang',
  'Ivanova',
  'Jansen',
  'Kowalski',
  'Larsen',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Petrov',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Weber',
];
const COMPANY_WORDS = [
  'Northwind',
  'Bluebird',
  'Harbor',
  'Summit',
  'Redwood',
  'Lumière',
  'Atlas',
  'Cobalt',
  'Meridian',
  'Polar',
  'Keystone',
  'Orchard',
  'Granite',
  'Silverline',
  'Beacon',
  'Cedar',
  'Müller',
  'Aurora',
  'Falcon',
  'Juniper',
];
const COMPANY_KINDS = [
  'Logistics',
  'Dental Clinic',
  'Hotel',
  'Legal',
  'Telecom',
  'Motors',
  'Bakery',
  'Insurance',
  'Consulting',
  'School',
];
const COMPANY_SUFFIXES = ['Ltd', 'GmbH', 'Inc.', 'SARL', 'S.p.A.', 'B.V.', 'LLC', '& Sons', 'Pty Ltd', ''];
const CITIES = [
  'Lisbon',
  'Hamburg',
  'Lyon',
  'Milan',
  'Utrecht',
  'Austin',
  'Osaka',
  'Perth',
  'Nairobi',
  'Oslo',
];
const STREETS = ['Harbour Road', 'Main Street', 'Rue de la Paix', 'Via Roma', 'Hauptstraße', 'Elm Avenue'];
const COMMENTS = [
  'Renewal handled by the account team',
  'Customer prefers annual billing',
  'Migrated from on-premise',
  'Call before renewing: budget approval needed',
];
const MODELS_APPLIANCE = ['P520', 'P550', 'P560', 'P570'];
const PARTNER_EMAIL = 'partner@reseller.example';
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function slugOf(text: string): string {
  return (
    text
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'customer'
  );
}

function randomText(rng: Rng, alphabet: string, length: number): string {
  let out = '';
  for (let k = 0; k < length; k++) out += alphabet[rng.int(0, alphabet.length - 1)];
  return out;
}

/** Five dash-separated groups of four, like the portal's codes. */
function activationCodeText(rng: Rng): string {
  let code = randomText(rng, CODE_ALPHABET, 4);
  for (let group = 1; group < 5; group++) code += `-${randomText(rng, CODE_ALPHABET, 4)}`;
  return code;
}

// Dates "d days ahead" stay inside day d (never past it), so day counts at the edges are exact.
// Module functions, not closures per record: the simulator generates thousands of records a second.
function healthyDate(rng: Rng, anchorMs: number): number {
  return anchorMs + rng.int(HEALTHY_AFTER_DAYS + 1, 720) * DAY_MS + rng.int(0, DAY_MS - 1);
}

function dateAhead(rng: Rng, anchorMs: number, days: number): number {
  return days === 0
    ? anchorMs + rng.int(HOUR_MS, 12 * HOUR_MS)
    : anchorMs + days * DAY_MS - rng.int(0, 12 * HOUR_MS);
}

function datePast(rng: Rng, anchorMs: number, days: number): number {
  return anchorMs - days * DAY_MS - rng.int(0, 12 * HOUR_MS);
}

const daysAhead = (rng: Rng) => rng.int(0, ATTENTION_WITHIN_DAYS);
const daysPast = (rng: Rng) => rng.int(1, 20);

type Customer = { slug: string; domain: string; person: string; endUserInfo: RawEndUserInfo | null };

/** The end customer: a company, its contact (absent for ~15 %), the names its addresses are made of. */
function drawCustomer(rng: Rng, i: number, slug30: (text: string, cut?: boolean) => string): Customer {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const companyName = [rng.pick(COMPANY_WORDS), rng.pick(COMPANY_KINDS), rng.pick(COMPANY_SUFFIXES)]
    .filter(Boolean)
    .join(' ');
  const slug = slug30(companyName) + '-' + (i % 997);
  const domain = `${slug}.example`;
  const person = `${slug30(first, false)}.${slug30(last, false)}`;
  const endUserInfo: RawEndUserInfo | null = rng.chance(0.15)
    ? null
    : {
        address: `${rng.int(1, 250)} ${rng.pick(STREETS)}, ${rng.pick(CITIES)}`,
        companyName,
        contactName: `${first} ${last}`,
        email: `${person}@${domain}`,
      };
  return { slug, domain, person, endUserInfo };
}

/** An instance's plan fields, drawn healthy and then changed by its attention kind. */
type PlanDraw = {
  plan: CatalogPlan;
  planStatus: string;
  planExpireDate: number | null;
  planAutoRenewal: number;
  currentPlan: string;
  currentPlanExpireDate: number | null;
  nextPlan: string;
  nextPlanStartDate: number | null;
  nextPlanExpireDate: number | null;
};

function drawPlan(rng: Rng, line: CatalogLine, anchorMs: number): PlanDraw {
  return {
    plan: rng.pick(line.plans),
    planStatus: rng.chance(0.7) ? 'purchased' : 'subscribing',
    planExpireDate: healthyDate(rng, anchorMs),
    planAutoRenewal: rng.chance(0.3) ? 1 : 0,
    currentPlan: '',
    currentPlanExpireDate: null,
    nextPlan: '',
    nextPlanStartDate: null,
    nextPlanExpireDate: null,
  };
}

/** The services drawn healthy, and the shuffled order of the line's services they were taken from. */
type ServicesDraw = { list: RawService[]; order: number[] };

function drawServices(
  rng: Rng,
  line: CatalogLine,
  kind: AttentionKind | undefined,
  anchorMs: number,
): ServicesDraw {
  const software = line.productId === 12;
  const serviceCount = kind === 'trial_ending' ? 0 : rng.int(0, Math.min(4, line.services.length));
  const order = line.services.map((_, k) => k);
  for (let k = order.length - 1; k > 0; k--) {
    const j = rng.int(0, k);
    [order[k], order[j]] = [order[j]!, order[k]!];
  }
  const list: RawService[] = order.slice(0, serviceCount).map((k) => {
    const service = line.services[k]!;
    return {
      quantity: rng.pick(service.quantities),
      serviceAutoRenewal: rng.chance(0.3) ? 1 : 0,
      serviceExpireDate: healthyDate(rng, anchorMs),
      serviceId: service.serviceId,
      serviceName: service.name,
      ...(software ? { servicePeriod: rng.pick([12, 24, 36]) } : {}),
      serviceStatus: rng.chance(0.8) ? 'purchased' : 'subscribing',
    };
  });
  return { list, order };
}

/** The first service, after adding a healthy one when there is none: a service-level kind needs one. */
function firstService(rng: Rng, line: CatalogLine, services: ServicesDraw, anchorMs: number): RawService {
  if (services.list.length === 0) {
    const service = line.services[services.order[0]!]!;
    services.list.push({
      quantity: rng.pick(service.quantities),
      serviceAutoRenewal: 0,
      serviceExpireDate: healthyDate(rng, anchorMs),
      serviceId: service.serviceId,
      serviceName: service.name,
      ...(line.productId === 12 ? { servicePeriod: 12 } : {}),
      serviceStatus: 'purchased',
    });
  }
  return services.list[0]!;
}

/** Turns a healthy draw into one that needs attention of `kind`, in place. */
function needAttention(
  kind: AttentionKind,
  rng: Rng,
  line: CatalogLine,
  anchorMs: number,
  plan: PlanDraw,
  services: ServicesDraw,
): void {
  switch (kind) {
    case 'plan_expiring':
      plan.planExpireDate = dateAhead(rng, anchorMs, daysAhead(rng));
      break;
    case 'plan_expiring_status':
      plan.planStatus = 'expiring';
      plan.planExpireDate = dateAhead(rng, anchorMs, daysAhead(rng));
      break;
    case 'plan_expired':
      plan.planStatus = 'expired';
      plan.planExpireDate = datePast(rng, anchorMs, daysPast(rng));
      plan.planAutoRenewal = 0;
      break;
    case 'plan_expired_stale_status':
      // The status lags the date: the bot must read the date, not only the status.
      plan.planExpireDate = datePast(rng, anchorMs, daysPast(rng));
      break;
    case 'switching':
      switchPlan(rng, line, anchorMs, plan, services);
      break;
    case 'service_expiring': {
      const service = firstService(rng, line, services, anchorMs);
      service.serviceExpireDate = dateAhead(rng, anchorMs, daysAhead(rng));
      service.serviceStatus = rng.chance(0.5) ? 'expiring' : 'purchased';
      break;
    }
    case 'service_expired': {
      const service = firstService(rng, line, services, anchorMs);
      service.serviceExpireDate = datePast(rng, anchorMs, daysPast(rng));
      service.serviceStatus = 'expired';
      service.serviceAutoRenewal = 0;
      break;
    }
    case 'trial_ending':
      plan.plan = line.plans.find((p) => p.trialPeriod !== null) ?? plan.plan;
      plan.planStatus = 'trialing';
      plan.planExpireDate = dateAhead(rng, anchorMs, daysAhead(rng));
      plan.planAutoRenewal = 0;
      break;
    case 'null_expiry_expiring':
      plan.planStatus = 'expiring';
      plan.planExpireDate = null;
      break;
  }
}

function switchPlan(
  rng: Rng,
  line: CatalogLine,
  anchorMs: number,
  plan: PlanDraw,
  services: ServicesDraw,
): void {
  const others = line.plans.filter((p) => p.planId !== plan.plan.planId);
  const next = rng.pick(others.length > 0 ? others : line.plans);
  const expireDate = dateAhead(rng, anchorMs, daysAhead(rng));
  plan.planStatus = 'switching';
  plan.planExpireDate = expireDate;
  plan.currentPlan = plan.plan.name;
  plan.currentPlanExpireDate = expireDate;
  plan.nextPlan = next.name;
  plan.nextPlanStartDate = expireDate + 1000;
  plan.nextPlanExpireDate = expireDate + 365 * DAY_MS;
  for (const service of services.list) service.serviceStatus = 'switching';
}

export function createGenerator(options: GeneratorOptions): InstanceGenerator {
  const { seed, anchorMs } = options;
  const size = Math.max(0, Math.floor(options.instances));
  const attention = Math.max(0, Math.min(size, Math.floor(options.attention)));
  const snOffset = (BigInt(hashInts(seed, TAG_SN)) * 2_654_435_761n) % SN_MODULUS;
  // Names come from short fixed lists, so their slugs (Unicode normalisation, three regexes) are
  // computed once each: at most a few thousand entries.
  const slugs = new Map<string, string>();
  function slug30(text: string, cut = true): string {
    const key = cut ? text : `\u0000${text}`;
    let slug = slugs.get(key);
    if (slug === undefined) {
      // NFD leaves V8 holding the slug as a two-byte string even once the accents are stripped, and one
      // two-byte value makes JSON.stringify write the whole page two bytes a character (twice the
      // memory, a slower UTF-8 encoding). Slugs are ASCII: a latin1 round trip stores them a byte each.
      const full = cut ? slugOf(text).slice(0, 30) : slugOf(text);
      slug = Buffer.from(full, 'latin1').toString('latin1');
      slugs.set(key, slug);
    }
    return slug;
  }

  const baseSlots: number[] = CATALOG.flatMap((line) => Array<number>(line.weight).fill(line.productId));
  const weightOf = new Map(CATALOG.map((line) => [line.productId, line.weight]));

  // Pages walk blocks in order, so a small cache avoids reshuffling the same block for every record.
  const blockCache = new Map<number, number[]>();
  function blockSlots(block: number): number[] {
    const cached = blockCache.get(block);
    if (cached) return cached;
    const slots = baseSlots.slice();
    const rng = createRng(hashInts(seed, block, TAG_BLOCK));
    for (let k = slots.length - 1; k > 0; k--) {
      const j = rng.int(0, k);
      [slots[k], slots[j]] = [slots[j]!, slots[k]!];
    }
    if (blockCache.size >= 256) blockCache.clear();
    blockCache.set(block, slots);
    return slots;
  }

  function lineIdOf(i: number): number {
    return blockSlots(Math.floor(i / BLOCK_SIZE))[i % BLOCK_SIZE]!;
  }

  function lineOf(i: number): CatalogLine {
    return catalogLine(String(lineIdOf(i)))!;
  }

  function countInLine(productId: string): number {
    const id = Number(productId);
    const weight = weightOf.get(id);
    if (weight === undefined) return 0;
    const fullBlocks = Math.floor(size / BLOCK_SIZE);
    const rest = size % BLOCK_SIZE;
    let count = fullBlocks * weight;
    if (rest > 0) {
      const slots = blockSlots(fullBlocks);
      for (let s = 0; s < rest; s++) if (slots[s] === id) count++;
    }
    return count;
  }

  function indexAt(productId: string, rank: number): number {
    const id = Number(productId);
    const weight = weightOf.get(id);
    if (weight === undefined) throw new Error(`no generated instances for productId ${productId}`);
    const block = Math.floor(rank / weight);
    let wanted = rank % weight;
    const slots = blockSlots(block);
    for (let s = 0; s < BLOCK_SIZE; s++) {
      if (slots[s] !== id) continue;
      if (wanted === 0) return block * BLOCK_SIZE + s;
      wanted--;
    }
    throw new Error('unreachable: a block holds `weight` slots of each line');
  }

  function rankOf(i: number): number {
    const block = Math.floor(i / BLOCK_SIZE);
    const slots = blockSlots(block);
    const id = slots[i % BLOCK_SIZE]!;
    let before = 0;
    for (let s = 0; s < i % BLOCK_SIZE; s++) if (slots[s] === id) before++;
    return block * weightOf.get(id)! + before;
  }

  function productNoOf(i: number): string {
    const value = (BigInt(i) * SN_MULTIPLIER + snOffset) % SN_MODULUS;
    return SN_PREFIX + value.toString(36).toUpperCase().padStart(SN_SUFFIX_LENGTH, '0');
  }

  function indexOfProductNo(productNo: string): number | undefined {
    if (productNo.length !== SN_PREFIX.length + SN_SUFFIX_LENGTH || !productNo.startsWith(SN_PREFIX)) {
      return undefined;
    }
    const suffix = productNo.slice(SN_PREFIX.length);
    if (!/^[0-9A-Z]+$/.test(suffix)) return undefined;
    let value = 0n;
    for (const ch of suffix) value = value * 36n + BigInt(Number.parseInt(ch, 36));
    const index = ((((value - snOffset) % SN_MODULUS) + SN_MODULUS) * SN_INVERSE) % SN_MODULUS;
    return index < BigInt(size) ? Number(index) : undefined;
  }

  function attentionKindOf(i: number): AttentionKind | undefined {
    const ordinal = attentionOrdinal(i, size, attention);
    return ordinal < 0 ? undefined : ATTENTION_KINDS[ordinal % ATTENTION_KINDS.length];
  }

  function isRenewable(i: number): boolean {
    return hashInts(seed, i, TAG_RENEW) % 20 !== 0;
  }

  function activationCodeOf(i: number): { code: string; generateTime: number } {
    const rng = createRng(hashInts(seed, i, TAG_CODE));
    return {
      code: randomText(rng, BASE64_ALPHABET, 102) + '=',
      generateTime: anchorMs - rng.int(1, 400) * DAY_MS - rng.int(0, DAY_MS - 1),
    };
  }

  function instanceAt(i: number): RawInstance {
    if (i < 0 || i >= size) throw new RangeError(`instance ${i} is outside 0..${size - 1}`);
    const rng = createRng(hashInts(seed, i, TAG_RECORD));
    const line = lineOf(i);
    const software = line.productId === 12;
    const kind = attentionKindOf(i);
    // The draws happen in this order, always: the same seed gives the same records.
    const { slug, domain, person, endUserInfo } = drawCustomer(rng, i, slug30);
    const plan = drawPlan(rng, line, anchorMs);
    const services = drawServices(rng, line, kind, anchorMs);
    if (kind !== undefined) needAttention(kind, rng, line, anchorMs, plan, services);

    const activationCode =
      software || (line.productId === 13 && rng.chance(0.1)) ? activationCodeText(rng) : undefined;
    const url = line.productId === 13 ? `${slug}.yeastarcloud.com` : software ? `pbx.${domain}` : '';

    return {
      ...(activationCode !== undefined ? { activationCode } : {}),
      activationStatus: rng.chance(0.9) ? 'activated' : rng.pick(['unactivated', 'unknown']),
      comment: rng.chance(0.15) ? rng.pick(COMMENTS) : '',
      createTime: rng.chance(0.1) ? null : anchorMs - rng.int(30, 1500) * DAY_MS - rng.int(0, DAY_MS - 1),
      currentPlan: plan.currentPlan,
      currentPlanExpireDate: plan.currentPlanExpireDate,
      customerEmail: rng.chance(0.3) ? '' : `billing@${domain}`,
      endUserInfo,
      model: line.productId === 11 || line.productId === 9 ? rng.pick(MODELS_APPLIANCE) : '',
      nextPlan: plan.nextPlan,
      nextPlanExpireDate: plan.nextPlanExpireDate,
      nextPlanStartDate: plan.nextPlanStartDate,
      partnerEmail: PARTNER_EMAIL,
      planAutoRenewal: plan.planAutoRenewal,
      planExpireDate: plan.planExpireDate,
      planId: plan.plan.planId,
      planName: plan.plan.name,
      ...(software ? { planServicePeriod: rng.pick([12, 24, 36]) } : {}),
      planStatus: plan.planStatus,
      productAdminEmail: `admin@${domain}`,
      productNo: productNoOf(i),
      quantity: rng.pick(['5', '10', '20', '50', '100']),
      referrer: rng.chance(0.1) ? `referrer@${rng.pick(CITIES).toLowerCase()}.example` : '',
      serviceList: services.list,
      url,
      yeastarId: rng.chance(0.5) ? `${person}@${domain}` : PARTNER_EMAIL,
    };
  }

  return {
    size,
    attention,
    anchorMs,
    lineOf,
    countInLine,
    indexAt,
    rankOf,
    productNoOf,
    indexOfProductNo,
    instanceAt,
    attentionKindOf,
    isRenewable,
    activationCodeOf,
  };
}
