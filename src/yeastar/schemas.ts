import { type RefinementCtx, type ZodIssue, type ZodTypeAny, z } from 'zod/v3';
import {
  type ActivationCode,
  type EndUserInfo,
  type Instance,
  type InstancePage,
  type InstanceService,
  KNOWN_PRODUCT_LINES,
  type PlanRenewalInfo,
  type ProductLine,
  type PurchasePlanInfo,
  type PurchasePricing,
  type PurchaseProductInfo,
  type PurchaseServiceInfo,
  type RenewalAdditionalService,
  type RenewalServiceDetails,
  type ServiceRenewalInfo,
  type SkippedRecord,
} from './types.js';

/**
 * The boundary between the API's JSON (already through `parseJsonSafe`) and our types. Tolerated
 * everywhere: null, "" and missing values, numbers sent as strings and IDs sent as numbers. Anything
 * else of the wrong type is an error naming the field, so a changed API shows up in the logs instead of
 * as a silently wrong date. Messages never quote a value: a record may hold an activation code.
 */

/** Why a body could not be used; `field` is a path such as `results[3].productNo` ('' = the whole value). */
export class SchemaError extends Error {
  override name = 'SchemaError';
  readonly field: string;
  readonly reason: string;

  constructor(field: string, reason: string) {
    super(field ? `${field}: ${reason}` : reason);
    this.field = field;
    this.reason = reason;
  }
}

function isBlank(v: unknown): v is null | undefined | '' {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

function fail(ctx: RefinementCtx, message: string): never {
  ctx.addIssue({ code: z.ZodIssueCode.custom, message });
  return z.NEVER;
}

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;
const ISO_DATE = /^\s*\d{4}-\d{2}-\d{2}/;

/*
 * Each lenient field type is a plain function (what a value becomes, or INVALID) used twice: by the
 * zod schemas below, which name the field and the problem, and by `fastRecord`, which reads a whole
 * instance record without zod's per-field overhead (a cycle reads 100,000 of them) and hands anything
 * it would refuse to zod for the message.
 */
const INVALID: unique symbol = Symbol('invalid');
type Read<T> = (v: unknown) => T | typeof INVALID;

function field<T>(read: Read<T>, problem: (v: unknown) => string) {
  return z.unknown().transform((v, ctx): T => {
    const out = read(v);
    return out === INVALID ? fail(ctx, problem(v)) : out;
  });
}

/** Optional text: "" becomes null; a number or boolean is kept as its text. */
const readText: Read<string | null> = (v) => {
  if (isBlank(v)) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return INVALID;
};
const text = field(readText, (v) => `expected text, got ${kindOf(v)}`);

/** An ID: always a string, whether it came quoted, as a safe integer, or as a bigint. */
const readId: Read<string | null> = (v) => {
  if (isBlank(v)) return null;
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  return INVALID;
};
const id = field(readId, (v) => `expected an ID (string or integer), got ${kindOf(v)}`);

const requiredId = id.transform((v, ctx): string => v ?? fail(ctx, 'is missing or empty'));

/** Epoch milliseconds from a number, a numeric string, or (leniently) an ISO 8601 date. */
const readEpochMs: Read<number | null> = (v) => {
  if (isBlank(v)) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    if (NUMERIC.test(v)) return Number(v);
    if (ISO_DATE.test(v)) {
      const ms = Date.parse(v);
      if (Number.isFinite(ms)) return ms;
    }
  }
  return INVALID;
};
const epochMs = field(readEpochMs, (v) => `expected epoch milliseconds, got ${kindOf(v)}`);

const readNum: Read<number | null> = (v) => {
  if (isBlank(v)) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return INVALID;
};
const num = field(readNum, (v) => `expected a number, got ${kindOf(v)}`);

/** The API's 0/1 switches (booleans and "0"/"1" accepted too). */
const readFlag: Read<boolean | null> = (v) => {
  if (isBlank(v)) return null;
  if (v === 1 || v === true || v === '1' || v === 'true') return true;
  if (v === 0 || v === false || v === '0' || v === 'false') return false;
  return INVALID;
};
const flag = field(readFlag, (v) => `expected 0 or 1, got ${kindOf(v)}`);

/** A list of objects; null or missing is an empty list, null entries are dropped. */
function list<T extends ZodTypeAny>(item: T) {
  return z
    .unknown()
    .transform((v, ctx): unknown[] => {
      if (v === null || v === undefined) return [];
      if (Array.isArray(v)) return v.filter((entry) => entry !== null && entry !== undefined);
      return fail(ctx, `expected a list, got ${kindOf(v)}`);
    })
    .pipe(z.array(item));
}

/** A list of words such as billing cycles or purchase types; blanks are dropped. */
const readStringList: Read<string[]> = (v) => {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) return INVALID;
  const out: string[] = [];
  for (const entry of v) {
    if (isBlank(entry)) continue;
    if (typeof entry === 'string' || typeof entry === 'number') out.push(String(entry));
    else return INVALID;
  }
  return out;
};
const stringList = field(readStringList, (v) => {
  if (!Array.isArray(v)) return `expected a list, got ${kindOf(v)}`;
  const bad = v.find((entry) => !isBlank(entry) && typeof entry !== 'string' && typeof entry !== 'number');
  return `expected a list of text, got ${kindOf(bad)} in it`;
});

/** `list(schema)` read by `item`, a fast reader of the schema's objects. */
function readList<T>(v: unknown, item: (entry: unknown) => T | typeof INVALID): T[] | typeof INVALID {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) return INVALID;
  const out: T[] = [];
  for (const entry of v) {
    if (entry === null || entry === undefined) continue;
    const read = item(entry);
    if (read === INVALID) return INVALID;
    out.push(read);
  }
  return out;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number' && !Number.isFinite(v)) return 'a non-finite number';
  if (typeof v === 'number' && !Number.isSafeInteger(v) && Number.isInteger(v)) return 'an unsafe integer';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** `serviceList[0].serviceExpireDate` from zod's `['serviceList', 0, 'serviceExpireDate']`. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

function firstIssue(error: z.ZodError): { field: string; reason: string } {
  const issues: ZodIssue[] = error.issues;
  const first = issues[0];
  if (!first) return { field: '', reason: 'invalid value' };
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem(s))` : '';
  return { field: formatPath(first.path), reason: first.message + more };
}

/** Parses or throws a `SchemaError` whose field is prefixed with `at` (e.g. `result`). */
function parseWith<T extends ZodTypeAny>(schema: T, raw: unknown, at = ''): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const { field, reason } = firstIssue(parsed.error);
  throw new SchemaError(joinField(at, field), reason);
}

function joinField(at: string, field: string): string {
  if (!at) return field;
  if (!field) return at;
  return field.startsWith('[') ? at + field : `${at}.${field}`;
}

// ---------------------------------------------------------------------------------------------------
// Envelope and token

export type Envelope = {
  code: string;
  detailMessage: string;
  requestId: string;
  result: unknown;
  status: number | null;
};

// Exported, with `fastEnvelope`, for the test that keeps the two in step.
export const envelopeSchema = z.object({
  code: z.string().min(1),
  detailMessage: text,
  requestId: text,
  result: z.unknown(),
  status: num,
});

/** `envelopeSchema`'s answer when it accepts `raw` (every answer has one); null where zod must look. */
export function fastEnvelope(raw: unknown): z.output<typeof envelopeSchema> | null {
  if (!isPlainObject(raw)) return null;
  const { code } = raw;
  if (typeof code !== 'string' || code.length === 0) return null;
  const envelope = {
    code,
    detailMessage: readText(raw.detailMessage),
    requestId: readText(raw.requestId),
    result: raw.result,
    status: readNum(raw.status),
  };
  return anyInvalid(envelope) ? null : (envelope as z.output<typeof envelopeSchema>);
}

/** `{ code, detailMessage, requestId, result, status }`; anything else is a SchemaError. */
export function parseEnvelope(raw: unknown): Envelope {
  const e = fastEnvelope(raw) ?? parseWith(envelopeSchema, raw);
  return {
    code: e.code,
    detailMessage: e.detailMessage ?? '',
    requestId: e.requestId ?? '',
    result: e.result,
    status: e.status,
  };
}

export type TokenResult = {
  token: string;
  tokenHead: string;
  /** Seconds the access token lives, when the API said (it sends a string). */
  expiresInSeconds: number | null;
  refreshToken: string | null;
};

const tokenSchema = z.object({
  token: text.transform((v, ctx) => v ?? fail(ctx, 'is missing or empty')),
  tokenHead: text,
  expiresIn: num,
  refreshToken: text,
});

export function parseTokenResult(raw: unknown): TokenResult {
  const t = parseWith(tokenSchema, raw, 'result');
  return {
    token: t.token,
    tokenHead: t.tokenHead ?? 'Bearer ',
    expiresInSeconds: t.expiresIn !== null && t.expiresIn > 0 ? t.expiresIn : null,
    refreshToken: t.refreshToken,
  };
}

// ---------------------------------------------------------------------------------------------------
// Product lines

const productLineSchema = z.object({ name: text, productId: requiredId });

/** Product lines; an entry without a productId is skipped (and reported) rather than failing the list. */
export function parseProductLines(raw: unknown): { productLines: ProductLine[]; skipped: SkippedRecord[] } {
  const entries = parseWith(list(z.unknown()), raw, 'result');
  const productLines: ProductLine[] = [];
  const skipped: SkippedRecord[] = [];
  entries.forEach((entry, index) => {
    const parsed = productLineSchema.safeParse(entry);
    if (!parsed.success) {
      skipped.push({ index, productNo: null, ...firstIssue(parsed.error) });
      return;
    }
    const { productId, name } = parsed.data;
    productLines.push({ productId, name: name ?? KNOWN_PRODUCT_LINES[productId] ?? `Product ${productId}` });
  });
  return { productLines, skipped };
}

// ---------------------------------------------------------------------------------------------------
// Instances

const readProductNo: Read<string> = (v) => {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return INVALID;
};
const productNo = field(readProductNo, (v) =>
  isBlank(v) ? 'is missing or empty' : `expected the SN as text, got ${kindOf(v)}`,
);

const serviceSchema = z.object({
  serviceId: id,
  serviceName: text,
  serviceStatus: text,
  serviceExpireDate: epochMs,
  serviceAutoRenewal: flag,
  servicePeriod: num,
  quantity: text,
}) satisfies z.ZodType<InstanceService, z.ZodTypeDef, unknown>;

const endUserSchema = z
  .object({ address: text, companyName: text, contactName: text, email: text })
  .nullish()
  .transform((v): EndUserInfo | null => v ?? null);

// productNo first: when a record has several problems, the missing SN is the one worth reporting.
// Exported for the test that keeps `fastRecord` in step with it.
export const instanceRecordSchema = z.object({
  productNo,
  activationCode: text,
  activationStatus: text,
  comment: text,
  createTime: epochMs,
  currentPlan: text,
  currentPlanExpireDate: epochMs,
  customerEmail: text,
  endUserInfo: endUserSchema,
  model: text,
  nextPlan: text,
  nextPlanExpireDate: epochMs,
  nextPlanStartDate: epochMs,
  partnerEmail: text,
  planAutoRenewal: flag,
  planExpireDate: epochMs,
  planId: id,
  planName: text,
  planServicePeriod: num,
  planStatus: text,
  productAdminEmail: text,
  quantity: text,
  referrer: text,
  serviceList: list(serviceSchema),
  url: text,
  yeastarId: text,
});

type ParsedRecord = { ok: true; instance: Instance } | { ok: false; skipped: Omit<SkippedRecord, 'index'> };

function rawProductNo(raw: unknown): string | null {
  if (raw === null || typeof raw !== 'object') return null;
  const v = (raw as Record<string, unknown>)['productNo'];
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number') return String(v);
  return null;
}

/** Whether a record built by the readers below holds a refusal (no array made: 100,000 records a cycle). */
function anyInvalid(record: object): boolean {
  for (const key in record) if ((record as Record<string, unknown>)[key] === INVALID) return true;
  return false;
}

/** Keeps `value` when none of its fields is INVALID. */
function valid<T>(value: object): T | typeof INVALID {
  return anyInvalid(value) ? INVALID : (value as T);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function fastService(raw: unknown): InstanceService | typeof INVALID {
  if (!isPlainObject(raw)) return INVALID;
  const service = {
    serviceId: readId(raw.serviceId),
    serviceName: readText(raw.serviceName),
    serviceStatus: readText(raw.serviceStatus),
    serviceExpireDate: readEpochMs(raw.serviceExpireDate),
    serviceAutoRenewal: readFlag(raw.serviceAutoRenewal),
    servicePeriod: readNum(raw.servicePeriod),
    quantity: readText(raw.quantity),
  };
  return valid(service);
}

function fastEndUser(raw: unknown): EndUserInfo | null | typeof INVALID {
  if (raw === null || raw === undefined) return null;
  if (!isPlainObject(raw)) return INVALID;
  const info = {
    address: readText(raw.address),
    companyName: readText(raw.companyName),
    contactName: readText(raw.contactName),
    email: readText(raw.email),
  };
  return valid(info);
}

/**
 * `instanceRecordSchema`'s answer for a record it accepts (after `productId`, in its key order); null
 * where zod must look. It builds the Instance itself: a copy per record is a copy per instance per cycle.
 */
function fastRecord(raw: unknown, productId: string): Instance | null {
  if (!isPlainObject(raw)) return null;
  const record = {
    productId,
    productNo: readProductNo(raw.productNo),
    activationCode: readText(raw.activationCode),
    activationStatus: readText(raw.activationStatus),
    comment: readText(raw.comment),
    createTime: readEpochMs(raw.createTime),
    currentPlan: readText(raw.currentPlan),
    currentPlanExpireDate: readEpochMs(raw.currentPlanExpireDate),
    customerEmail: readText(raw.customerEmail),
    endUserInfo: fastEndUser(raw.endUserInfo),
    model: readText(raw.model),
    nextPlan: readText(raw.nextPlan),
    nextPlanExpireDate: readEpochMs(raw.nextPlanExpireDate),
    nextPlanStartDate: readEpochMs(raw.nextPlanStartDate),
    partnerEmail: readText(raw.partnerEmail),
    planAutoRenewal: readFlag(raw.planAutoRenewal),
    planExpireDate: readEpochMs(raw.planExpireDate),
    planId: readId(raw.planId),
    planName: readText(raw.planName),
    planServicePeriod: readNum(raw.planServicePeriod),
    planStatus: readText(raw.planStatus),
    productAdminEmail: readText(raw.productAdminEmail),
    quantity: readText(raw.quantity),
    referrer: readText(raw.referrer),
    serviceList: readList(raw.serviceList, fastService),
    url: readText(raw.url),
    yeastarId: readText(raw.yeastarId),
  };
  return anyInvalid(record) ? null : (record as Instance);
}

function parseRecord(raw: unknown, productId: string): ParsedRecord {
  const fast = fastRecord(raw, productId);
  if (fast) return { ok: true, instance: fast };
  const parsed = instanceRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const { field, reason } = firstIssue(parsed.error);
    return { ok: false, skipped: { productNo: rawProductNo(raw), field: field || 'record', reason } };
  }
  return { ok: true, instance: { productId, ...parsed.data } };
}

/** One instance record (the `detail` endpoint); a record without a usable productNo is a SchemaError. */
export function parseInstance(raw: unknown, productId: string): Instance {
  const parsed = parseRecord(raw, productId);
  if (parsed.ok) return parsed.instance;
  throw new SchemaError(joinField('result', parsed.skipped.field), parsed.skipped.reason);
}

// Exported, with `fastPageMeta`, for the test that keeps the two in step.
export const pageMetaSchema = z.object({
  count: num,
  pageNo: num,
  pageSize: num,
  total: num,
  totalPage: num,
  results: list(z.unknown()),
});

type PageMeta = z.output<typeof pageMetaSchema>;

/** `pageMetaSchema`'s answer when it accepts `raw`, without copying the list; null where zod must look. */
export function fastPageMeta(raw: unknown): PageMeta | null {
  if (!isPlainObject(raw)) return null;
  const { results } = raw;
  // zod's list drops null entries (and so renumbers the rest): a list with one goes its way.
  if (!(results === null || results === undefined || Array.isArray(results))) return null;
  if (Array.isArray(results) && (results.includes(null) || results.includes(undefined))) return null;
  const meta = {
    count: readNum(raw.count),
    pageNo: readNum(raw.pageNo),
    pageSize: readNum(raw.pageSize),
    total: readNum(raw.total),
    totalPage: readNum(raw.totalPage),
    results: results ?? [],
  };
  return anyInvalid(meta) ? null : (meta as PageMeta);
}

/**
 * One page of `instance_product_list` (its `result`). Bad records are skipped and listed; only a page
 * that is not a page at all throws. Page numbers missing from the answer fall back to what was asked.
 */
export function parseInstancePage(
  raw: unknown,
  productId: string,
  context: { requestId?: string; pageNo?: number; pageSize?: number } = {},
): InstancePage {
  const meta = fastPageMeta(raw) ?? parseWith(pageMetaSchema, raw, 'result');
  const instances: Instance[] = [];
  const skipped: SkippedRecord[] = [];
  meta.results.forEach((record, index) => {
    const parsed = parseRecord(record, productId);
    if (parsed.ok) instances.push(parsed.instance);
    else skipped.push({ index, ...parsed.skipped });
  });
  const pageNo = meta.pageNo ?? context.pageNo ?? 1;
  const pageSize = meta.pageSize ?? context.pageSize ?? meta.results.length;
  const total = meta.total ?? meta.count ?? meta.results.length;
  const totalPage = meta.totalPage ?? (pageSize > 0 ? Math.ceil(total / pageSize) : pageNo);
  return {
    productId,
    pageNo,
    pageSize,
    count: meta.count ?? total,
    total,
    totalPage,
    instances,
    skipped,
    requestId: context.requestId ?? '',
  };
}

// ---------------------------------------------------------------------------------------------------
// Purchase and renewal information

const pricingSchema = z.object({
  cycle: text,
  purchaseType: stringList,
}) satisfies z.ZodType<PurchasePricing, z.ZodTypeDef, unknown>;

const planInfoSchema = z.object({
  name: text,
  planId: id,
  pricingPlanId: requiredId,
  purchasePricingInfoList: list(pricingSchema),
  trialPeriod: num,
  trialPrice: num,
}) satisfies z.ZodType<PurchasePlanInfo, z.ZodTypeDef, unknown>;

const serviceInfoSchema = z.object({
  isConnect: flag,
  name: text,
  pricingServiceId: requiredId,
  purchasePricingInfoList: list(pricingSchema),
  serviceId: id,
  trialPeriod: num,
  trialPrice: num,
}) satisfies z.ZodType<PurchaseServiceInfo, z.ZodTypeDef, unknown>;

const purchaseListsSchema = z.object({
  purchasePlanInfoList: list(planInfoSchema),
  purchaseServiceInfoList: list(serviceInfoSchema),
});

// The lists sit under `quPurchaseInfo` on the reference page; tolerate them one level up as well.
// Exported, with `fastPurchaseProductInfo`, for the test that keeps the two in step.
export const purchaseProductInfoSchema = z.object({
  offeringId: id,
  productName: text,
  quPurchaseInfo: purchaseListsSchema.nullish(),
  purchasePlanInfoList: list(planInfoSchema),
  purchaseServiceInfoList: list(serviceInfoSchema),
});

/*
 * Fast readers of the purchase and renewal answers (a cycle reads about two per alert): the same
 * readers as the schemas above, without zod, building the same objects in the same key order. Where
 * one refuses a value they answer INVALID and zod reads the answer again, for the message.
 */
const readRequiredId: Read<string> = (v) => {
  const read = readId(v);
  return read === null ? INVALID : read;
};

/** A reader of `list(schema)`, from a fast reader of the schema's objects. */
const listOf =
  <T>(item: Read<T>): Read<T[]> =>
  (v) =>
    readList(v, item);

/**
 * A reader of `z.object(shape)`: each key read by its own reader, in the shape's key order (zod's
 * output order), INVALID when the value is not an object or any field is refused.
 */
function fastObject<T>(shape: { [K in keyof T]: Read<T[K]> }): Read<T> {
  const keys = Object.keys(shape) as Array<keyof T>;
  return (v) => {
    if (!isPlainObject(v)) return INVALID;
    const out = {} as Record<keyof T, unknown>;
    for (const key of keys) {
      const read = shape[key](v[key as string]);
      if (read === INVALID) return INVALID;
      out[key] = read;
    }
    return out as T;
  };
}

/** A reader whose INVALID becomes null: "leave this one to zod". */
const orNull =
  <T>(read: Read<T>) =>
  (raw: unknown): T | null => {
    const value = read(raw);
    return value === INVALID ? null : value;
  };

const fastPricing = fastObject<PurchasePricing>({ cycle: readText, purchaseType: readStringList });

const fastPlanInfo = fastObject<PurchasePlanInfo>({
  name: readText,
  planId: readId,
  pricingPlanId: readRequiredId,
  purchasePricingInfoList: listOf(fastPricing),
  trialPeriod: readNum,
  trialPrice: readNum,
});

const fastServiceInfo = fastObject<PurchaseServiceInfo>({
  isConnect: readFlag,
  name: readText,
  pricingServiceId: readRequiredId,
  purchasePricingInfoList: listOf(fastPricing),
  serviceId: readId,
  trialPeriod: readNum,
  trialPrice: readNum,
});

const fastPurchaseLists = fastObject<z.output<typeof purchaseListsSchema>>({
  purchasePlanInfoList: listOf(fastPlanInfo),
  purchaseServiceInfoList: listOf(fastServiceInfo),
});

/** `purchaseProductInfoSchema`'s answer when it accepts `raw`; null where zod must look. */
export const fastPurchaseProductInfo = orNull(
  fastObject<z.output<typeof purchaseProductInfoSchema>>({
    offeringId: readId,
    productName: readText,
    // `.nullish()`: null and missing stay as they are.
    quPurchaseInfo: (v) => (v === null || v === undefined ? v : fastPurchaseLists(v)),
    purchasePlanInfoList: listOf(fastPlanInfo),
    purchaseServiceInfoList: listOf(fastServiceInfo),
  }),
);

export function parsePurchaseProductInfo(raw: unknown): PurchaseProductInfo {
  const p = fastPurchaseProductInfo(raw) ?? parseWith(purchaseProductInfoSchema, raw, 'result');
  return {
    offeringId: p.offeringId,
    productName: p.productName,
    purchasePlanInfoList: p.quPurchaseInfo?.purchasePlanInfoList ?? p.purchasePlanInfoList,
    purchaseServiceInfoList: p.quPurchaseInfo?.purchaseServiceInfoList ?? p.purchaseServiceInfoList,
  };
}

const renewalServiceDetailsSchema = z.object({
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
}) satisfies z.ZodType<RenewalServiceDetails, z.ZodTypeDef, unknown>;

const additionalServiceSchema = z.object({
  billingModel: text,
  billingCycle: text,
  connectionServiceList: list(renewalServiceDetailsSchema),
}) satisfies z.ZodType<RenewalAdditionalService, z.ZodTypeDef, unknown>;

const readAnyList: Read<unknown[]> = (v) => {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : INVALID;
};

const anyList = field(readAnyList, (v) => `expected a list, got ${kindOf(v)}`);

// Exported, with `fastServiceRenewalInfo`, for the test that keeps the two in step.
export const serviceRenewalSchema = z.object({
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
}) satisfies z.ZodType<ServiceRenewalInfo, z.ZodTypeDef, unknown>;

const fastRenewalServiceDetails = fastObject<RenewalServiceDetails>({
  billingCycleList: readStringList,
  billingModelList: readStringList,
  name: readText,
  pricingServiceId: readId,
  purchaseParameter: readText,
  purchaseParameterId: readId,
  purchaseType: readStringList,
  serviceId: readId,
  trialPeriod: readNum,
  trialPrice: readNum,
  trialQuantity: readNum,
  unitName: readText,
});

const fastAdditionalService = fastObject<RenewalAdditionalService>({
  billingModel: readText,
  billingCycle: readText,
  connectionServiceList: listOf(fastRenewalServiceDetails),
});

/** `serviceRenewalSchema`'s answer when it accepts `raw`; null where zod must look. */
export const fastServiceRenewalInfo = orNull(
  fastObject<ServiceRenewalInfo>({
    billingCycleList: readStringList,
    billingModelList: readStringList,
    connectionServiceList: listOf(fastAdditionalService),
    name: readText,
    pricingServiceId: readId,
    purchaseMultiCycleList: readAnyList,
    purchaseParameter: readText,
    purchaseParameterId: readId,
    serviceId: readId,
    unitName: readText,
  }),
);

export function parseServiceRenewalInfo(raw: unknown): ServiceRenewalInfo {
  return fastServiceRenewalInfo(raw) ?? parseWith(serviceRenewalSchema, raw, 'result');
}

const planRenewalShape = {
  name: text,
  planId: id,
  pricingPlanId: id,
  billingCycleList: stringList,
  billingModelList: stringList,
  connectionServiceList: list(additionalServiceSchema),
};
// Exported, with `fastPlanRenewal`, for the test that keeps the two in step.
export const planRenewalSchema = z.object(planRenewalShape);

/** `planRenewalSchema`'s answer when it accepts `raw`; null where zod must look. */
export const fastPlanRenewal = orNull(
  fastObject<z.output<typeof planRenewalSchema>>({
    name: readText,
    planId: readId,
    pricingPlanId: readId,
    billingCycleList: readStringList,
    billingModelList: readStringList,
    connectionServiceList: listOf(fastAdditionalService),
  }),
);

/** The plan page has no documented example: typed fields as on the service page, the rest in `extra`. */
export function parsePlanRenewalInfo(raw: unknown): PlanRenewalInfo {
  const known = fastPlanRenewal(raw) ?? parseWith(planRenewalSchema, raw, 'result');
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(key in planRenewalShape)) extra[key] = value;
  }
  return { ...known, extra };
}

const activationCodeSchema = z.object({
  code: z
    .unknown()
    .transform((v, ctx): string =>
      typeof v === 'string' && v.trim() !== ''
        ? v
        : fail(ctx, isBlank(v) ? 'is missing or empty' : `expected text, got ${kindOf(v)}`),
    ),
  generateTime: epochMs,
});

export function parseActivationCode(raw: unknown): ActivationCode {
  return parseWith(activationCodeSchema, raw, 'result');
}
