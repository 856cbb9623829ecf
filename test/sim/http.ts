import { request } from 'node:http';
import type { Simulator } from '../../sim/server.js';
import { parseJsonSafe } from '../../src/util/json.js';

/** A thin fetch wrapper for the simulator tests: what a client would see, parsed the safe way. */

export type Envelope = {
  code: string;
  detailMessage: string;
  requestId: string;
  result: unknown;
  status: number;
};

export type Reply = { status: number; headers: Headers; text: string; envelope: Envelope };

export const UA = { 'User-Agent': 'OpenAPI' };

export async function call(
  sim: Simulator,
  path: string,
  token?: string,
  init: RequestInit = {},
): Promise<Reply> {
  const response = await fetch(sim.url + path, {
    ...init,
    headers: { ...UA, ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) },
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  let envelope: Envelope;
  try {
    envelope = parseJsonSafe(text) as Envelope;
  } catch {
    envelope = { code: '(not json)', detailMessage: text, requestId: '', result: null, status: -1 };
  }
  return { status: response.status, headers: response.headers, text, envelope };
}

export async function tokenGrant(
  sim: Simulator,
  fields: Record<string, string> = {
    grant_type: 'pp_credentials',
    client_id: sim.credentials.clientId,
    client_secret: sim.credentials.clientSecret,
  },
): Promise<Reply> {
  return call(sim, '/auth/openapi/v1/oauth/token', undefined, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

export async function getToken(sim: Simulator): Promise<string> {
  const reply = await tokenGrant(sim);
  if (reply.status !== 200) throw new Error(`token request failed: ${reply.text}`);
  return (reply.envelope.result as { token: string }).token;
}

/** A GET without any User-Agent header: fetch always adds one, node:http does not. */
export function getWithoutUserAgent(sim: Simulator, path: string, token: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      sim.url + path,
      { method: 'GET', headers: { Authorization: `Bearer ${token}` }, timeout: 20_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: new Headers(),
            text,
            envelope: parseJsonSafe(text) as Envelope,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export const LIST = '/product/openapi/instance_product/v1/client/instance_product_list';

export type ListResult = {
  count: number;
  pageNo: number;
  pageSize: number;
  results: Record<string, unknown>[];
  total: number;
  totalPage: number;
};

export async function listPage(
  sim: Simulator,
  token: string,
  productId: string,
  pageNo: number,
  pageSize: number,
): Promise<ListResult> {
  const reply = await call(
    sim,
    `${LIST}?productId=${productId}&pageNo=${pageNo}&pageSize=${pageSize}`,
    token,
  );
  if (reply.status !== 200) throw new Error(`list failed: ${reply.text}`);
  return reply.envelope.result as ListResult;
}

/** Every record of a product line, page by page, following the totalPage each answer gives. */
export async function listAll(
  sim: Simulator,
  token: string,
  productId: string,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let pageNo = 1; ; pageNo++) {
    const page = await listPage(sim, token, productId, pageNo, 100);
    out.push(...page.results);
    if (pageNo >= page.totalPage) return out;
  }
}
