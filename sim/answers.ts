import { randomBytes } from 'node:crypto';
import type { ServedRecord } from './dataset.js';
import type { InjectedFault } from './faults.js';

/**
 * The simulator's answers as the Partner API writes them: the envelope (code, detailMessage, requestId,
 * result, status), its error shapes, and bare 19-digit numbers in JSON.
 */

/**
 * `body` as bytes when they were kept ready to send (a cached page), saving a UTF-8 encoding per request;
 * as parts, they are written one after the other without being joined (see okBytes).
 */
export type Answer = { status: number; body: string | Buffer | Buffer[]; headers?: Record<string, string> };

/**
 * A 19-digit ID that must go out as a bare JSON number, which JSON.stringify cannot write: it travels as
 * a marked string and loses its quotes afterwards. A marker rather than a replacer function, because a
 * replacer takes JSON.stringify off its fast path for every value of every page.
 */
export const BARE_MARK = '\u0000bare:';
const BARE_PATTERN = /"\\u0000bare:(\d+)"/g;

export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes('\\u0000bare:') ? text.replace(BARE_PATTERN, '$1') : text;
}

/** A record as it goes on the wire: its planId bare when the generator says so. */
export function wire(served: ServedRecord): unknown {
  return served.barePlanId ? { ...served.record, planId: BARE_MARK + served.record.planId } : served.record;
}

// A random prefix per process and a counter: unique and 32 hex characters like the real IDs, without
// asking the system for random bytes on every request.
const REQUEST_ID_PREFIX = randomBytes(8).toString('hex');
let requestCounter = 0;
function nextRequestId(): string {
  requestCounter++;
  return REQUEST_ID_PREFIX + requestCounter.toString(16).padStart(16, '0');
}

export function envelope(status: number, code: string, detailMessage: string, result: unknown): Answer {
  const requestId = nextRequestId();
  return { status, body: toJsonText({ code, detailMessage, requestId, result, status }) };
}

export const ok = (result: unknown) => envelope(200, 'success', '', result);

const OK_TAIL = Buffer.from(',"status":200}', 'latin1');

/**
 * A success envelope around `result` already serialised as UTF-8: the same bytes JSON.stringify writes
 * for the envelope object (keys in its order, no spaces), so a page's bytes can be kept and reused.
 * The parts go out as they are, in one write: joining them copied every 113 KB page again, and the
 * fresh buffers and their collection were a fifth of this process's CPU in the benchmark.
 */
export function okBytes(result: Buffer): Answer {
  const head = `{"code":"success","detailMessage":"","requestId":"${nextRequestId()}","result":`;
  return { status: 200, body: [Buffer.from(head, 'latin1'), result, OK_TAIL] };
}

export function bodyBytes(body: Answer['body']): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Array.isArray(body) ? Buffer.concat(body) : body;
}

export function invalidParameter(field: string, problem: string): Answer {
  return envelope(400, 'parameter_validation_failed', `${field} ${problem}`, { field });
}

export const notFound = (code: string, detailMessage: string) => envelope(404, code, detailMessage, null);

export const productNotFound = () => notFound('product_not_found', 'The product does not exist');

export function faultAnswer(fault: InjectedFault): Answer {
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
