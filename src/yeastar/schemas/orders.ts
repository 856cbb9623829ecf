import { z } from 'zod';
import { id, list, num, object, optionalObject, text } from './fields.js';
import { parseWith, SchemaError } from './schema-error.js';

/**
 * Orders, billing contacts and auto-renewal (Partner Portal guide: create-an-order, query-order-list,
 * get-order-details, billing contact list, enable-auto-renewal). Order ids arrive as 19-digit numbers:
 * the body is parsed with parseJsonBody, which quotes them, and `id` keeps them as strings.
 */

export type BillingContact = {
  billingContactId: string;
  emailAddress: string | null;
  name: string | null;
  company: string | null;
};

const billingContactSchema = object({
  billingContactId: id,
  emailAddress: text,
  firstName: text,
  lastName: text,
  name: text,
  companyName: text,
  company: text,
});

/** `billing_contact_list`: a plain list (or `{ results: [...] }`); contacts without an id are dropped. */
export function parseBillingContacts(raw: unknown): BillingContact[] {
  const items = Array.isArray(raw) ? raw : (raw as { results?: unknown } | null)?.results;
  const parsed = parseWith(list(billingContactSchema), items ?? [], 'result');
  const out: BillingContact[] = [];
  for (const c of parsed) {
    if (c.billingContactId === null) continue;
    const joined = [c.firstName, c.lastName].filter(Boolean).join(' ');
    out.push({
      billingContactId: c.billingContactId,
      emailAddress: c.emailAddress,
      name: c.name ?? (joined || null),
      company: c.company ?? c.companyName,
    });
  }
  return out;
}

/** What `order/v1/save` answered: an id and/or number when it said, nothing otherwise (then the list decides). */
export type CreatedOrder = { orderId: string | null; orderNo: string | null };

const createdSchema = object({ id: id, orderId: id, orderNo: text });

export function parseCreatedOrder(raw: unknown): CreatedOrder {
  if (raw === null || raw === undefined) return { orderId: null, orderNo: null };
  if (typeof raw === 'string' || typeof raw === 'number') {
    // Some endpoints answer the bare id.
    const value = parseWith(z.object({ v: id }), { v: raw }).v;
    return { orderId: value, orderNo: null };
  }
  const c = parseWith(createdSchema, raw, 'result');
  return { orderId: c.orderId ?? c.id, orderNo: c.orderNo };
}

export type OrderSummary = {
  id: string;
  orderNo: string | null;
  orderStatus: string | null;
  createTime: number | null;
  currencyCode: string | null;
  customReferenceNo: string | null;
  invoiceNo: string | null;
  /** Not documented on the list; read when present (the simulator sends it) to match an order to an SN. */
  productNo: string | null;
};

const orderSummarySchema = object({
  id: id,
  orderNo: text,
  orderStatus: text,
  createTime: num,
  currencyCode: text,
  customReferenceNo: text,
  invoiceNo: text,
  productNo: text,
});

export type OrderPage = { orders: OrderSummary[]; pageNo: number; totalPage: number; total: number };

const orderPageSchema = object({
  results: list(orderSummarySchema),
  pageNo: num,
  totalPage: num,
  total: num,
});

export function parseOrderPage(raw: unknown): OrderPage {
  const p = parseWith(orderPageSchema, raw, 'result');
  const orders: OrderSummary[] = [];
  p.results.forEach((o, i) => {
    if (o.id === null) throw new SchemaError(`result.results[${i}].id`, 'is missing or empty');
    orders.push({ ...o, id: o.id });
  });
  return { orders, pageNo: p.pageNo ?? 1, totalPage: p.totalPage ?? 1, total: p.total ?? orders.length };
}

export type OrderDetails = {
  id: string | null;
  orderNo: string | null;
  status: string | null;
  productNo: string | null;
  productId: string | null;
  productName: string | null;
  currencyCode: string | null;
  /** What the order costs, as the API states it (`orderSummary`), when it does. */
  totalAmount: number | null;
};

const detailsSchema = object({
  basicInformation: optionalObject({ productId: id, productName: text, productNo: text }),
  orderInformation: optionalObject({
    id: id,
    orderId: id,
    orderNo: text,
    orderStatus: text,
    status: text,
    currencyCode: text,
  }),
  orderSummary: optionalObject({ totalAmount: num, total: num, amount: num, currencyCode: text }),
});

export function parseOrderDetails(raw: unknown): OrderDetails {
  const d = parseWith(detailsSchema, raw, 'result');
  const info = d.orderInformation;
  const sum = d.orderSummary;
  return {
    id: info?.orderId ?? info?.id ?? null,
    orderNo: info?.orderNo ?? null,
    status: info?.orderStatus ?? info?.status ?? null,
    productNo: d.basicInformation?.productNo ?? null,
    productId: d.basicInformation?.productId ?? null,
    productName: d.basicInformation?.productName ?? null,
    currencyCode: sum?.currencyCode ?? info?.currencyCode ?? null,
    totalAmount: sum?.totalAmount ?? sum?.total ?? sum?.amount ?? null,
  };
}

/** `instance_subscription/v1/active`: `result` is a boolean. */
export function parseAutoRenewalResult(raw: unknown): boolean {
  return raw === true || raw === 1 || raw === 'true';
}

/** The final order statuses: following stops at these. */
export const FINAL_ORDER_STATUSES = new Set(['succeed', 'failed', 'invalid', 'cancelled', 'refunded']);
export const SUCCEEDED_ORDER_STATUSES = new Set(['succeed']);
