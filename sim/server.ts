import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../src/logger.js';
import { silentLogger } from '../src/logger.js';
import { catalogLine } from './catalog.js';
import { createDataset, type ServedRecord } from './dataset.js';
import { createFaultPlan, type InjectedFault, type SimFaults } from './faults.js';
import { createGenerator, defaultAttention, type RawInstance } from './generator.js';
import { createLatency } from './latency.js';
import { createSimOrders, type SimOrders } from './orders.js';
import { addOnInfo, planInfo, purchaseProductInfo } from './pricing.js';
import { createTokenStore } from './tokens.js';

/**
 * A local stand-in for the Yeastar Partner Portal OpenAPI over real HTTP (node:http, 127.0.0.1): the
 * documented paths, envelope, tokens and pagination, with knobs for the failures a client must
 * survive. Used by tests, `npm run demo`, `npm run sim` and the benchmark.
 */

export type { SimFaults } from './faults.js';
export type { RawEndUserInfo, RawInstance, RawService } from './generator.js';

export type SimOptions = {
  /** 0 or omitted: a free port. */
  port?: number;
  clock?: () => number;
  /** Generated expiry dates are relative to this; default clock() at creation. */
  anchorMs?: number;
  clientId?: string;
  clientSecret?: string;
  /** Generated instances (default 200), spread over product lines 9, 11, 12, 13. */
  instances?: number;
  /** How many need attention (default ~6 % of instances). */
  attention?: number;
  /** Same seed, same data (default 1). */
  seed?: number;
  /** Also serve page 000's two example instances at the head of productId 13. */
  examples?: boolean;
  faults?: Partial<SimFaults>;
  /** Each request at debug level (path template, status); never a token. */
  logger?: Logger;
  /**
   * How many bytes of rendered `instance_product_list` pages (UTF-8) to keep for reuse. Default
   * {@link DEFAULT_PAGE_CACHE_BYTES}; 0 renders every page on every request.
   */
  pageCacheBytes?: number;
};

export interface Simulator {
  url: string;
  /** The order endpoints' state and fault knobs (sim/orders.ts). */
  orders: SimOrders;
  port: number;
  credentials: { clientId: string; clientSecret: string };
  close(): Promise<void>;
  setFaults(f: Partial<SimFaults>): void;
  /** The next `n` matching requests get a 5xx (default 503). */
  failNext(n: number, options?: { status?: number; path?: string }): void;
  /** The next `n` matching requests get HTTP 429 with Retry-After and code `too_many_requests`. */
  rateLimitNext(n: number, retryAfterSeconds: number, options?: { path?: string }): void;
  /** The next `n` matching answers: status 200, body cut short (not valid JSON). */
  malformNext(n: number, options?: { path?: string }): void;
  /** Every access token issued so far reads as expired. */
  revokeTokens(): void;
  /** That record is served without `field` (a dotted path such as `serviceList.0.serviceId` works too). */
  corruptRecord(productId: string, productNo: string, field: string): void;
  /** Gone from the list (later records move up a place), detail and every other endpoint. */
  removeInstance(productId: string, productNo: string): void;
  /** Runs `fn` once, just before that page of that product line is next served. */
  onPage(productId: string, pageNo: number, fn: () => void): void;
  updateInstance(productId: string, productNo: string, patch: Partial<RawInstance>): void;
  getInstance(productId: string, productNo: string): RawInstance | undefined;
  listInstanceNos(productId: string): string[];
  /**
   * Renders every page of every product line at this page size into the page cache, until the cache is
   * full, yielding to the event loop between chunks: afterwards a client walking the pages costs this
   * process little CPU, as a remote server's would cost the client's machine none.
   */
  prerender(pageSize: number): Promise<void>;
  /** What the page cache holds (bytes) and how many list answers it has served. */
  pageCacheStats(): { pages: number; bytes: number; hits: number };
  /** `byPath` is keyed by path template; `tokensIssued` counts both grants, `refreshes` the refresh grant. */
  stats(): {
    requests: number;
    byPath: Record<string, number>;
    tokensIssued: number;
    refreshes: number;
    /** Milliseconds from each request's arrival to its answer's last byte handed to the socket, summed. */
    answerMs: number;
  };
  resetStats(): void;
}

export const PATHS = {
  token: '/auth/openapi/v1/oauth/token',
  productList: '/pricing/openapi/purchase/v1/product_list',
  instanceList: '/product/openapi/instance_product/v1/client/instance_product_list',
  detail: '/product/openapi/instance_product/v1/detail',
  purchaseInfo: '/pricing/openapi/purchase/v1/purchase_product_info',
  addOnInfo: '/pricing/openapi/purchase/v1/renew/add_on_info/{pricingServiceId}',
  planInfo: '/pricing/openapi/purchase/v1/renew/plan_info/{pricingPlanId}',
  activationCode: '/product/openapi/instance_product/v1/activation_code',
} as const;

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;
const MAX_BODY_BYTES = 64 * 1024;
/** Enough for the benchmark's default 100,000 instances at 100 a page (~114 MB). */
export const DEFAULT_PAGE_CACHE_BYTES = 128 * 1024 * 1024;
/** Pages prerender renders between turns of the event loop (a few ms each): a request waits ~0.1 s at most. */
const PRERENDER_CHUNK = 20;

/**
 * `body` as bytes when they were kept ready to send (a cached page), saving a UTF-8 encoding per request;
 * as parts, they are written one after the other without being joined (see okBytes).
 */
type Answer = { status: number; body: string | Buffer | Buffer[]; headers?: Record<string, string> };

type RouteContext = { url: URL; params: string[]; body: string; contentType: string };
type Route = {
  method: 'GET' | 'POST';
  template: string;
  pattern: RegExp;
  authenticated: boolean;
  run(ctx: RouteContext): Answer | Promise<Answer>;
};

/**
 * A 19-digit ID that must go out as a bare JSON number, which JSON.stringify cannot write: it travels as
 * a marked string and loses its quotes afterwards. A marker rather than a replacer function, because a
 * replacer takes JSON.stringify off its fast path for every value of every page.
 */
const BARE_MARK = '\u0000bare:';
const BARE_PATTERN = /"\\u0000bare:(\d+)"/g;

function toJsonText(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes('\\u0000bare:') ? text.replace(BARE_PATTERN, '$1') : text;
}

// A random prefix per process and a counter: unique and 32 hex characters like the real IDs, without
// asking the system for random bytes on every request.
const REQUEST_ID_PREFIX = randomBytes(8).toString('hex');
let requestCounter = 0;
function nextRequestId(): string {
  requestCounter++;
  return REQUEST_ID_PREFIX + requestCounter.toString(16).padStart(16, '0');
}

function envelope(status: number, code: string, detailMessage: string, result: unknown): Answer {
  const requestId = nextRequestId();
  return { status, body: toJsonText({ code, detailMessage, requestId, result, status }) };
}

const ok = (result: unknown) => envelope(200, 'success', '', result);

const OK_TAIL = Buffer.from(',"status":200}', 'latin1');

/**
 * A success envelope around `result` already serialised as UTF-8: the same bytes JSON.stringify writes
 * for the envelope object (keys in its order, no spaces), so a page's bytes can be kept and reused.
 * The parts go out as they are, in one write: joining them copied every 113 KB page again, and the
 * fresh buffers and their collection were a fifth of this process's CPU in the benchmark.
 */
function okBytes(result: Buffer): Answer {
  const head = `{"code":"success","detailMessage":"","requestId":"${nextRequestId()}","result":`;
  return { status: 200, body: [Buffer.from(head, 'latin1'), result, OK_TAIL] };
}

function bodyBytes(body: Answer['body']): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Array.isArray(body) ? Buffer.concat(body) : body;
}

type PageCache = {
  get(key: string): Buffer | undefined;
  /** False when the page does not fit in what is left of the budget (it is then not kept). */
  add(key: string, bytes: Buffer): boolean;
  has(key: string): boolean;
  clear(): void;
  stats(): { pages: number; bytes: number; hits: number };
};

/**
 * Rendered list pages (UTF-8, outside V8's heap so the GC never walks or copies them) up to `budget`
 * bytes. When full it keeps what it has and adds nothing more, rather than evicting: a client walks the
 * pages in the same order every cycle, so evicting the oldest would throw out each page just before
 * it is asked for again (no hit at all once the data set outgrows the budget), while keeping the
 * first ones serves as many pages as fit. Keys count towards the budget so that a flood of empty
 * pages past the end cannot grow it without bound.
 */
function createPageCache(budget: number): PageCache {
  const pages = new Map<string, Buffer>();
  let bytes = 0;
  let hits = 0;
  return {
    get(key) {
      const page = pages.get(key);
      if (page !== undefined) hits++;
      return page;
    },
    add(key, page) {
      const size = key.length + page.length;
      if (pages.has(key) || bytes + size > budget) return false;
      pages.set(key, page);
      bytes += size;
      return true;
    },
    has: (key) => pages.has(key),
    clear() {
      pages.clear();
      bytes = 0;
    },
    stats: () => ({ pages: pages.size, bytes, hits }),
  };
}

function invalidParameter(field: string, problem: string): Answer {
  return envelope(400, 'parameter_validation_failed', `${field} ${problem}`, { field });
}

const notFound = (code: string, detailMessage: string) => envelope(404, code, detailMessage, null);

function wire(served: ServedRecord): unknown {
  return served.barePlanId ? { ...served.record, planId: BARE_MARK + served.record.planId } : served.record;
}

/** A trimmed query parameter, with "" read as absent. */
function param(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name)?.trim();
  return value ? value : undefined;
}

/** A positive whole-number parameter, its default, or the error answer to send. */
function positiveInt(url: URL, name: string, fallback: number | undefined): number | Answer {
  const raw = param(url, name);
  if (raw === undefined) return fallback ?? invalidParameter(name, 'is required');
  if (!/^\d+$/.test(raw) || Number(raw) < 1) return invalidParameter(name, 'must be a positive integer');
  return Number(raw);
}

function parseForm(body: string, contentType: string): Record<string, string> {
  const type = contentType.toLowerCase();
  if (type.includes('application/json')) {
    try {
      const parsed = JSON.parse(body) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
      }
    } catch {
      // A body that is not JSON carries no fields; the grant check then names what is missing.
    }
    return {};
  }
  if (type.includes('multipart/form-data')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!boundary) return {};
    const fields: Record<string, string> = {};
    for (const part of body.split(`--${boundary}`)) {
      const split = part.indexOf('\r\n\r\n');
      if (split < 0) continue;
      const name = /name="([^"]*)"/i.exec(part.slice(0, split))?.[1];
      if (name !== undefined) fields[name] = part.slice(split + 4).replace(/\r\n$/, '');
    }
    return fields;
  }
  return Object.fromEntries(new URLSearchParams(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function faultAnswer(fault: InjectedFault): Answer {
  if (fault.kind === 'rate_limited') {
    const answer = envelope(429, 'too_many_requests', 'Too many requests, please retry later', null);
    return { ...answer, headers: { 'Retry-After': String(fault.retryAfterSeconds) } };
  }
  // A gateway in front of the API answers 502 with HTML, not with the API's envelope.
  if (fault.status === 502) {
    return {
      status: 502,
      body: '<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>',
      headers: { 'Content-Type': 'text/html' },
    };
  }
  const code = fault.status === 503 ? 'service_unavailable' : 'internal_server_error';
  return envelope(fault.status, code, 'The server could not answer, please retry later', null);
}

export async function createSimulator(options: SimOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? Date.now;
  const seed = options.seed ?? 1;
  const instances = options.instances ?? 200;
  const logger = options.logger ?? silentLogger();
  const credentials = {
    clientId: options.clientId ?? 'sim-client-id',
    clientSecret: options.clientSecret ?? 'sim-client-secret',
  };
  const generator = createGenerator({
    seed,
    instances,
    attention: options.attention ?? defaultAttention(instances),
    anchorMs: options.anchorMs ?? clock(),
  });
  const dataset = createDataset(generator, { examples: options.examples ?? false });
  const faults = createFaultPlan(seed, options.faults);
  const tokens = createTokenStore({
    clock,
    ...credentials,
    lifetimeSeconds: () => faults.current().tokenLifetimeSeconds,
  });
  const pageHooks = new Map<string, Array<() => void>>();
  const pageCacheBytes = options.pageCacheBytes ?? DEFAULT_PAGE_CACHE_BYTES;
  if (!(pageCacheBytes >= 0)) throw new RangeError('pageCacheBytes must be >= 0');
  const pageCache = createPageCache(pageCacheBytes);
  let cachedRevision = dataset.revision;
  let requests = 0;
  let answerMs = 0;
  let byPath: Record<string, number> = {};

  function instanceParams(url: URL): { productId: string; productNo: string } | Answer {
    const productNo = param(url, 'productNo');
    if (productNo === undefined) return invalidParameter('productNo', 'is required');
    const productId = param(url, 'productId');
    if (productId === undefined) return invalidParameter('productId', 'is required');
    if (!/^\d+$/.test(productId)) return invalidParameter('productId', 'must be an integer');
    return { productId, productNo };
  }

  const productNotFound = () => notFound('product_not_found', 'The product does not exist');

  /** Cached pages are only as current as the dataset they came from: any change drops them all. */
  function freshPageCache(): PageCache {
    if (dataset.revision !== cachedRevision) {
      pageCache.clear();
      cachedRevision = dataset.revision;
    }
    return pageCache;
  }

  const pageKey = (productId: string, pageNo: number, pageSize: number) =>
    `${productId}:${pageNo}:${pageSize}`;

  /** The `result` of a list answer as UTF-8 JSON. */
  function renderListResult(productId: string, pageNo: number, pageSize: number): Buffer {
    const page = dataset.page(productId, pageNo, pageSize);
    const text = toJsonText({
      count: page.total,
      pageNo,
      pageSize,
      results: page.records.map(wire),
      total: page.total,
      totalPage: Math.ceil(page.total / pageSize),
    });
    return Buffer.from(text, 'utf8');
  }

  const orders = createSimOrders({ dataset, clock });
  const routes: Route[] = [
    ...orders.routes,
    {
      method: 'POST',
      template: PATHS.token,
      pattern: /^\/auth\/openapi\/v1\/oauth\/token$/,
      authenticated: false,
      run({ url, body, contentType }) {
        const form = { ...Object.fromEntries(url.searchParams), ...parseForm(body, contentType) };
        const grantType = form['grant_type'];
        if (!grantType) return invalidParameter('grant_type', 'is required');
        if (grantType === 'pp_credentials') {
          const grant = tokens.issueForCredentials(form['client_id'], form['client_secret']);
          return grant
            ? ok(grant)
            : envelope(400, 'invalid_client', 'client_id or client_secret is wrong', null);
        }
        if (grantType === 'refresh_token') {
          const refreshToken = form['refresh_token'];
          if (!refreshToken) return invalidParameter('refresh_token', 'is required');
          const grant = tokens.refresh(refreshToken);
          return grant
            ? ok(grant)
            : envelope(400, 'invalid_refresh_token', 'The refresh token is invalid, expired or spent', null);
        }
        return envelope(
          400,
          'unsupported_grant_type',
          'grant_type must be pp_credentials or refresh_token',
          null,
        );
      },
    },
    {
      method: 'GET',
      template: PATHS.productList,
      pattern: /^\/pricing\/openapi\/purchase\/v1\/product_list$/,
      authenticated: true,
      run: () => ok(dataset.productLines()),
    },
    {
      method: 'GET',
      template: PATHS.instanceList,
      pattern: /^\/product\/openapi\/instance_product\/v1\/client\/instance_product_list$/,
      authenticated: true,
      run({ url }) {
        const productId = param(url, 'productId');
        if (productId === undefined) return invalidParameter('productId', 'is required');
        if (!/^\d+$/.test(productId)) return invalidParameter('productId', 'must be an integer');
        const pageNo = positiveInt(url, 'pageNo', 1);
        if (typeof pageNo !== 'number') return pageNo;
        const asked = positiveInt(url, 'pageSize', DEFAULT_PAGE_SIZE);
        if (typeof asked !== 'number') return asked;
        const pageSize = Math.min(asked, MAX_PAGE_SIZE);
        const hookKey = `${productId}:${pageNo}`;
        const hooks = pageHooks.get(hookKey);
        if (hooks) {
          pageHooks.delete(hookKey);
          for (const hook of hooks) hook();
          // A hook may change the data by any means, not only through the dataset's own methods.
          pageCache.clear();
        }
        const cache = freshPageCache();
        const key = pageKey(productId, pageNo, pageSize);
        let result = cache.get(key);
        if (result === undefined) {
          result = renderListResult(productId, pageNo, pageSize);
          cache.add(key, result);
        }
        return okBytes(result);
      },
    },
    {
      method: 'GET',
      template: PATHS.detail,
      pattern: /^\/product\/openapi\/instance_product\/v1\/detail$/,
      authenticated: true,
      run({ url }) {
        const query = instanceParams(url);
        if ('status' in query) return query;
        const served = dataset.find(query.productId, query.productNo);
        return served ? ok(wire(served)) : productNotFound();
      },
    },
    {
      method: 'GET',
      template: PATHS.purchaseInfo,
      pattern: /^\/pricing\/openapi\/purchase\/v1\/purchase_product_info$/,
      authenticated: true,
      run({ url }) {
        const productId = param(url, 'productId');
        if (productId === undefined) return invalidParameter('productId', 'is required');
        const line = catalogLine(productId);
        if (!line)
          return invalidParameter('productId', 'is not a product you are authorized to subscribe to');
        const productNo = param(url, 'productNo');
        if (productNo === undefined) {
          return line.productId === 9 || line.productId === 11
            ? invalidParameter('productNo', 'is required for this product')
            : ok(purchaseProductInfo(line, undefined));
        }
        const served = dataset.find(productId, productNo);
        if (!served) return productNotFound();
        return ok(
          purchaseProductInfo(line, {
            planId: served.record.planId,
            serviceIds: (served.record.serviceList ?? []).map((s) => s.serviceId),
            planRenewable: served.index === undefined || generator.isRenewable(served.index),
          }),
        );
      },
    },
    {
      method: 'GET',
      template: PATHS.addOnInfo,
      pattern: /^\/pricing\/openapi\/purchase\/v1\/renew\/add_on_info\/([^/]+)$/,
      authenticated: true,
      run({ url, params }) {
        const query = instanceParams(url);
        if ('status' in query) return query;
        const line = catalogLine(query.productId);
        const service = line?.services.find((s) => String(s.pricingServiceId) === params[0]);
        if (!line || !service)
          return notFound('service_not_found', 'The service is not available for renewal');
        if (!dataset.find(query.productId, query.productNo)) return productNotFound();
        return ok(addOnInfo(line, service));
      },
    },
    {
      method: 'GET',
      template: PATHS.planInfo,
      pattern: /^\/pricing\/openapi\/purchase\/v1\/renew\/plan_info\/([^/]+)$/,
      authenticated: true,
      run({ url, params }) {
        const query = instanceParams(url);
        if ('status' in query) return query;
        const line = catalogLine(query.productId);
        const info = line && /^\d+$/.test(params[0] ?? '') ? planInfo(line, Number(params[0])) : undefined;
        if (!info) return notFound('plan_not_found', 'The plan is not available for renewal');
        if (!dataset.find(query.productId, query.productNo)) return productNotFound();
        return ok(info);
      },
    },
    {
      method: 'GET',
      template: PATHS.activationCode,
      pattern: /^\/product\/openapi\/instance_product\/v1\/activation_code$/,
      authenticated: true,
      run({ url }) {
        const query = instanceParams(url);
        if ('status' in query) return query;
        if (query.productId !== '12') {
          return invalidParameter('productId', 'must be 12 (P-Series Software Edition)');
        }
        const served = dataset.find(query.productId, query.productNo);
        if (!served || served.index === undefined) return productNotFound();
        return ok(generator.activationCodeOf(served.index));
      },
    },
  ];

  function authenticate(req: IncomingMessage): Answer | undefined {
    if (!req.headers['user-agent']?.trim()) {
      return envelope(400, 'missing_user_agent', 'The User-Agent header is required', null);
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const state = tokens.check(match?.[1]);
    if (state === 'expired') return envelope(401, 'token_expired', 'The access token has expired', null);
    if (state === 'unknown') return envelope(401, 'invalid_token', 'The access token is invalid', null);
    return undefined;
  }

  const latency = createLatency();

  async function answer(
    req: IncomingMessage,
    url: URL,
    arrived: number,
  ): Promise<{ answer: Answer; template: string; latencyMs: number }> {
    const found = routes
      .map((route) => ({ route, match: route.pattern.exec(url.pathname) }))
      .find((r) => r.match !== null);
    const template = found?.route.template ?? '(not found)';
    requests++;
    byPath[template] = (byPath[template] ?? 0) + 1;
    const body = req.method === 'POST' ? await readBody(req) : '';
    const { latencyMs } = faults.current();
    if (latencyMs > 0) await latency.wait(template, arrived, latencyMs);

    const fault = faults.takeFault(url.pathname, template);
    let result: Answer;
    if (fault) result = faultAnswer(fault);
    else if (!found) result = notFound('not_found', `No such path: ${url.pathname}`);
    else if (found.route.method !== req.method) {
      result = envelope(405, 'method_not_allowed', `${url.pathname} takes ${found.route.method}`, null);
    } else {
      result =
        (found.route.authenticated ? authenticate(req) : undefined) ??
        (await found.route.run({
          url,
          params: found.match!.slice(1).map((p) => decodeURIComponent(p)),
          body,
          contentType: req.headers['content-type'] ?? '',
        }));
    }
    if (faults.takeMalform(url.pathname, template)) {
      // Cut by characters as when every body was a string, so a cached page breaks at the same place.
      const text = typeof result.body === 'string' ? result.body : bodyBytes(result.body).toString('utf8');
      result = { status: 200, body: text.slice(0, Math.max(1, Math.floor(text.length / 2))) };
    }
    return { answer: result, template, latencyMs };
  }

  function send(res: ServerResponse, result: Answer): void {
    if (res.destroyed) return;
    const parts = Array.isArray(result.body) ? result.body : [bodyBytes(result.body)];
    res.writeHead(result.status, {
      'Content-Type': 'application/json;charset=UTF-8',
      'Content-Length': parts.reduce((sum, part) => sum + part.length, 0),
      ...result.headers,
    });
    // Writes in one turn go out together (Node corks the socket until the next tick).
    for (const part of parts.slice(0, -1)) res.write(part);
    res.end(parts.at(-1));
  }

  const server = createServer((req, res) => {
    const arrived = performance.now();
    let learn: ((answered: number) => void) | undefined;
    res.once('finish', () => {
      const answered = performance.now();
      answerMs += answered - arrived;
      learn?.(answered);
    });
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    answer(req, url, arrived).then(
      ({ answer: result, template, latencyMs }) => {
        logger.debug({ method: req.method, path: template, status: result.status }, 'sim request');
        if (latencyMs > 0) learn = (answered) => latency.answered(template, arrived, latencyMs, answered);
        send(res, result);
      },
      (error: unknown) => {
        logger.warn({ err: error, path: url.pathname }, 'sim request failed');
        send(res, envelope(500, 'internal_server_error', 'The simulator failed to answer', null));
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    orders,
    credentials,
    close: () =>
      new Promise<void>((resolve) => {
        latency.cancel();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    setFaults: (f) => faults.set(f),
    failNext: (n, opts) => faults.failNext(n, opts?.status ?? 503, opts?.path),
    rateLimitNext: (n, retryAfterSeconds, opts) => faults.rateLimitNext(n, retryAfterSeconds, opts?.path),
    malformNext: (n, opts) => faults.malformNext(n, opts?.path),
    revokeTokens: () => tokens.revokeAll(),
    corruptRecord: (productId, productNo, field) => dataset.corrupt(productId, productNo, field),
    removeInstance: (productId, productNo) => dataset.remove(productId, productNo),
    onPage(productId, pageNo, fn) {
      const key = `${productId}:${pageNo}`;
      pageHooks.set(key, [...(pageHooks.get(key) ?? []), fn]);
    },
    updateInstance: (productId, productNo, patch) => dataset.update(productId, productNo, patch),
    getInstance: (productId, productNo) => dataset.find(productId, productNo)?.record,
    listInstanceNos: (productId) => dataset.listNos(productId),
    async prerender(pageSize) {
      if (!Number.isInteger(pageSize) || pageSize < 1) {
        throw new RangeError('pageSize must be an integer >= 1');
      }
      const size = Math.min(pageSize, MAX_PAGE_SIZE);
      let sinceYield = 0;
      for (const line of dataset.productLines()) {
        const productId = String(line.productId);
        // The page count is read again each time: a request served between chunks may remove records.
        for (let pageNo = 1; pageNo <= Math.max(1, Math.ceil(dataset.total(productId) / size)); pageNo++) {
          if (sinceYield >= PRERENDER_CHUNK) {
            sinceYield = 0;
            await new Promise((resolve) => setImmediate(resolve));
          }
          const cache = freshPageCache();
          const key = pageKey(productId, pageNo, size);
          if (cache.has(key)) continue;
          sinceYield++;
          if (!cache.add(key, renderListResult(productId, pageNo, size))) return;
        }
      }
    },
    pageCacheStats: () => freshPageCache().stats(),
    stats: () => ({ requests, byPath: { ...byPath }, ...tokens.counts(), answerMs }),
    resetStats() {
      requests = 0;
      answerMs = 0;
      byPath = {};
      tokens.resetCounts();
    },
  };
}
