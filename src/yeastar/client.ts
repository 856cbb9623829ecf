import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { type Logger, silentLogger } from '../logger.js';
import { envelopeOf, resultOf, successOf } from './answer.js';
import {
  YeastarApiError,
  YeastarAuthError,
  YeastarError,
  YeastarResponseError,
  YeastarTransportError,
} from './errors.js';
import { createHttp, parseRetryAfter, relativePath, toTransportError, transportCode } from './http.js';
import {
  type Envelope,
  parseActivationCode,
  parseInstance,
  parseInstancePage,
  parsePlanRenewalInfo,
  parseProductLines,
  parsePurchaseProductInfo,
  parseServiceRenewalInfo,
} from './schemas.js';
import { createTokenManager, type TokenManager } from './tokens.js';
import { createTransport } from './transport.js';
import {
  type ClientStats,
  type InstancePage,
  SOFTWARE_EDITION_PRODUCT_ID,
  type YeastarClient,
} from './types.js';

/** Path templates: what errors, logs and stats name (never a URL with an SN or a query in it). */
export const ENDPOINTS = {
  productList: '/pricing/openapi/purchase/v1/product_list',
  instanceList: '/product/openapi/instance_product/v1/client/instance_product_list',
  instanceDetail: '/product/openapi/instance_product/v1/detail',
  purchaseInfo: '/pricing/openapi/purchase/v1/purchase_product_info',
  serviceRenewal: '/pricing/openapi/purchase/v1/renew/add_on_info/{pricingServiceId}',
  planRenewal: '/pricing/openapi/purchase/v1/renew/plan_info/{pricingPlanId}',
  activationCode: '/product/openapi/instance_product/v1/activation_code',
} as const;

export const MAX_PAGE_SIZE = 100;

export type RetryPolicy = { attempts: number; baseDelayMs: number; maxDelayMs: number };

export type YeastarClientOptions = {
  baseUrl: string;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  userAgent: string;
  redis: Redis;
  keyPrefix: string;
  logger?: Logger;
  clock?: () => number;
  /** Requests in flight at once, across every method of this client (default 8). */
  concurrency?: number;
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** Network errors, timeouts, 5xx and 429 (default 5 attempts, 200 ms base, 10 s cap, full jitter). */
  retry?: Partial<RetryPolicy>;
  /** The longest `Retry-After` honoured (default 60 s). */
  maxRetryAfterMs?: number;
  /** Instances per page (default and maximum 100). */
  pageSize?: number;
  /** How the client waits between attempts; tests pass one that records the delays. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Shared with other clients of the same process if given; made from the options otherwise. */
  tokens?: TokenManager;
};

type Call<T> = {
  endpoint: string;
  path: string;
  query: Record<string, string>;
  parse: (result: unknown, envelope: Envelope) => T;
  /** An API error that is an answer, not a failure (e.g. not found → null). */
  accept?: (error: YeastarApiError) => boolean;
};

const NOT_FOUND = /not_?found/i;

export function isNotFound(error: YeastarApiError): boolean {
  return error.code === 'product_not_found' || NOT_FOUND.test(error.code);
}

function clampPageSize(size: number): number {
  return Number.isFinite(size) ? Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(size))) : MAX_PAGE_SIZE;
}

/** The code an attempt is counted under in `stats().byEndpoint[…].byCode`. */
function outcomeCode(error: YeastarError): string {
  if (error instanceof YeastarApiError) return error.code;
  if (error instanceof YeastarTransportError) return transportCode(error);
  if (error instanceof YeastarResponseError) return 'malformed_response';
  if (error instanceof YeastarAuthError) return error.code ?? 'auth_error';
  return 'error';
}

export function createYeastarClient(options: YeastarClientOptions): YeastarClient {
  const logger = options.logger ?? silentLogger();
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const random = options.random ?? Math.random;
  const policy: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000, ...options.retry };
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const defaultPageSize = clampPageSize(options.pageSize ?? MAX_PAGE_SIZE);
  const connection = {
    baseUrl: options.baseUrl,
    userAgent: options.userAgent,
    timeoutMs: options.timeoutMs ?? 15_000,
  };
  const transport = createTransport({ ...connection, concurrency: options.concurrency ?? 8 });
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
      http: createHttp(connection),
    });

  const totals = { calls: 0, errors: 0, retries: 0, skippedRecords: 0 };
  const byEndpoint: ClientStats['byEndpoint'] = {};

  function endpointStats(endpoint: string) {
    byEndpoint[endpoint] ??= { calls: 0, errors: 0, byCode: {} };
    return byEndpoint[endpoint];
  }

  function backoff(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return Math.min(retryAfterMs, maxRetryAfterMs);
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(random() * ceiling);
  }

  /** One HTTP exchange; every outcome other than a usable envelope with `success` is thrown. */
  async function attemptOnce<T>(call: Call<T>, token: string, hint: { retryAfterMs?: number }): Promise<T> {
    const started = clock();
    let statusCode: number;
    let body: Buffer;
    let retryAfter: string | string[] | undefined;
    try {
      // Every call but an instance page is a look-up on the way to a Slack post (or a person waiting on a
      // slash command): it goes ahead of the pages still queued, so alerts go out as their pages are read,
      // not after the scan (README: Performance).
      const urgent = call.endpoint !== ENDPOINTS.instanceList;
      const response = await transport.get(relativePath(call.path), call.query, `Bearer ${token}`, urgent);
      statusCode = response.statusCode;
      body = response.body;
      retryAfter = response.retryAfter;
    } catch (error) {
      logger.debug({ method: 'GET', endpoint: call.endpoint, ms: clock() - started }, 'yeastar call failed');
      throw toTransportError(error, call.endpoint);
    }
    hint.retryAfterMs = statusCode === 429 ? parseRetryAfter(retryAfter, clock()) : undefined;
    const envelope = envelopeOf(body);
    logger.debug(
      {
        method: 'GET',
        endpoint: call.endpoint,
        status: statusCode,
        code: envelope?.code,
        requestId: envelope?.requestId,
        ms: clock() - started,
      },
      'yeastar call',
    );
    return resultOf(
      call.endpoint,
      successOf(call.endpoint, statusCode, envelope, hint.retryAfterMs),
      call.parse,
    );
  }

  async function request<T>(call: Call<T>): Promise<T | null> {
    const stats = endpointStats(call.endpoint);
    stats.calls++;
    totals.calls++;
    let attempt = 1;
    let tokenRenewed = false;
    for (;;) {
      let token: string | undefined;
      const hint: { retryAfterMs?: number } = {};
      try {
        token = await tokens.getToken();
        const value = await attemptOnce(call, token, hint);
        stats.byCode['success'] = (stats.byCode['success'] ?? 0) + 1;
        return value;
      } catch (caught) {
        const error = caught instanceof YeastarError ? caught : toTransportError(caught, call.endpoint);
        const code = outcomeCode(error);
        stats.byCode[code] = (stats.byCode[code] ?? 0) + 1;
        if (error instanceof YeastarApiError && call.accept?.(error)) return null;
        if (error instanceof YeastarApiError && error.isTokenError && !tokenRenewed && token !== undefined) {
          // Revoked or expired before we expected: renew once; a second refusal is a real failure.
          tokenRenewed = true;
          logger.warn(
            { endpoint: call.endpoint, code, requestId: error.requestId },
            'yeastar token refused; renewing',
          );
          await tokens.invalidate(token);
          continue;
        }
        if (error.retryable && attempt < policy.attempts) {
          const waitMs = backoff(attempt, hint.retryAfterMs);
          totals.retries++;
          // Debug: a retry that works is routine, and one that does not ends in the job's own warning.
          logger.debug(
            {
              endpoint: call.endpoint,
              attempt,
              attempts: policy.attempts,
              code,
              status:
                error instanceof YeastarApiError ? error.status : (error as YeastarTransportError).statusCode,
              requestId: error.requestId,
              delayMs: waitMs,
            },
            'yeastar call failed; retrying',
          );
          await sleep(waitMs);
          attempt++;
          continue;
        }
        stats.errors++;
        totals.errors++;
        throw error;
      }
    }
  }

  /** `request` for calls that never accept an error as an answer. */
  async function requireValue<T>(call: Call<T>): Promise<T> {
    return (await request(call)) as T;
  }

  async function getInstancePage(
    productId: string,
    pageNo: number,
    pageSize?: number,
  ): Promise<InstancePage> {
    const size = clampPageSize(pageSize ?? defaultPageSize);
    const page = await requireValue({
      endpoint: ENDPOINTS.instanceList,
      path: ENDPOINTS.instanceList,
      query: { productId, pageNo: String(pageNo), pageSize: String(size) },
      parse: (result, envelope) =>
        parseInstancePage(result, productId, { requestId: envelope.requestId, pageNo, pageSize: size }),
    });
    if (page.skipped.length > 0) {
      totals.skippedRecords += page.skipped.length;
      for (const skipped of page.skipped) {
        logger.warn(
          {
            endpoint: ENDPOINTS.instanceList,
            productId,
            pageNo: page.pageNo,
            index: skipped.index,
            productNo: skipped.productNo,
            field: skipped.field,
            reason: skipped.reason,
            requestId: page.requestId,
          },
          'yeastar instance record skipped',
        );
      }
    }
    return page;
  }

  return {
    async listProductLines() {
      const { productLines, skipped } = await requireValue({
        endpoint: ENDPOINTS.productList,
        path: ENDPOINTS.productList,
        query: {},
        parse: (result) => parseProductLines(result),
      });
      for (const s of skipped) {
        logger.warn(
          { endpoint: ENDPOINTS.productList, index: s.index, field: s.field, reason: s.reason },
          'yeastar product line skipped',
        );
      }
      return productLines;
    },

    getInstancePage,

    async *listInstances(productId, listOptions) {
      let pageSize = clampPageSize(listOptions?.pageSize ?? defaultPageSize);
      let pageNo = 1;
      for (;;) {
        const page = await getInstancePage(productId, pageNo, pageSize);
        yield page;
        // The answer's own numbers decide: the server may have capped the size or the list may have shrunk.
        if (page.pageSize > 0) pageSize = clampPageSize(page.pageSize);
        const empty = page.instances.length === 0 && page.skipped.length === 0;
        if (empty || pageNo >= page.totalPage) return;
        pageNo++;
      }
    },

    async getInstance(productId, productNo) {
      return request({
        endpoint: ENDPOINTS.instanceDetail,
        path: ENDPOINTS.instanceDetail,
        query: { productNo, productId },
        parse: (result) => parseInstance(result, productId),
        accept: isNotFound,
      });
    },

    getPurchaseInfo(productId, productNo) {
      return requireValue({
        endpoint: ENDPOINTS.purchaseInfo,
        path: ENDPOINTS.purchaseInfo,
        query: productNo ? { productId, productNo } : { productId },
        parse: (result) => parsePurchaseProductInfo(result),
      });
    },

    getServiceRenewalInfo(pricingServiceId, productId, productNo) {
      return requireValue({
        endpoint: ENDPOINTS.serviceRenewal,
        path: ENDPOINTS.serviceRenewal.replace('{pricingServiceId}', encodeURIComponent(pricingServiceId)),
        query: { productNo, productId },
        parse: (result) => parseServiceRenewalInfo(result),
      });
    },

    getPlanRenewalInfo(pricingPlanId, productId, productNo) {
      return requireValue({
        endpoint: ENDPOINTS.planRenewal,
        path: ENDPOINTS.planRenewal.replace('{pricingPlanId}', encodeURIComponent(pricingPlanId)),
        query: { productId, productNo },
        parse: (result) => parsePlanRenewalInfo(result),
      });
    },

    getActivationCode(productNo) {
      return requireValue({
        endpoint: ENDPOINTS.activationCode,
        path: ENDPOINTS.activationCode,
        query: { productNo, productId: SOFTWARE_EDITION_PRODUCT_ID },
        parse: (result) => parseActivationCode(result),
      });
    },

    stats() {
      const endpoints: ClientStats['byEndpoint'] = {};
      for (const [name, s] of Object.entries(byEndpoint)) endpoints[name] = { ...s, byCode: { ...s.byCode } };
      return {
        ...totals,
        slotMs: transport.slotMs(),
        idleSlotMs: transport.idleMs(),
        tokenRequests: tokens.stats().tokenRequests,
        byEndpoint: endpoints,
      };
    },
  };
}
