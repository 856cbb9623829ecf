import type { Got } from 'got';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { type Logger, silentLogger } from '../logger.js';
import { envelopeOf, resultOf, successOf } from './answer.js';
import { YeastarApiError, YeastarError } from './errors.js';
import { createHttp, relativePath, toTransportError } from './http.js';
import {
  type BillingContact,
  type CreatedOrder,
  type OrderDetails,
  type OrderPage,
  parseAutoRenewalResult,
  parseBillingContacts,
  parseCreatedOrder,
  parseOrderDetails,
  parseOrderPage,
} from './schemas/orders.js';
import { createTokenManager, type TokenManager } from './tokens.js';

/**
 * The Partner API's order side: billing contacts, placing an order, the order list and details, and
 * switching auto-renewal on. On the main thread with got (rare calls, unlike the instance pages).
 *
 * Placing an order is NOT idempotent: it is sent once, never retried here. A timeout or a 5xx after
 * sending leaves the outcome unknown, which the caller settles with the order list. Reads retry a
 * little on 5xx and network errors; a refused token is renewed once for every call (a 401 means the
 * request was not processed).
 */

export const ORDER_ENDPOINTS = {
  billingContacts: '/user/openapi/user/v1/client/billing_contact_list',
  createOrder: '/order/openapi/order/v1/save',
  orderList: '/order/openapi/order/v1/page',
  orderDetails: '/order/openapi/order/v1/get/{id}',
  enableAutoRenewal: '/product/openapi/instance_subscription/v1/active',
} as const;

/** One `serviceList` item of a renewal order (guide: the renewal tutorials). */
export type OrderServiceItem = {
  serviceType: 'plan' | 'service';
  serviceId: string;
  connectionPlanId?: string;
  quantity: number;
  purchaseType: 'renew';
  billingModel: 'recurring';
  billingCycle: string;
  multiCycle: number;
};

export type CreateOrderRequest = {
  operationType: 'renew_plan' | 'renew_service';
  productNo: string;
  productId: number;
  /** A long in the API: sent as a bare JSON number even when it has 19 digits. */
  billingId: string;
  poNumber?: string;
  serviceList: OrderServiceItem[];
};

export type AutoRenewalRequest = { productNo: string; productId: string; planOrServiceId: string };

export interface OrderApi {
  listBillingContacts(): Promise<BillingContact[]>;
  createOrder(request: CreateOrderRequest): Promise<CreatedOrder>;
  listOrders(pageNo: number, pageSize?: number): Promise<OrderPage>;
  /** `idOrNo`: the order id or its number. */
  getOrder(idOrNo: string): Promise<OrderDetails>;
  enableAutoRenewal(request: AutoRenewalRequest): Promise<boolean>;
}

export type OrderApiOptions = {
  baseUrl: string;
  userAgent: string;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  redis: Redis;
  keyPrefix: string;
  logger?: Logger;
  clock?: () => number;
  timeoutMs?: number;
  /** Attempts for reads (default 3). */
  readAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  tokens?: TokenManager;
  http?: Got;
};

/** The order body as JSON text, with `billingId` as a bare number (the API reads a long). */
export function orderBody(request: CreateOrderRequest): string {
  const placeholder = JSON.stringify('\u0000billing');
  const text = JSON.stringify({ ...request, billingId: '\u0000billing' });
  const billing = /^\d+$/.test(request.billingId) ? request.billingId : JSON.stringify(request.billingId);
  return text.replace(placeholder, billing);
}

type Exchange<T> = {
  endpoint: string;
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: string;
  parse: (result: unknown) => T;
  /** Reads may be sent again; an order may not. */
  idempotent: boolean;
};

/** The order API as the bot runs it: the Partner API settings, its tokens shared through Redis. */
export function createOrderApiFromConfig(
  config: Config,
  deps: { redis: Redis; logger: Logger; clock: () => number },
): OrderApi {
  return createOrderApi({
    baseUrl: config.yeastar.baseUrl,
    userAgent: config.yeastar.userAgent,
    clientId: config.yeastar.clientId,
    clientSecret: config.yeastar.clientSecret,
    redis: deps.redis,
    keyPrefix: config.queuePrefix,
    logger: deps.logger,
    clock: deps.clock,
  });
}

export function createOrderApi(options: OrderApiOptions): OrderApi {
  const logger = options.logger ?? silentLogger();
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const readAttempts = options.readAttempts ?? 3;
  const http =
    options.http ??
    createHttp({
      baseUrl: options.baseUrl,
      userAgent: options.userAgent,
      timeoutMs: options.timeoutMs ?? 15_000,
    });
  const tokens =
    options.tokens ??
    createTokenManager({
      redis: options.redis,
      keyPrefix: options.keyPrefix,
      baseUrl: options.baseUrl,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      userAgent: options.userAgent,
      clock,
      logger,
      http,
    });

  async function once<T>(call: Exchange<T>, token: string): Promise<T> {
    const started = clock();
    let statusCode: number;
    let raw: string;
    try {
      const response = await http(relativePath(call.path), {
        method: call.method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(call.query ? { searchParams: call.query } : {}),
        ...(call.body !== undefined ? { body: call.body } : {}),
      });
      statusCode = response.statusCode;
      raw = response.body as string;
    } catch (error) {
      throw toTransportError(error, call.endpoint);
    }
    const envelope = envelopeOf(Buffer.from(raw, 'utf8'));
    logger.info(
      {
        method: call.method,
        endpoint: call.endpoint,
        status: statusCode,
        code: envelope?.code,
        requestId: envelope?.requestId,
        ms: clock() - started,
      },
      'yeastar order call',
    );
    return resultOf(call.endpoint, successOf(call.endpoint, statusCode, envelope), (result) =>
      call.parse(result),
    );
  }

  async function exchange<T>(call: Exchange<T>): Promise<T> {
    let renewed = false;
    let attempt = 1;
    for (;;) {
      const token = await tokens.getToken();
      try {
        return await once(call, token);
      } catch (caught) {
        const error = caught instanceof YeastarError ? caught : toTransportError(caught, call.endpoint);
        if (error instanceof YeastarApiError && error.isTokenError && !renewed) {
          renewed = true;
          await tokens.invalidate(token);
          continue;
        }
        if (call.idempotent && error.retryable && attempt < readAttempts) {
          await sleep(Math.min(2_000, 200 * 2 ** (attempt - 1)));
          attempt++;
          continue;
        }
        throw error;
      }
    }
  }

  return {
    listBillingContacts: () =>
      exchange({
        endpoint: ORDER_ENDPOINTS.billingContacts,
        method: 'GET',
        path: ORDER_ENDPOINTS.billingContacts,
        parse: parseBillingContacts,
        idempotent: true,
      }),
    createOrder: (request) =>
      exchange({
        endpoint: ORDER_ENDPOINTS.createOrder,
        method: 'POST',
        path: ORDER_ENDPOINTS.createOrder,
        body: orderBody(request),
        parse: parseCreatedOrder,
        idempotent: false,
      }),
    listOrders: (pageNo, pageSize = 100) =>
      exchange({
        endpoint: ORDER_ENDPOINTS.orderList,
        method: 'GET',
        path: ORDER_ENDPOINTS.orderList,
        query: { pageNo: String(pageNo), pageSize: String(pageSize) },
        parse: parseOrderPage,
        idempotent: true,
      }),
    getOrder: (idOrNo) =>
      exchange({
        endpoint: ORDER_ENDPOINTS.orderDetails,
        method: 'GET',
        path: ORDER_ENDPOINTS.orderDetails.replace('{id}', encodeURIComponent(idOrNo)),
        parse: parseOrderDetails,
        idempotent: true,
      }),
    enableAutoRenewal: (request) =>
      exchange({
        endpoint: ORDER_ENDPOINTS.enableAutoRenewal,
        method: 'POST',
        path: ORDER_ENDPOINTS.enableAutoRenewal,
        body: JSON.stringify(request),
        parse: parseAutoRenewalResult,
        // Switching a flag on twice is harmless.
        idempotent: true,
      }),
  };
}
