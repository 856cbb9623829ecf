import { type Answer, invalidParameter } from './answers.js';
import type { SimState } from './sim-state.js';

/**
 * What a simulated endpoint is: its method, path template (how requests are counted, slowed and faulted),
 * the pattern its path matches (groups become `params`), whether it needs a bearer token, and `run`,
 * which answers from the simulator's state. The HTTP layer (sim/http-server.ts) does the rest: counting,
 * latency, injected faults, 404/405, the token check, writing the answer.
 */
export type SimRoute = {
  method: 'GET' | 'POST';
  template: string;
  pattern: RegExp;
  authenticated: boolean;
  /** A promise for an answer that takes time (the order endpoints' slow-API knob). */
  run(req: SimRequest, state: SimState): Answer | Promise<Answer>;
};

export type SimRequest = {
  url: URL;
  /** The pattern's groups, URI-decoded. */
  params: string[];
  body: string;
  contentType: string;
};

/** A trimmed query parameter, with "" read as absent. */
export function param(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name)?.trim();
  return value ? value : undefined;
}

/** A positive whole-number parameter, its default, or the error answer to send. */
export function positiveInt(url: URL, name: string, fallback: number | undefined): number | Answer {
  const raw = param(url, name);
  if (raw === undefined) return fallback ?? invalidParameter(name, 'is required');
  if (!/^\d+$/.test(raw) || Number(raw) < 1) return invalidParameter(name, 'must be a positive integer');
  return Number(raw);
}

/** `productId` and `productNo` of one instance, both required, or the error answer to send. */
export function instanceParams(url: URL): { productId: string; productNo: string } | Answer {
  const productNo = param(url, 'productNo');
  if (productNo === undefined) return invalidParameter('productNo', 'is required');
  const productId = param(url, 'productId');
  if (productId === undefined) return invalidParameter('productId', 'is required');
  if (!/^\d+$/.test(productId)) return invalidParameter('productId', 'must be an integer');
  return { productId, productNo };
}

/** The fields of a form body (urlencoded, multipart or JSON, as the token endpoint accepts). */
export function parseForm(body: string, contentType: string): Record<string, string> {
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
