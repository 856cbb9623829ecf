import { randomBytes } from 'node:crypto';

/**
 * The simulator's OAuth side: access tokens that expire on the injected clock and refresh tokens that
 * are single use (only the latest one issued works, as the guide tells clients to assume).
 */

export const REFRESH_TOKEN_LIFETIME_MS = 15 * 86_400_000;

export type TokenGrant = { token: string; tokenHead: 'Bearer '; expiresIn: string; refreshToken: string };
export type TokenCheck = 'valid' | 'expired' | 'unknown';

export interface TokenStore {
  issueForCredentials(clientId: string | undefined, clientSecret: string | undefined): TokenGrant | undefined;
  /** A new pair for the latest refresh token; undefined when it is unknown, spent or expired. */
  refresh(refreshToken: string): TokenGrant | undefined;
  check(token: string | undefined): TokenCheck;
  revokeAll(): void;
  counts(): { tokensIssued: number; refreshes: number };
  resetCounts(): void;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');
const JWT_HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/** Looks like the API's tokens (three base64url parts, `eyJ…`) but carries nothing but randomness. */
function jwtLike(clientId: string, expiresAtMs: number, type: string): string {
  const payload = {
    client_id: clientId,
    exp: Math.floor(expiresAtMs / 1000),
    jti: randomBytes(12).toString('base64url'),
    scope: ['all'],
    token_type: type,
  };
  return `${JWT_HEADER}.${base64url(JSON.stringify(payload))}.${base64url(randomBytes(32))}`;
}

export function createTokenStore(options: {
  clock: () => number;
  clientId: string;
  clientSecret: string;
  lifetimeSeconds: () => number;
}): TokenStore {
  const { clock, clientId, clientSecret } = options;
  const accessTokens = new Map<string, { expiresAt: number; serial: number }>();
  let serial = 0;
  let revokedThrough = 0;
  let latestRefresh: { token: string; expiresAt: number } | undefined;
  let tokensIssued = 0;
  let refreshes = 0;

  function issue(): TokenGrant {
    const now = clock();
    const lifetimeSeconds = options.lifetimeSeconds();
    const expiresAt = now + lifetimeSeconds * 1000;
    const token = jwtLike(clientId, expiresAt, 'openapi');
    accessTokens.set(token, { expiresAt, serial: ++serial });
    const refreshExpiresAt = now + REFRESH_TOKEN_LIFETIME_MS;
    const refreshToken = jwtLike(clientId, refreshExpiresAt, 'refresh');
    latestRefresh = { token: refreshToken, expiresAt: refreshExpiresAt };
    tokensIssued++;
    return { token, tokenHead: 'Bearer ', expiresIn: String(lifetimeSeconds), refreshToken };
  }

  return {
    issueForCredentials(id, secret) {
      return id === clientId && secret === clientSecret ? issue() : undefined;
    },
    refresh(refreshToken) {
      if (!latestRefresh || refreshToken !== latestRefresh.token || clock() >= latestRefresh.expiresAt) {
        return undefined;
      }
      refreshes++;
      return issue();
    },
    check(token) {
      if (!token) return 'unknown';
      const entry = accessTokens.get(token);
      if (!entry) return 'unknown';
      return entry.serial <= revokedThrough || clock() >= entry.expiresAt ? 'expired' : 'valid';
    },
    revokeAll() {
      revokedThrough = serial;
    },
    counts: () => ({ tokensIssued, refreshes }),
    resetCounts() {
      tokensIssued = 0;
      refreshes = 0;
    },
  };
}
