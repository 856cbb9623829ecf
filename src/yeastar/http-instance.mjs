// @ts-check
import { got } from 'got';

/**
 * The got instance every Yeastar exchange goes through, on the main thread (tokens) and on the HTTP
 * worker thread (every other call): the caller sees every answer (no throwing on 4xx/5xx, no retries
 * of its own: the client owns the retry policy) and gets the body as text (got's JSON parser would
 * round 19-digit integers); the worker asks for bytes, which parseJsonBody decodes more cheaply.
 *
 * JavaScript with its types beside it (http-instance.d.mts): the worker thread loads it without tsx.
 *
 * @param {{ baseUrl: string; userAgent: string; timeoutMs: number }} options
 */
export function createHttp(options) {
  return got.extend({
    prefixUrl: options.baseUrl,
    headers: { 'user-agent': options.userAgent },
    retry: { limit: 0 },
    throwHttpErrors: false,
    responseType: 'text',
    followRedirect: false,
    timeout: { request: options.timeoutMs },
  });
}
