// @ts-check
/**
 * The HTTP worker thread (see transport.ts for why there is one): it makes the Yeastar API's GET
 * exchanges with got and keeps each client's concurrency limit, so a slot passes to the next request
 * as soon as an answer has been read, however busy the main thread is.
 *
 * Messages in: `client` (announces a client: its base URL, user agent, timeout and concurrency) and
 * `get`. Out: one reply per `get`, with the body's bytes moved (not copied) to the main thread, or a
 * copy of the error that names no request options (they hold the Authorization header).
 */
import { readlinkSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { createHttp } from './http-instance.mjs';
import { createLimiter } from './limiter.mjs';

/**
 * @typedef {{ type: 'client'; client: number; baseUrl: string; userAgent: string; timeoutMs: number; concurrency: number }} ClientMessage
 * @typedef {{ type: 'get'; client: number; id: number; path: string; query: Record<string, string>; authorization: string; urgent: boolean }} GetMessage
 */

const port = parentPort;
if (!port) throw new Error('http-worker.mjs runs as a worker thread');

/**
 * This thread's id in the kernel (Linux: /proc/thread-self names it), so that the bench can read this
 * thread's CPU apart from the rest of the process; undefined elsewhere.
 */
function kernelThreadId() {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    return Number.isInteger(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}
port.postMessage({ type: 'thread', tid: kernelThreadId() });

/** @type {Map<number, { http: import('got').Got; limiter: import('./limiter.d.mts').Limiter }>} */
const clients = new Map();

port.on('message', (/** @type {ClientMessage | GetMessage} */ message) => {
  if (message.type === 'client') {
    clients.set(message.client, { http: createHttp(message), limiter: createLimiter(message.concurrency) });
  } else if (message.type === 'get') void get(message);
});

/** @param {GetMessage} message */
async function get(message) {
  let slotMs = 0;
  try {
    const client = clients.get(message.client);
    if (!client) throw new Error(`client ${message.client} was not announced to the HTTP worker`);
    const response = await client.limiter.run(async () => {
      const started = performance.now();
      try {
        return await fetchBytes(client.http, message);
      } finally {
        slotMs = performance.now() - started;
      }
    }, message.urgent);
    const body = ownBuffer(response.body);
    const { statusCode, retryAfter } = response;
    port?.postMessage({ id: message.id, slotMs, statusCode, retryAfter, body }, [body]);
  } catch (error) {
    const { name = 'Error', message: text = String(error), code } = /** @type {any} */ (error ?? {});
    port?.postMessage({
      id: message.id,
      slotMs,
      error: { name: String(name), message: String(text), code: typeof code === 'string' ? code : undefined },
    });
  }
}

/**
 * One GET through got's stream interface, the body gathered here: it costs this thread less per request
 * than got's promise interface, which wraps the same stream (README, Performance), and this thread's
 * time is what stands between an answer's arrival and its slot passing on.
 *
 * @param {import('got').Got} http
 * @param {GetMessage} message
 * @returns {Promise<{ statusCode: number; retryAfter: string | string[] | undefined; body: Buffer }>}
 */
function fetchBytes(http, message) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let statusCode = 0;
    /** @type {string | string[] | undefined} */
    let retryAfter;
    const stream = http.stream(message.path, {
      searchParams: message.query,
      headers: { authorization: message.authorization },
    });
    stream.once('response', (/** @type {import('node:http').IncomingMessage} */ response) => {
      statusCode = response.statusCode ?? 0;
      retryAfter = response.headers['retry-after'];
    });
    stream.on('data', (/** @type {Buffer} */ chunk) => chunks.push(chunk));
    stream.once('end', () => resolve({ statusCode, retryAfter, body: Buffer.concat(chunks) }));
    stream.once('error', reject);
  });
}

/**
 * The body's bytes in an ArrayBuffer of their own, which can be moved to the main thread. A large body
 * already has one; a small one is a slice of Node's shared pool, which must not be moved, so it is copied.
 *
 * @param {Buffer} buffer
 * @returns {ArrayBuffer}
 */
function ownBuffer(buffer) {
  const whole = buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength;
  if (whole && buffer.buffer instanceof ArrayBuffer) return buffer.buffer;
  const copy = new ArrayBuffer(buffer.byteLength);
  new Uint8Array(copy).set(buffer);
  return copy;
}
