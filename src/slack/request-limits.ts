import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';

/**
 * What `POST /slack/events` refuses before Bolt reads a byte of the body. Bolt buffers the whole body
 * before it checks the signature, so an unsigned 200 MB POST was read to its end before its 401 (and
 * five at once held the process for half a minute). Here: a body over 1 MB is refused with 413 from
 * its Content-Length, or as soon as a chunked one passes 1 MB; a request without Slack's signature
 * headers, or with a timestamp older than Slack's five minutes, is refused with 401 on its headers.
 * What passes is read here (within the limit) and handed to Bolt already buffered (Bolt's `rawBody`),
 * which then verifies the signature itself.
 */

/** Slack's payloads are a few kilobytes; Slack caps its own messages far below this. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Bolt's (and Slack's) replay window. */
export const MAX_REQUEST_AGE_SECONDS = 5 * 60;
/**
 * Slack's `ssl_check` request may come unsigned (Bolt answers it without a signature): a form-encoded
 * body this small is left to Bolt, which reads it and refuses anything but the check.
 */
const SSL_CHECK_MAX_BYTES = 1024;

export type Refusal = { status: 400 | 401 | 413; reason: string };

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** What the headers alone show is wrong with a request to the Slack endpoint, or null. */
export function refusalFromHeaders(headers: IncomingHttpHeaders, nowMs: number): Refusal | null {
  const length = header(headers, 'content-length');
  if (length !== undefined && (!/^\d+$/.test(length) || Number(length) > MAX_BODY_BYTES)) {
    return { status: 413, reason: `body over ${MAX_BODY_BYTES} bytes` };
  }
  const signature = header(headers, 'x-slack-signature');
  const timestamp = header(headers, 'x-slack-request-timestamp');
  const signed = signature !== undefined && /^v0=[0-9a-f]{64}$/.test(signature);
  if (!signed || timestamp === undefined) {
    const maybeSslCheck =
      header(headers, 'content-type')?.startsWith('application/x-www-form-urlencoded') === true &&
      length !== undefined &&
      Number(length) <= SSL_CHECK_MAX_BYTES;
    if (maybeSslCheck) return null;
    return { status: 401, reason: signature === undefined ? 'unsigned' : 'malformed signature' };
  }
  const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!Number.isFinite(seconds) || Math.abs(nowMs / 1000 - seconds) > MAX_REQUEST_AGE_SECONDS) {
    return { status: 401, reason: 'stale or invalid timestamp' };
  }
  return null;
}

class BodyTooLarge extends Error {}

/** The body, or BodyTooLarge as soon as more than `maxBytes` arrived (the rest is never read). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

/** How long what still arrives after a refusal is discarded before the connection is dropped. */
const LINGER_MS = 500;

/**
 * Answers, then ends the connection. The rest of the body is never read into memory: what the client
 * still sends for LINGER_MS is discarded (Node does that for a response that did not read its request),
 * then the socket goes. Closing at once would reset a connection the client is still writing to, and a
 * reset can overtake the answer, leaving the client with an error instead of the status.
 */
function refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
  const text =
    refusal.status === 413
      ? 'request body too large\n'
      : refusal.status === 401
        ? 'unauthorized\n'
        : 'bad request\n';
  res.writeHead(refusal.status, { 'content-type': 'text/plain' });
  res.end(text, () => {
    req.socket.end();
    setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
  });
}

/**
 * `next` (Bolt's own listener) behind the limits for `path`; every other request goes to `next` as is.
 */
export function limitSlackRequests(
  next: RequestListener,
  options: { path: string; logger: Logger; clock?: () => number; maxBytes?: number },
): RequestListener {
  const clock = options.clock ?? Date.now;
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || path !== options.path) {
      next(req, res);
      return;
    }
    const early = refusalFromHeaders(req.headers, clock());
    if (early) {
      // Debug: anyone on the Internet can send these, and each would be a line.
      options.logger.debug({ status: early.status, reason: early.reason }, 'slack request refused');
      refuse(req, res, early);
      return;
    }
    readBody(req, maxBytes).then(
      (body) => {
        // Bolt reads a body it finds here instead of the stream (HTTPModuleFunctions.bufferIncomingMessage).
        Object.assign(req, { rawBody: body });
        next(req, res);
      },
      (error: unknown) => {
        const refusal: Refusal =
          error instanceof BodyTooLarge
            ? { status: 413, reason: `body over ${maxBytes} bytes` }
            : { status: 400, reason: 'body not readable' };
        options.logger.debug({ status: refusal.status, reason: refusal.reason }, 'slack request refused');
        if (!res.headersSent) refuse(req, res, refusal);
      },
    );
  };
}
