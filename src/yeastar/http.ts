import { YeastarTransportError } from './errors.js';

export { createHttp } from './http-instance.mjs';

/** `prefixUrl` wants a path without its leading slash. */
export function relativePath(path: string): string {
  return path.startsWith('/') ? path.slice(1) : path;
}

/**
 * A got failure (refused, reset, DNS, timeout) as our transport error. The cause is a plain copy: got's
 * own error carries the request options, Authorization header included, and must not travel further.
 */
export function toTransportError(error: unknown, endpoint: string): YeastarTransportError {
  if (error instanceof YeastarTransportError) return error;
  // got's RequestError, or its copy from the HTTP worker thread: both carry got's short code.
  const raw = (error as { code?: unknown } | null)?.code;
  const code = error instanceof Error && typeof raw === 'string' ? raw : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const cause = new Error(message);
  cause.name = error instanceof Error ? error.name : 'Error';
  if (code) Object.assign(cause, { code });
  return new YeastarTransportError(`${endpoint} failed: ${code ?? 'request error'}: ${message}`, {
    endpoint,
    retryable: true,
    cause,
  });
}

/** The short code a failure is counted under: `ETIMEDOUT`, `ECONNREFUSED`, … */
export function transportCode(error: YeastarTransportError): string {
  if (error.statusCode !== undefined) return `http_${error.statusCode}`;
  const cause = error.cause as { code?: unknown } | undefined;
  return typeof cause?.code === 'string' ? cause.code : 'transport_error';
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | string[] | undefined, now: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
