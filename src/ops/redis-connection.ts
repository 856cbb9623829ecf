import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { OperatorError } from '../operator-error.js';

/**
 * Every Redis connection of a process, and the one view of whether Redis answers. ioredis and BullMQ
 * report a lost server on each connection, again on every retry: an emitter without an 'error'
 * listener prints ioredis's "Unhandled error event" with a stack, once a second per connection. So
 * every connection, queue and worker hands its errors here, and the operator reads two lines per
 * outage: one when Redis stops answering, one when it answers again (with how long it was gone).
 *
 * Which of the two holds is decided by one connection of the link's own (the probe): all of them talk
 * to the same server, and one source keeps the state from flapping while the others reconnect one by
 * one. Another connection's failure while the probe is fine gets a debug line.
 */

export type RedisStatus = { up: true } | { up: false; since: number; reason: string; started: boolean };

type ErrorSource = { on(event: 'error', listener: (error: Error) => void): unknown };

export type RedisLink = {
  /** A new connection to REDIS_URL with BullMQ's options (`maxRetriesPerRequest: null`), watched. */
  connect(): Redis;
  /** Funnels the 'error' events of a BullMQ queue or worker (or any emitter) into the link. */
  watch<T extends ErrorSource>(source: T, what: string): T;
  /** Resolves once Redis answers; an OperatorError naming REDIS_URL after `timeoutMs`. */
  ready(timeoutMs: number): Promise<void>;
  status(): RedisStatus;
  /** Resolves as soon as Redis does not answer (at once if it does not now). */
  down(): Promise<void>;
  /**
   * Rejects with an OperatorError once Redis has not answered for `ms` in a row (a one-shot command
   * must not wait for ever); `stop` ends the watch.
   */
  watchdog(ms: number): { failed: Promise<never>; stop(): void };
  /** Quits every connection made here; those that do not answer within `graceMs` are dropped. */
  close(graceMs?: number): Promise<void>;
};

/** REDIS_URL as it may be printed: a password (or a user's) replaced. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

/** An error that says the server is out of reach, not that a command was wrong. */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  // The last four are a cluster's: no node reachable, or slots moving during a failover.
  return /connection is closed|connect ETIMEDOUT|stream isn't writeable|reached the max retries|NOAUTH|WRONGPASS|LOADING|Failed to refresh slots cache|None of startup nodes is available|CLUSTERDOWN|TRYAGAIN/i.test(
    message,
  );
}

function secondsText(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function createRedisLink(deps: {
  url: string;
  logger: Logger;
  /** Makes a connection (tests hand in their own); by default one to `url` with BullMQ's options. */
  connect?: () => Redis;
  clock?: () => number;
}): RedisLink {
  const { logger } = deps;
  const clock = deps.clock ?? Date.now;
  const shown = redactRedisUrl(deps.url);
  // disconnectTimeout: a connection that never got through has a socket that never says 'close', and
  // ioredis keeps a timer of this length for it: a command that gave up would wait that long to exit.
  const make =
    deps.connect ?? (() => new Redis(deps.url, { maxRetriesPerRequest: null, disconnectTimeout: 200 }));
  const connections: Redis[] = [];
  let status: RedisStatus = { up: false, since: clock(), reason: 'not connected yet', started: false };
  let attempts = 0;
  let closing = false;
  const readyWaiters = new Set<() => void>();
  const downWaiters = new Set<() => void>();

  function lost(error: unknown): void {
    if (closing) return;
    const reason = error instanceof Error ? error.message || error.name : String(error);
    if (!status.up) {
      status = { ...status, reason };
      return;
    }
    status = { up: false, since: clock(), reason, started: true };
    for (const wake of [...downWaiters]) wake();
    logger.warn(
      { redis: shown, err: reason },
      `Redis stopped answering at REDIS_URL=${shown} (${reason}); retrying until it does, /healthz says unhealthy meanwhile`,
    );
  }

  function back(): void {
    if (status.up) return;
    if (status.started) {
      const gone = clock() - status.since;
      logger.warn(
        { redis: shown, downSeconds: Number((gone / 1000).toFixed(1)) },
        `Redis answers again after ${secondsText(gone)}`,
      );
    }
    status = { up: true };
    for (const wake of [...readyWaiters]) wake();
  }

  /** An error from anything but the probe: the probe decides the state, so this only leaves a trace. */
  function report(error: Error, what: string): void {
    if (isConnectionError(error) || !status.up) {
      logger.debug({ what, err: error.message }, 'redis connection error');
      return;
    }
    logger.error({ what, err: error }, 'redis error');
  }

  /**
   * Watched and closed with the others, and so is every copy made of it: BullMQ gives each worker a
   * second, blocking connection made with `duplicate()`, which a stop must be able to drop too (a worker
   * whose close waits for a Redis that is gone never drops it itself, and its retry timer keeps the
   * process alive).
   */
  function track(connection: Redis): Redis {
    connections.push(connection);
    connection.on('error', (error: Error) => report(error, 'connection'));
    // A cluster client's duplicate takes (startupNodes, options): every argument goes through as given.
    const duplicate = connection.duplicate.bind(connection) as (...args: unknown[]) => Redis;
    connection.duplicate = (...args: unknown[]) => track(duplicate(...args));
    return connection;
  }

  const probe = make();
  connections.push(probe);
  probe.on('error', (error: Error) => {
    attempts++;
    lost(error);
  });
  // A dropped connection says 'close' before its first failed retry says why: the why is kept.
  probe.on('close', () => {
    if (status.up) lost(new Error('connection closed'));
  });
  probe.on('ready', back);
  if (probe.status === 'ready') back();

  return {
    connect: () => track(make()),
    watch(source, what) {
      source.on('error', (error) => report(error, what));
      return source;
    },
    ready(timeoutMs) {
      if (status.up) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const wake = () => {
          clearTimeout(timer);
          readyWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(() => {
          readyWaiters.delete(wake);
          const reason = status.up ? '' : status.reason;
          reject(
            new OperatorError(
              `Redis did not answer at REDIS_URL=${shown} within ${secondsText(timeoutMs)} ` +
                `(${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}; last: ${reason}). ` +
                'Start Redis or fix REDIS_URL; REDIS_CONNECT_TIMEOUT sets how long to try.',
            ),
          );
        }, timeoutMs);
        // A command that stops waiting (a signal came first) must not be held up by this timer.
        timer.unref();
        readyWaiters.add(wake);
      });
    },
    status: () => status,
    down() {
      if (!status.up) return Promise.resolve();
      return new Promise((resolve) => {
        const wake = () => {
          downWaiters.delete(wake);
          resolve();
        };
        downWaiters.add(wake);
      });
    },
    watchdog(ms) {
      let timer: NodeJS.Timeout | undefined;
      const failed = new Promise<never>((_, reject) => {
        timer = setInterval(
          () => {
            if (status.up || clock() - status.since < ms) return;
            clearInterval(timer);
            reject(
              new OperatorError(
                `Redis stopped answering at REDIS_URL=${shown} ${secondsText(clock() - status.since)} ago (${status.reason}); gave up.`,
              ),
            );
          },
          Math.min(1_000, ms / 4),
        );
        timer.unref();
      });
      // Raced by the caller, which sees the rejection; until then it must not count as unhandled.
      failed.catch(() => undefined);
      return { failed, stop: () => clearInterval(timer) };
    },
    async close(graceMs = 2_000) {
      closing = true;
      const open = connections.splice(0);
      await Promise.all(
        open.map(async (connection) => {
          if (connection.status === 'end') return;
          if (connection.status !== 'ready') {
            connection.disconnect();
            return;
          }
          let timer: NodeJS.Timeout | undefined;
          // A QUIT that fails leaves nothing to wait for: the connection is dropped just below either way.
          const quit = connection.quit().catch(() => undefined);
          const late = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, graceMs);
          });
          await Promise.race([quit, late]);
          clearTimeout(timer);
          connection.disconnect();
        }),
      );
    },
  };
}
