import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Got } from 'got';
import type { Redis } from 'ioredis';
import { type Logger, silentLogger } from '../logger.js';
import { parseJsonSafe } from '../util/json.js';
import { defineScript } from '../util/redis-script.js';
import { YeastarAuthError, YeastarResponseError, YeastarTransportError } from './errors.js';
import { createHttp, relativePath, toTransportError } from './http.js';
import { parseEnvelope, parseTokenResult, SchemaError } from './schemas.js';

export const TOKEN_ENDPOINT = '/auth/openapi/v1/oauth/token';

/** The guide: the access token lives 30 minutes, the refresh token 15 days. */
const DEFAULT_TOKEN_LIFETIME_MS = 30 * 60_000;
const REFRESH_TOKEN_LIFETIME_MS = 15 * 24 * 3_600_000;
/** Renew this long before expiry, so a request never leaves with a token about to die in flight. */
const RENEW_MARGIN_MS = 2 * 60_000;
const LOCK_TTL_MS = 15_000;
/** How long a process waits for another one that holds the lock (a little over the lock's life). */
const LOCK_WAIT_MS = 20_000;
const POLL_MIN_MS = 25;
const POLL_MAX_MS = 500;
/** How long a token read from Redis is trusted without reading again (the API rejecting it still invalidates it at once). */
const MEMO_MS = 10_000;

// Compare-and-delete / compare-and-expire: only the owner releases the lock, and only the token the
// API refused is dropped (another process may already have stored a new one).
const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const INVALIDATE = `if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'renewAt', '0', 'expiresAt', '0') return 1 end return 0`;

export type TokenManagerOptions = {
  redis: Redis;
  keyPrefix: string;
  baseUrl: string;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  userAgent: string;
  clock?: () => number;
  logger?: Logger;
  /** The client's `got` instance (prefixUrl = baseUrl); one is made when omitted. */
  http?: Got;
  timeoutMs?: number;
};

export type TokenStats = {
  /** Every POST to the token endpoint, successful or not. */
  tokenRequests: number;
  refreshes: number;
  logins: number;
  failures: number;
};

export interface TokenManager {
  /** A token with more than two minutes left, shared by every process through Redis. */
  getToken(): Promise<string>;
  /** The API refused `token`: forget it (if it is still the current one) so the next call renews. */
  invalidate(token: string): Promise<void>;
  stats(): TokenStats;
}

/** What Redis holds (a hash): the token pair and when to renew. */
type StoredToken = {
  token: string;
  tokenHead: string;
  expiresAt: number;
  renewAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
};

type Envelope = ReturnType<typeof parseEnvelope>;

/** The answer's envelope; without one, a response error (2xx) or a transport error (the HTTP status). */
function envelopeOf(statusCode: number, body: string): Envelope {
  try {
    return parseEnvelope(parseJsonSafe(body));
  } catch {
    if (statusCode >= 200 && statusCode < 300) {
      throw new YeastarResponseError(
        `${TOKEN_ENDPOINT} answered ${statusCode} with a body that is not an envelope`,
        {
          endpoint: TOKEN_ENDPOINT,
          field: 'body',
        },
      );
    }
    throw new YeastarTransportError(`${TOKEN_ENDPOINT} answered HTTP ${statusCode} without an envelope`, {
      endpoint: TOKEN_ENDPOINT,
      statusCode,
      retryable: statusCode >= 500 || statusCode === 429,
    });
  }
}

/** An envelope that is not `success`: the server's trouble (retryable), or the credentials refused. */
function refusalOf(envelope: Envelope, statusCode: number, grant: string): Error {
  const { code, requestId } = envelope;
  const status = envelope.status ?? statusCode;
  if (status >= 500 || status === 429) {
    return new YeastarTransportError(`${TOKEN_ENDPOINT} failed: ${code} (status ${status})`, {
      endpoint: TOKEN_ENDPOINT,
      statusCode: status,
      requestId,
      retryable: true,
    });
  }
  const what = grant === 'refresh_token' ? 'the refresh token' : 'the client credentials';
  return new YeastarAuthError(
    `Yeastar refused ${what}: ${code}` +
      (grant === 'refresh_token' ? '' : '. Check YEASTAR_CLIENT_ID and YEASTAR_CLIENT_SECRET') +
      (requestId ? ` [requestId ${requestId}]` : ''),
    { endpoint: TOKEN_ENDPOINT, code, requestId },
  );
}

function tokenResultOf(envelope: Envelope): ReturnType<typeof parseTokenResult> {
  try {
    return parseTokenResult(envelope.result);
  } catch (error) {
    const field = error instanceof SchemaError ? error.field : 'result';
    throw new YeastarResponseError(`${TOKEN_ENDPOINT} answered without a usable token (${field})`, {
      endpoint: TOKEN_ENDPOINT,
      field,
      requestId: envelope.requestId,
    });
  }
}

/** What Redis keeps of a new token, with its renewal time; `now` is when it arrived. */
function storedTokenOf(result: ReturnType<typeof parseTokenResult>, now: number): StoredToken {
  const lifetimeMs =
    result.expiresInSeconds !== null ? result.expiresInSeconds * 1000 : DEFAULT_TOKEN_LIFETIME_MS;
  return {
    token: result.token,
    tokenHead: result.tokenHead,
    expiresAt: now + lifetimeMs,
    // A short-lived token (a test simulator's) would otherwise be "about to expire" from birth.
    renewAt: now + lifetimeMs - Math.min(RENEW_MARGIN_MS, lifetimeMs / 2),
    refreshToken: result.refreshToken ?? '',
    refreshExpiresAt: result.refreshToken ? now + REFRESH_TOKEN_LIFETIME_MS : 0,
  };
}

export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const { redis, logger = silentLogger(), clock = Date.now } = options;
  const key = `${options.keyPrefix}:yeastar:token`;
  const lockKey = `${key}:lock`;
  const releaseLockScript = defineScript(redis, 'yeastarTokenReleaseLock', RELEASE_LOCK);
  const invalidateScript = defineScript(redis, 'yeastarTokenInvalidate', INVALIDATE);
  const http =
    options.http ??
    createHttp({
      baseUrl: options.baseUrl,
      userAgent: options.userAgent,
      timeoutMs: options.timeoutMs ?? 10_000,
    });
  const counters: TokenStats = { tokenRequests: 0, refreshes: 0, logins: 0, failures: 0 };
  let pending: Promise<string> | undefined;

  function usable(stored: StoredToken | undefined): stored is StoredToken {
    return stored !== undefined && stored.token !== '' && clock() < stored.renewAt;
  }

  async function read(): Promise<StoredToken | undefined> {
    const h = await redis.hgetall(key);
    if (!h['token'] && !h['refreshToken']) return undefined;
    return {
      token: h['token'] ?? '',
      tokenHead: h['tokenHead'] || 'Bearer ',
      expiresAt: Number(h['expiresAt'] ?? 0) || 0,
      renewAt: Number(h['renewAt'] ?? 0) || 0,
      refreshToken: h['refreshToken'] ?? '',
      refreshExpiresAt: Number(h['refreshExpiresAt'] ?? 0) || 0,
    };
  }

  async function write(stored: StoredToken): Promise<void> {
    // Kept until the refresh token dies: an expired access token still carries a usable refresh token.
    const ttl = Math.max(stored.refreshExpiresAt, stored.expiresAt) - clock();
    await redis
      .multi()
      .del(key)
      .hset(key, {
        token: stored.token,
        tokenHead: stored.tokenHead,
        expiresAt: String(stored.expiresAt),
        renewAt: String(stored.renewAt),
        refreshToken: stored.refreshToken,
        refreshExpiresAt: String(stored.refreshExpiresAt),
      })
      .pexpire(key, Math.max(1_000, Math.ceil(ttl)))
      .exec();
  }

  /** One POST to the token endpoint; every failure is counted and thrown as our error family. */
  async function requestToken(form: Record<string, string>, grant: string): Promise<StoredToken> {
    counters.tokenRequests++;
    const started = clock();
    let statusCode: number;
    let body: string;
    try {
      const response = await http.post(relativePath(TOKEN_ENDPOINT), { form, responseType: 'text' });
      statusCode = response.statusCode;
      body = response.body;
    } catch (error) {
      counters.failures++;
      throw toTransportError(error, TOKEN_ENDPOINT);
    }
    try {
      const envelope = envelopeOf(statusCode, body);
      const { code, requestId } = envelope;
      logger.debug(
        {
          method: 'POST',
          endpoint: TOKEN_ENDPOINT,
          grant,
          status: statusCode,
          code,
          requestId,
          ms: clock() - started,
        },
        'yeastar token request',
      );
      if (code !== 'success') throw refusalOf(envelope, statusCode, grant);
      const result = tokenResultOf(envelope);
      const now = clock();
      const stored = storedTokenOf(result, now);
      logger.info(
        { grant, expiresInSeconds: (stored.expiresAt - now) / 1000, requestId },
        'yeastar access token obtained',
      );
      return stored;
    } catch (error) {
      counters.failures++;
      throw error;
    }
  }

  async function obtain(previous: StoredToken | undefined): Promise<StoredToken> {
    if (previous?.refreshToken && clock() < previous.refreshExpiresAt) {
      try {
        const fresh = await requestToken(
          { grant_type: 'refresh_token', refresh_token: previous.refreshToken },
          'refresh_token',
        );
        counters.refreshes++;
        // Keep the latest refresh token: when the answer carries none, the old one is still the latest.
        return fresh.refreshToken
          ? fresh
          : { ...fresh, refreshToken: previous.refreshToken, refreshExpiresAt: previous.refreshExpiresAt };
      } catch (error) {
        if (!(error instanceof YeastarAuthError)) throw error;
        logger.info(
          { code: error.code, requestId: error.requestId },
          'yeastar refresh refused; logging in again',
        );
      }
    }
    const fresh = await requestToken(
      {
        grant_type: 'pp_credentials',
        client_id: options.clientId ?? '',
        client_secret: options.clientSecret ?? '',
      },
      'pp_credentials',
    );
    counters.logins++;
    return fresh;
  }

  async function releaseLock(value: string): Promise<void> {
    try {
      await releaseLockScript([lockKey], [value]);
    } catch (error) {
      // The lock expires on its own; a failed release only delays the next renewal.
      logger.warn({ err: error }, 'yeastar token lock release failed');
    }
  }

  let memo: { stored: StoredToken; readAt: number } | undefined;

  async function renewShared(): Promise<string> {
    const deadline = performance.now() + LOCK_WAIT_MS;
    let delay = POLL_MIN_MS;
    for (;;) {
      const lockValue = randomUUID();
      if ((await redis.set(lockKey, lockValue, 'PX', LOCK_TTL_MS, 'NX')) === 'OK') {
        try {
          // Another process may have renewed between our read and our lock.
          const current = await read();
          if (usable(current)) return current.token;
          const fresh = await obtain(current);
          await write(fresh);
          return fresh.token;
        } finally {
          await releaseLock(lockValue);
        }
      }
      await sleep(delay + Math.floor(Math.random() * delay));
      delay = Math.min(delay * 2, POLL_MAX_MS);
      const current = await read();
      if (usable(current)) return current.token;
      if (performance.now() > deadline) {
        throw new YeastarTransportError(
          `${TOKEN_ENDPOINT}: timed out waiting for another process to obtain an access token`,
          { endpoint: TOKEN_ENDPOINT, retryable: true },
        );
      }
    }
  }

  return {
    async getToken() {
      if (!options.clientId || !options.clientSecret) {
        throw new YeastarAuthError(
          'No Yeastar API credentials configured: set YEASTAR_CLIENT_ID and YEASTAR_CLIENT_SECRET (Partner Portal > System > API)',
          { endpoint: TOKEN_ENDPOINT, code: 'missing_credentials' },
        );
      }
      // A token read moments ago is still good: without this, every API call would cost a Redis round trip.
      if (memo && usable(memo.stored) && clock() - memo.readAt < MEMO_MS) return memo.stored.token;
      const stored = await read();
      if (usable(stored)) {
        memo = { stored, readAt: clock() };
        return stored.token;
      }
      memo = undefined;
      // One renewal per process at a time; other processes are held off by the Redis lock.
      pending ??= renewShared().finally(() => {
        pending = undefined;
      });
      return pending;
    },

    async invalidate(token) {
      if (memo?.stored.token === token) memo = undefined;
      await invalidateScript([key], [token]);
    },

    stats() {
      return { ...counters };
    },
  };
}
