import { randomBytes } from 'node:crypto';
import { parseJsonSafe } from '../src/util/json.js';
import type { SimDataset } from './dataset.js';
import type { RawInstance } from './generator.js';
import type { SimRoute } from './route.js';
import type { SimState } from './sim-state.js';

/**
 * The order side of the simulated Partner API, with state: billing contacts, orders (validated as the
 * guide says: quantity = the current one, a PBX's plan and services together, the billing cycle
 * unchanged), `pending` → final after `settleAfterMs` (expiry extended on success), auto-renewal.
 * Statuses settle lazily, when an order is read or listed, by the simulator's clock.
 *
 * Fault knobs: `rejectNext` (the API refuses the order with a reason), `failAfterStoreNext` (the order
 * is stored, then HTTP 500: "did it go through?"), `delayMs` (every order endpoint answers late), and
 * `outcome` (what pending orders become).
 */

export type SimAnswer = { status: number; body: string };

export type SimOrder = {
  id: string;
  orderNo: string;
  orderStatus: string;
  createTime: number;
  productId: string;
  productNo: string;
  productName: string;
  operationType: string;
  billingId: string;
  poNumber: string | null;
  serviceList: Record<string, unknown>[];
  currencyCode: string;
  totalAmount: number;
  settled: boolean;
};

export type SimOrderKnobs = {
  /** Milliseconds from creation until a pending order becomes final (default 2,000). */
  settleAfterMs: number;
  /** What a pending order becomes (default `succeed`). */
  outcome: 'succeed' | 'failed' | 'cancelled';
  /** Every order endpoint waits this long before answering (default 0). */
  delayMs: number;
};

export interface SimOrders {
  orders(): SimOrder[];
  setKnobs(knobs: Partial<SimOrderKnobs>): void;
  /** The next `n` orders are refused: `detailMessage` is the API's reason. */
  rejectNext(n: number, detailMessage?: string, code?: string): void;
  /** The next `n` orders are stored, and then the answer is HTTP 500. */
  failAfterStoreNext(n: number): void;
}

export const ORDER_PATHS = {
  billingContacts: '/user/openapi/user/v1/client/billing_contact_list',
  save: '/order/openapi/order/v1/save',
  page: '/order/openapi/order/v1/page',
  get: '/order/openapi/order/v1/get/{id}',
  autoRenewal: '/product/openapi/instance_subscription/v1/active',
} as const;

export const SIM_BILLING_CONTACTS = [
  {
    billingContactId: '1869403123456789012',
    emailAddress: 'billing@partner.example',
    firstName: 'Pat',
    lastName: 'Finance',
    companyName: 'Example Partner Ltd',
    taxNum: 'GB123',
  },
  {
    billingContactId: '1869403123456789013',
    emailAddress: 'ap@partner.example',
    firstName: 'Accounts',
    lastName: 'Payable',
    companyName: 'Example Partner Ltd',
    taxNum: 'GB123',
  },
];

const YEAR_MS = 365 * 86_400_000;
const MONTH_MS = 30 * 86_400_000;
const UNIT_PRICE: Record<string, number> = { plan: 120, service: 30 };

const REQUEST_PREFIX = randomBytes(8).toString('hex');
let requestCounter = 0;

/** An envelope whose 19-digit `id`s go out as bare JSON numbers, as the real API sends them. */
function envelope(status: number, code: string, detailMessage: string, result: unknown): SimAnswer {
  requestCounter++;
  const requestId = REQUEST_PREFIX + requestCounter.toString(16).padStart(16, '0');
  const text = JSON.stringify({ code, detailMessage, requestId, result, status });
  return { status, body: text.replace(/"(id|billingContactId)":"(\d{16,})"/g, '"$1":$2') };
}

const ok = (result: unknown) => envelope(200, 'success', '', result);
const invalid = (detail: string) => envelope(400, 'parameter_validation_failed', detail, null);

type Item = {
  serviceType: string;
  serviceId: string;
  quantity: number;
  billingCycle: string;
  multiCycle: number;
};

function readItems(raw: unknown): Item[] | string {
  if (!Array.isArray(raw) || raw.length === 0) return 'serviceList is required';
  const items: Item[] = [];
  for (const entry of raw as Record<string, unknown>[]) {
    const serviceType = String(entry?.serviceType ?? '');
    if (serviceType !== 'plan' && serviceType !== 'service') return 'serviceType must be plan or service';
    if (entry.purchaseType !== 'renew') return 'purchaseType must be renew';
    items.push({
      serviceType,
      serviceId: String(entry.serviceId ?? ''),
      quantity: Number(entry.quantity),
      billingCycle: String(entry.billingCycle ?? ''),
      multiCycle: Number(entry.multiCycle ?? 1),
    });
  }
  return items;
}

/** The guide's rules against the instance as it is now; a reason when the order must fail. */
function validate(instance: RawInstance, items: Item[]): string | null {
  const plan = items.find((i) => i.serviceType === 'plan');
  const renewedServices = instance.serviceList.filter((s) => s.serviceExpireDate !== null);
  if (plan) {
    if (plan.serviceId !== instance.planId) return `serviceId ${plan.serviceId} is not this product's plan`;
    if (plan.quantity !== Number(instance.quantity)) {
      return `The quantity must equal the current quantity (${instance.quantity})`;
    }
    for (const s of renewedServices) {
      if (!items.some((i) => i.serviceType === 'service' && i.serviceId === s.serviceId)) {
        return `The plan and its services must be renewed together: ${s.serviceName} is missing`;
      }
    }
  }
  for (const item of items) {
    if (item.billingCycle !== 'annually' && item.billingCycle !== 'monthly') return 'billingCycle is invalid';
    if (item.billingCycle !== 'annually') return 'The billing cycle cannot be changed on renewal';
    if (!Number.isInteger(item.multiCycle) || item.multiCycle < 0 || item.multiCycle > 5) {
      return 'multiCycle must be a whole number from 0 to 5';
    }
    if (item.serviceType === 'service') {
      const service = instance.serviceList.find((s) => s.serviceId === item.serviceId);
      if (!service) return `serviceId ${item.serviceId} is not a service of this product`;
      if (item.quantity !== Number(service.quantity)) {
        return `The quantity must equal the current quantity (${service.quantity}) for ${service.serviceName}`;
      }
    }
  }
  return null;
}

function createSimOrders(deps: { dataset: SimDataset; clock: () => number }): OrderBook {
  const { dataset, clock } = deps;
  const knobs: SimOrderKnobs = { settleAfterMs: 2_000, outcome: 'succeed', delayMs: 0 };
  const orders: SimOrder[] = [];
  let rejects: { left: number; detail: string; code: string } = { left: 0, detail: '', code: '' };
  let failAfterStore = 0;
  let counter = 0;

  const wait = () =>
    knobs.delayMs > 0
      ? new Promise<void>((resolve) => setTimeout(resolve, knobs.delayMs))
      : Promise.resolve();

  function extend(order: SimOrder): void {
    const served = dataset.find(order.productId, order.productNo);
    if (!served) return;
    const record = served.record;
    const patch: Partial<RawInstance> = {};
    const base = (at: number | null) => Math.max(at ?? clock(), clock());
    for (const item of order.serviceList) {
      const span =
        (item.billingCycle === 'monthly' ? MONTH_MS : YEAR_MS) * Math.max(1, Number(item.multiCycle));
      if (item.serviceType === 'plan') {
        patch.planExpireDate = base(record.planExpireDate) + span;
        patch.planStatus = 'purchased';
      }
    }
    patch.serviceList = record.serviceList.map((s) => {
      const item = order.serviceList.find((i) => i.serviceType === 'service' && i.serviceId === s.serviceId);
      if (!item) return s;
      const span = YEAR_MS * Math.max(1, Number(item.multiCycle));
      return { ...s, serviceExpireDate: base(s.serviceExpireDate) + span, serviceStatus: 'purchased' };
    });
    dataset.update(order.productId, order.productNo, patch);
  }

  function settle(order: SimOrder): SimOrder {
    if (!order.settled && clock() - order.createTime >= knobs.settleAfterMs) {
      order.settled = true;
      order.orderStatus = knobs.outcome;
      if (knobs.outcome === 'succeed') extend(order);
    }
    return order;
  }

  function save(body: string): SimAnswer {
    let raw: Record<string, unknown>;
    try {
      raw = parseJsonSafe(body) as Record<string, unknown>;
    } catch {
      return invalid('The body must be JSON');
    }
    const operationType = String(raw.operationType ?? '');
    if (operationType !== 'renew_plan' && operationType !== 'renew_service') {
      return invalid('operationType must be renew_plan or renew_service');
    }
    const productId = String(raw.productId ?? '');
    const productNo = String(raw.productNo ?? '');
    const served = dataset.find(productId, productNo);
    if (!served) return envelope(404, 'product_not_found', 'The product does not exist', null);
    const billingId = String(raw.billingId ?? '');
    if (!SIM_BILLING_CONTACTS.some((c) => c.billingContactId === billingId)) {
      return invalid('billingId is not one of your billing contacts');
    }
    const items = readItems(raw.serviceList);
    if (typeof items === 'string') return invalid(items);
    const refusal = validate(served.record, items);
    if (refusal) return envelope(400, 'order_validation_failed', refusal, null);
    if (rejects.left > 0) {
      rejects.left--;
      return envelope(400, rejects.code, rejects.detail, null);
    }
    counter++;
    const createTime = clock();
    const order: SimOrder = {
      id: `1870${String(createTime).slice(-9)}${String(counter).padStart(6, '0')}`,
      orderNo: `SO${new Date(createTime).toISOString().slice(0, 10).replace(/-/g, '')}${String(counter).padStart(5, '0')}`,
      orderStatus: 'pending',
      createTime,
      productId,
      productNo,
      productName: served.record.planName,
      operationType,
      billingId,
      poNumber: typeof raw.poNumber === 'string' ? raw.poNumber : null,
      serviceList: raw.serviceList as Record<string, unknown>[],
      currencyCode: 'USD',
      totalAmount: items.reduce(
        (sum, i) => sum + (UNIT_PRICE[i.serviceType] ?? 0) * Math.max(1, i.multiCycle),
        0,
      ),
      settled: false,
    };
    orders.push(order);
    if (failAfterStore > 0) {
      failAfterStore--;
      return envelope(500, 'internal_server_error', 'The server could not answer, please retry later', null);
    }
    return ok({ id: order.id, orderNo: order.orderNo });
  }

  function page(url: URL): SimAnswer {
    const pageNo = Math.max(1, Number(url.searchParams.get('pageNo') ?? 1) || 1);
    const pageSize = Math.min(100, Math.max(1, Number(url.searchParams.get('pageSize') ?? 20) || 20));
    const newest = [...orders].reverse().map(settle);
    const slice = newest.slice((pageNo - 1) * pageSize, pageNo * pageSize);
    return ok({
      pageNo,
      pageSize,
      total: orders.length,
      totalPage: Math.max(1, Math.ceil(orders.length / pageSize)),
      results: slice.map((o) => ({
        id: o.id,
        orderNo: o.orderNo,
        orderStatus: o.orderStatus,
        createTime: o.createTime,
        currencyCode: o.currencyCode,
        customReferenceNo: o.poNumber,
        invoiceNo: null,
        productNo: o.productNo,
      })),
    });
  }

  function details(idOrNo: string): SimAnswer {
    const order = orders.find((o) => o.id === idOrNo || o.orderNo === idOrNo);
    if (!order) return envelope(404, 'order_not_found', 'The order does not exist', null);
    settle(order);
    return ok({
      basicInformation: {
        productId: order.productId,
        productName: order.productName,
        productNo: order.productNo,
      },
      billingInformation: { billingContactId: order.billingId },
      orderInformation: { id: order.id, orderNo: order.orderNo, orderStatus: order.orderStatus },
      orderSummary: { currencyCode: order.currencyCode, totalAmount: order.totalAmount },
    });
  }

  function autoRenewal(body: string): SimAnswer {
    let raw: Record<string, unknown>;
    try {
      raw = parseJsonSafe(body) as Record<string, unknown>;
    } catch {
      return invalid('The body must be JSON');
    }
    const productId = String(raw.productId ?? '');
    const productNo = String(raw.productNo ?? '');
    const target = String(raw.planOrServiceId ?? '');
    const served = dataset.find(productId, productNo);
    if (!served) return envelope(404, 'product_not_found', 'The product does not exist', null);
    const record = served.record;
    if (record.planId === target) {
      dataset.update(productId, productNo, { planAutoRenewal: 1 });
      return ok(true);
    }
    if (!record.serviceList.some((s) => s.serviceId === target)) return invalid('planOrServiceId is unknown');
    dataset.update(productId, productNo, {
      serviceList: record.serviceList.map((s) =>
        s.serviceId === target ? { ...s, serviceAutoRenewal: 1 } : s,
      ),
    });
    return ok(true);
  }

  return {
    wait,
    save,
    page,
    details,
    autoRenewal,
    orders: () => orders.map(settle),
    setKnobs: (k) => Object.assign(knobs, k),
    rejectNext(n, detail = 'The order was refused: the product has an unpaid order', code = 'order_refused') {
      rejects = { left: n, detail, code };
    },
    failAfterStoreNext(n) {
      failAfterStore = n;
    },
  };
}

type OrderBook = SimOrders & {
  wait(): Promise<void>;
  save(body: string): SimAnswer;
  page(url: URL): SimAnswer;
  details(idOrNo: string): SimAnswer;
  autoRenewal(body: string): SimAnswer;
};

// One book per simulator, made on first use: the routes are shared constants, the state is not.
const books = new WeakMap<SimState, OrderBook>();

function bookOf(state: SimState): OrderBook {
  let book = books.get(state);
  if (!book) {
    book = createSimOrders({ dataset: state.dataset, clock: state.clock });
    books.set(state, book);
  }
  return book;
}

/** The order state and knobs of a simulator (`sim.state`). */
export function simOrders(state: SimState): SimOrders {
  return bookOf(state);
}

function route(
  method: 'GET' | 'POST',
  template: string,
  pattern: RegExp,
  run: (book: OrderBook, req: { url: URL; params: string[]; body: string }) => SimAnswer,
): SimRoute {
  return {
    method,
    template,
    pattern,
    authenticated: true,
    async run(req, state) {
      const book = bookOf(state);
      await book.wait();
      return run(book, req);
    },
  };
}

export const ORDER_ROUTES: readonly SimRoute[] = [
  route('GET', ORDER_PATHS.billingContacts, /^\/user\/openapi\/user\/v1\/client\/billing_contact_list$/, () =>
    ok(SIM_BILLING_CONTACTS),
  ),
  route('POST', ORDER_PATHS.save, /^\/order\/openapi\/order\/v1\/save$/, (book, { body }) => book.save(body)),
  route('GET', ORDER_PATHS.page, /^\/order\/openapi\/order\/v1\/page$/, (book, { url }) => book.page(url)),
  route('GET', ORDER_PATHS.get, /^\/order\/openapi\/order\/v1\/get\/([^/]+)$/, (book, { params }) =>
    book.details(params[0] ?? ''),
  ),
  route(
    'POST',
    ORDER_PATHS.autoRenewal,
    /^\/product\/openapi\/instance_subscription\/v1\/active$/,
    (book, { body }) => book.autoRenewal(body),
  ),
];
