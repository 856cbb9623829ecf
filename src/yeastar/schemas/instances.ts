import { z } from 'zod';
import type { EndUserInfo, Instance, InstancePage, InstanceService, SkippedRecord } from '../types.js';
import {
  epochMs,
  filledInLater,
  flag,
  id,
  list,
  num,
  object,
  optionalObject,
  productNo,
  text,
} from './fields.js';
import { firstIssue, joinField, parseWith, SchemaError } from './schema-error.js';

const serviceSchema = object({
  serviceId: id,
  serviceName: text,
  serviceStatus: text,
  serviceExpireDate: epochMs,
  serviceAutoRenewal: flag,
  servicePeriod: num,
  quantity: text,
}) satisfies z.ZodType<InstanceService, unknown>;

const endUserSchema = optionalObject({
  address: text,
  companyName: text,
  contactName: text,
  email: text,
}) satisfies z.ZodType<EndUserInfo | null, unknown>;

/**
 * One record of `instance_product_list` or `detail`. The product line is a query parameter, not a field
 * of the record: its key holds the place (first, as in every Instance) and the parser fills it in.
 * productNo comes next: when a record has several problems, the missing SN is the one worth reporting.
 * Compiled, as every schema read once per page or record is: a cycle reads 100,000 records, and zod then
 * runs generated code for each, going back to its interpreter only for a record it refuses, to name the
 * problem (bench/schemas.ts measures it).
 */
const instanceSchema = z.compile(
  object({
    productId: filledInLater,
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
  }),
) satisfies z.ZodType<Instance, unknown>;

type ParsedRecord = { ok: true; instance: Instance } | { ok: false; skipped: Omit<SkippedRecord, 'index'> };

/** The SN of a refused record, when it has a usable one, so the log line can say which instance. */
function rawProductNo(raw: unknown): string | null {
  if (raw === null || typeof raw !== 'object') return null;
  const v = (raw as Record<string, unknown>)['productNo'];
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number') return String(v);
  return null;
}

function parseRecord(raw: unknown, productId: string): ParsedRecord {
  const parsed = instanceSchema.safeParse(raw);
  if (!parsed.success) {
    const { field, reason } = firstIssue(parsed.error);
    return { ok: false, skipped: { productNo: rawProductNo(raw), field: field || 'record', reason } };
  }
  parsed.data.productId = productId;
  return { ok: true, instance: parsed.data };
}

/** One instance record (the `detail` endpoint); a record without a usable productNo is a SchemaError. */
export function parseInstance(raw: unknown, productId: string): Instance {
  const parsed = parseRecord(raw, productId);
  if (parsed.ok) return parsed.instance;
  throw new SchemaError(joinField('result', parsed.skipped.field), parsed.skipped.reason);
}

const pageSchema = z.compile(
  object({
    count: num,
    pageNo: num,
    pageSize: num,
    total: num,
    totalPage: num,
    results: list(z.unknown()),
  }),
);

/**
 * One page of `instance_product_list` (its `result`). Bad records are skipped and listed; only a page
 * that is not a page at all throws. Page numbers missing from the answer fall back to what was asked.
 */
export function parseInstancePage(
  raw: unknown,
  productId: string,
  context: { requestId?: string; pageNo?: number; pageSize?: number } = {},
): InstancePage {
  const page = parseWith(pageSchema, raw, 'result');
  const instances: Instance[] = [];
  const skipped: SkippedRecord[] = [];
  page.results.forEach((record, index) => {
    const parsed = parseRecord(record, productId);
    if (parsed.ok) instances.push(parsed.instance);
    else skipped.push({ index, ...parsed.skipped });
  });
  const pageNo = page.pageNo ?? context.pageNo ?? 1;
  const pageSize = page.pageSize ?? context.pageSize ?? page.results.length;
  const total = page.total ?? page.count ?? page.results.length;
  const totalPage = page.totalPage ?? (pageSize > 0 ? Math.ceil(total / pageSize) : pageNo);
  return {
    productId,
    pageNo,
    pageSize,
    count: page.count ?? total,
    total,
    totalPage,
    instances,
    skipped,
    requestId: context.requestId ?? '',
  };
}
