import { Worker } from 'node:worker_threads';

/**
 * The Yeastar API's GET exchanges, made by got on a worker thread (http-worker.mjs) that also keeps
 * each client's concurrency limit.
 *
 * Why a thread: a request holds one of the API's few slots until its answer has been read. On the
 * main thread, an answer that has arrived waits there until the thread has finished what it is doing
 * (parsing a page, deciding alerts, posting to Slack): a few milliseconds per request, in every request.
 * On a thread of its own, got reads the answer and hands the slot on at once; the main thread gets the
 * bytes (moved, not copied) and parses them when it can. The thread is shared by every client of the
 * process and does not keep the process alive while no request is waiting.
 */
export type TransportAnswer = {
  statusCode: number;
  retryAfter: string | string[] | undefined;
  body: Buffer;
};

export type Transport = {
  /** An `urgent` request waits for a slot ahead of the others (see the client for which are). */
  get(
    path: string,
    query: Record<string, string>,
    authorization: string,
    urgent?: boolean,
  ): Promise<TransportAnswer>;
  /** Milliseconds requests held a slot, summed over requests (measured on the worker thread). */
  slotMs(): number;
  /**
   * Slot-milliseconds no request held since the transport was made, counted from this thread: a slot
   * is busy from sending a request until its answer arrives here. Divided by the concurrency: how long
   * the API's concurrency was left unused.
   */
  idleMs(): number;
};

export type TransportOptions = {
  baseUrl: string;
  userAgent: string;
  timeoutMs: number;
  concurrency: number;
  /** A monotonic clock in milliseconds for `idleMs` (tests hand in their own). */
  now?: () => number;
};

type Reply = { id: number; slotMs: number } & (
  | { statusCode: number; retryAfter?: string | string[]; body: ArrayBuffer }
  | { error: { name: string; message: string; code?: string } }
);

type Waiter = { resolve(answer: TransportAnswer): void; reject(error: Error): void; slot(ms: number): void };

type HttpThread = {
  worker: Worker;
  /** Its id in the kernel, once the thread has said it (Linux only). */
  tid?: number;
  pending: Map<number, Waiter>;
  announced: Set<number>;
};

let thread: HttpThread | undefined;
let nextClient = 1;
let nextRequest = 1;

/** An error with got's kind of short code, so the client counts and reports it as it would got's own. */
function codedError(message: string, name: string, code: string | undefined): Error {
  const error = new Error(message);
  error.name = name;
  if (code !== undefined) Object.assign(error, { code });
  return error;
}

function isReply(value: unknown): value is Reply {
  const reply = value as Partial<Reply> | null;
  return typeof reply?.id === 'number' && typeof reply.slotMs === 'number';
}

function startThread(): HttpThread {
  // No tsx in the worker (its modules are JavaScript), and a small heap: it holds little more than
  // the answers in flight, whose bytes live outside the heap.
  const worker = new Worker(new URL('./http-worker.mjs', import.meta.url), {
    execArgv: [],
    resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 },
  });
  const started: HttpThread = { worker, pending: new Map(), announced: new Set() };
  worker.on('message', (value: unknown) => {
    const said = value as { type?: unknown; tid?: unknown } | null;
    if (said?.type === 'thread' && typeof said.tid === 'number') started.tid = said.tid;
    if (!isReply(value)) return;
    const waiter = started.pending.get(value.id);
    if (!waiter) return;
    started.pending.delete(value.id);
    if (started.pending.size === 0) worker.unref();
    waiter.slot(value.slotMs);
    if ('error' in value) waiter.reject(codedError(value.error.message, value.error.name, value.error.code));
    else {
      const { statusCode, retryAfter, body } = value;
      waiter.resolve({ statusCode, retryAfter, body: Buffer.from(body) });
    }
  });
  // A thread that stops (a crash, or stopHttpThread) fails what it had in hand: the client retries
  // those as transport errors, on a new thread.
  const stopped = (reason: string) => {
    if (thread === started) thread = undefined;
    const waiters = [...started.pending.values()];
    started.pending.clear();
    for (const waiter of waiters) {
      waiter.reject(codedError(`the HTTP worker thread stopped: ${reason}`, 'RequestError', 'EWORKER'));
    }
  };
  worker.on('error', (error) => stopped(error.message));
  worker.on('exit', (code) => stopped(`exit code ${code}`));
  // After the listeners: attaching a 'message' listener refs the thread's port again, and a thread
  // that is referenced while idle keeps a finished `npm run check` from exiting.
  worker.unref();
  return started;
}

/** The shared HTTP thread's id in the kernel (Linux), for the bench to read its CPU; undefined without one. */
export function httpThreadTid(): number | undefined {
  return thread?.tid;
}

/** Ends the shared HTTP thread; requests in hand fail (retryably) and the next request starts a new one. */
export async function stopHttpThread(): Promise<void> {
  const current = thread;
  thread = undefined;
  await current?.worker.terminate();
}

export function createTransport(options: TransportOptions): Transport {
  const { concurrency } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency must be a whole number >= 1, got ${concurrency}`);
  const now = options.now ?? (() => performance.now());
  const client = nextClient++;
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

  // Announced to the thread that serves it, once per thread (a restarted thread knows no client).
  const threadFor = (): HttpThread => {
    thread ??= startThread();
    if (!thread.announced.has(client)) {
      thread.announced.add(client);
      const { baseUrl, userAgent, timeoutMs } = options;
      thread.worker.postMessage({ type: 'client', client, baseUrl, userAgent, timeoutMs, concurrency });
    }
    return thread;
  };
  // Started now, not on the first request: starting a thread and loading got there takes a while, which
  // would otherwise fall in the first cycle's first request.
  threadFor();

  return {
    get(path, query, authorization, urgent = false) {
      const { worker, pending } = threadFor();
      const id = nextRequest++;
      account();
      inFlight++;
      return new Promise<TransportAnswer>((resolve, reject) => {
        const settle = () => {
          account();
          inFlight--;
        };
        if (pending.size === 0) worker.ref();
        pending.set(id, {
          resolve: (answer) => {
            settle();
            resolve(answer);
          },
          reject: (error) => {
            settle();
            reject(error);
          },
          slot: (ms) => {
            slotMs += ms;
          },
        });
        worker.postMessage({ type: 'get', client, id, path, query, authorization, urgent });
      });
    },
    slotMs: () => slotMs,
    idleMs() {
      account();
      return idle;
    },
  };
}
