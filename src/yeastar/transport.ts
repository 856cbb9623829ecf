import type { IncomingMessage } from 'node:http';
import type { Got } from 'got';
import PQueue from 'p-queue';
import { createHttp } from './http.js';

/**
 * The Yeastar API's GET exchanges, at most `concurrency` at a time: a request holds one of the API's few
 * slots from sending it until its answer has been read. Requests waiting for a slot go in arrival order,
 * urgent ones first (see the client for which are).
 */
export type TransportAnswer = {
  statusCode: number;
  retryAfter: string | string[] | undefined;
  body: Buffer;
};

export type Transport = {
  /** An `urgent` request waits for a slot ahead of the others. */
  get(
    path: string,
    query: Record<string, string>,
    authorization: string,
    urgent?: boolean,
  ): Promise<TransportAnswer>;
  /** Milliseconds requests held a slot, summed over requests. */
  slotMs(): number;
  /**
   * Slot-milliseconds no request held since the transport was made. Divided by the concurrency: how long
   * the API's concurrency was left unused.
   */
  idleMs(): number;
};

export type TransportOptions = {
  baseUrl: string;
  userAgent: string;
  timeoutMs: number;
  concurrency: number;
  /** A monotonic clock in milliseconds for `slotMs` and `idleMs` (tests hand in their own). */
  now?: () => number;
};

const URGENT = 1;

/**
 * One GET through got's stream interface, the body gathered here: it costs about a fifth less CPU per
 * request than got's promise interface (which wraps the same stream and also decodes the body as text).
 */
function fetchBytes(
  http: Got,
  path: string,
  query: Record<string, string>,
  authorization: string,
): Promise<TransportAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let statusCode = 0;
    let retryAfter: string | string[] | undefined;
    const stream = http.stream(path, { searchParams: query, headers: { authorization } });
    stream.once('response', (response: IncomingMessage) => {
      statusCode = response.statusCode ?? 0;
      retryAfter = response.headers['retry-after'];
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve({ statusCode, retryAfter, body: Buffer.concat(chunks) }));
    stream.once('error', reject);
  });
}

export function createTransport(options: TransportOptions): Transport {
  const { concurrency } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency must be a whole number >= 1, got ${concurrency}`);
  const now = options.now ?? (() => performance.now());
  const http = createHttp(options);
  const slots = new PQueue({ concurrency });
  let slotMs = 0;
  let inFlight = 0;
  let idle = 0;
  let since = now();
  // Brings the idle total up to now; called before `inFlight` changes.
  const account = () => {
    const at = now();
    idle += Math.max(0, concurrency - inFlight) * (at - since);
    since = at;
  };

  return {
    get(path, query, authorization, urgent = false) {
      return slots.add(
        async () => {
          account();
          inFlight++;
          const started = now();
          try {
            return await fetchBytes(http, path, query, authorization);
          } finally {
            slotMs += now() - started;
            account();
            inFlight--;
          }
        },
        { priority: urgent ? URGENT : 0 },
      );
    },
    slotMs: () => slotMs,
    idleMs() {
      account();
      return idle;
    },
  };
}
