import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { OperatorError } from '../operator-error.js';

/**
 * The one place a Redis client of the bot is made, from REDIS_URL, REDIS_MODE and REDIS_TLS_CA_FILE.
 * Every connection (BullMQ queues, workers and their blocking copies, QueueEvents, the alert store, the
 * Slack app) comes from here through the link of src/ops/redis-connection.ts, so a setting that works
 * for one works for all.
 */

export type RedisTarget = {
  url: string;
  mode: 'single' | 'cluster';
  tlsCaFile?: string | undefined;
};

/** How often an idle socket sends a TCP keepalive: managed Redis and NAT drop silent connections. */
const KEEPALIVE_MS = 10_000;

/** Host, port, user, password, database and TLS of a redis:// or rediss:// URL, as ioredis options. */
export function redisUrlOptions(
  url: string,
  tlsCaFile?: string,
): RedisOptions & { host: string; port: number } {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const options: RedisOptions & { host: string; port: number } = {
    host,
    port: parsed.port ? Number(parsed.port) : 6379,
  };
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, '');
  if (/^\d+$/.test(db)) options.db = Number(db);
  if (parsed.protocol === 'rediss:') options.tls = tlsOptions(host, tlsCaFile);
  return options;
}

function tlsOptions(host: string, caFile: string | undefined): ConnectionOptions {
  const tls: ConnectionOptions = {};
  // SNI takes a name, never an address: Node refuses an IP as servername.
  if (!isIP(host)) tls.servername = host;
  if (caFile) {
    try {
      tls.ca = readFileSync(caFile, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new OperatorError(`REDIS_TLS_CA_FILE=${caFile} cannot be read (${code})`);
    }
  }
  return tls;
}

/**
 * A factory of connections to `target`. BullMQ needs `maxRetriesPerRequest: null` on every connection it
 * blocks on, so all get it. In cluster mode the URL is a seed node (a managed service's configuration
 * endpoint): the cluster client learns the other nodes from it and opens each with the URL's user,
 * password and TLS (`redisOptions`). The cluster client is handed out under the `Redis` type: it answers
 * the same commands (ioredis's Commander), BullMQ takes either, and every key the bot uses carries the
 * hash-tagged prefix, so each command, MULTI and script lands on one slot.
 */
export function createRedisFactory(target: RedisTarget): () => Redis {
  const { host, port, ...auth } = redisUrlOptions(target.url, target.tlsCaFile);
  // disconnectTimeout: a connection that never got through has a socket that never says 'close', and
  // ioredis keeps a timer of this length for it: a command that gave up would wait that long to exit.
  const common: RedisOptions = {
    maxRetriesPerRequest: null,
    disconnectTimeout: 200,
    keepAlive: KEEPALIVE_MS,
  };
  if (target.mode === 'single') {
    return () => new Redis({ host, port, ...auth, ...common });
  }
  const { db: _db, ...nodeOptions } = auth;
  return () =>
    new Cluster([{ host, port }], {
      redisOptions: { ...nodeOptions, ...common },
      // Managed clusters announce their nodes by address while the certificate names the endpoint: the
      // address is used as given (no reverse lookup), and the seed's name stays the TLS servername.
      dnsLookup: (address, callback) => callback(null, address),
      // A failover moves slots: commands wait for the new map instead of failing at once.
      retryDelayOnMoved: 100,
      retryDelayOnClusterDown: 300,
      retryDelayOnFailover: 200,
      slotsRefreshTimeout: 2_000,
    }) as unknown as Redis;
}
