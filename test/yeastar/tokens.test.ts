import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../sim/server.js';
import { YeastarAuthError } from '../../src/yeastar/errors.js';
import { createTokenManager, type TokenManagerOptions } from '../../src/yeastar/tokens.js';
import { redisFixture, uniquePrefix } from '../helpers/redis.js';

const USER_AGENT = 'yeastar-renewal-bot-test/1.0';

let fx: Awaited<ReturnType<typeof redisFixture>>;
let sim: Simulator;
let now: number;

beforeAll(async () => {
  fx = await redisFixture('tokens');
});
afterAll(async () => {
  await fx.close();
});
afterEach(async () => {
  await sim?.close();
});

async function startSim(options: Parameters<typeof createSimulator>[0] = {}): Promise<Simulator> {
  now = Date.UTC(2025, 0, 1);
  sim = await createSimulator({ instances: 20, clock: () => now, ...options });
  return sim;
}

function manager(keyPrefix: string, overrides: Partial<TokenManagerOptions> = {}) {
  return createTokenManager({
    redis: fx.redis,
    keyPrefix,
    baseUrl: sim.url,
    clientId: sim.credentials.clientId,
    clientSecret: sim.credentials.clientSecret,
    userAgent: USER_AGENT,
    clock: () => now,
    ...overrides,
  });
}

describe('token manager', () => {
  it('logs in once, then serves the stored token to every manager on the same prefix', async () => {
    await startSim();
    const prefix = `${fx.prefix}:${uniquePrefix('shared')}`;
    const managers = Array.from({ length: 4 }, () => manager(prefix));
    const tokens = await Promise.all(managers.flatMap((m) => [m.getToken(), m.getToken(), m.getToken()]));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toMatch(/^eyJ/);
    expect(sim.stats().tokensIssued).toBe(1);
    expect(managers.reduce((sum, m) => sum + m.stats().tokenRequests, 0)).toBe(1);
    const stored = await fx.redis.hgetall(`${prefix}:yeastar:token`);
    expect(stored['token']).toBe(tokens[0]);
    expect(stored['refreshToken']).toBeTruthy();
    expect(Number(stored['expiresAt'])).toBe(now + 1800_000);
  });

  it('refreshes with the refresh token when under two minutes are left, and keeps the newest refresh token', async () => {
    await startSim();
    const prefix = `${fx.prefix}:${uniquePrefix('refresh')}`;
    const m = manager(prefix);
    const first = await m.getToken();
    const firstRefresh = await fx.redis.hget(`${prefix}:yeastar:token`, 'refreshToken');
    now += 27 * 60_000; // 3 minutes left: still used
    expect(await m.getToken()).toBe(first);
    now += 90_000; // 90 seconds left: renewed
    const second = await m.getToken();
    expect(second).not.toBe(first);
    expect(sim.stats().refreshes).toBe(1);
    expect(m.stats()).toMatchObject({ tokenRequests: 2, refreshes: 1, logins: 1 });
    const secondRefresh = await fx.redis.hget(`${prefix}:yeastar:token`, 'refreshToken');
    expect(secondRefresh).toBeTruthy();
    expect(secondRefresh).not.toBe(firstRefresh);
  });

  it('falls back to the client credentials when the refresh token is refused', async () => {
    await startSim();
    const prefix = `${fx.prefix}:${uniquePrefix('fallback')}`;
    const m = manager(prefix);
    await m.getToken();
    // Someone else spends our refresh token: a single-use token is now stale.
    const spent = await fx.redis.hget(`${prefix}:yeastar:token`, 'refreshToken');
    const response = await fetch(`${sim.url}/auth/openapi/v1/oauth/token`, {
      method: 'POST',
      headers: { 'user-agent': USER_AGENT, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: spent ?? '' }),
    });
    expect(response.status).toBe(200);
    const issuedBefore = sim.stats().tokensIssued;
    now += 29 * 60_000;
    const token = await m.getToken();
    expect(token).toMatch(/^eyJ/);
    expect(m.stats()).toMatchObject({ tokenRequests: 3, refreshes: 0, logins: 2, failures: 1 });
    expect(sim.stats().tokensIssued).toBe(issuedBefore + 1);
  });

  it('invalidate drops only the current token; the next getToken renews', async () => {
    await startSim();
    const prefix = `${fx.prefix}:${uniquePrefix('invalidate')}`;
    const m = manager(prefix);
    const first = await m.getToken();
    await m.invalidate('eyJsomething.else.entirely');
    expect(await m.getToken()).toBe(first);
    await m.invalidate(first);
    const second = await m.getToken();
    expect(second).not.toBe(first);
    expect(m.stats()).toMatchObject({ refreshes: 1, logins: 1 });
    // A late invalidation of the old token must not throw away the new one.
    await m.invalidate(first);
    expect(await m.getToken()).toBe(second);
  });

  it('waits for the process holding the lock instead of asking for a token itself', async () => {
    await startSim();
    const prefix = `${fx.prefix}:${uniquePrefix('lock')}`;
    const key = `${prefix}:yeastar:token`;
    await fx.redis.set(`${key}:lock`, 'another-process', 'PX', 15_000);
    const m = manager(prefix);
    const waiting = m.getToken();
    await sleep(150);
    await fx.redis.hset(key, {
      token: 'eyJother.process.token',
      tokenHead: 'Bearer ',
      expiresAt: String(now + 1800_000),
      renewAt: String(now + 1680_000),
      refreshToken: 'r',
      refreshExpiresAt: String(now + 86_400_000),
    });
    expect(await waiting).toBe('eyJother.process.token');
    expect(m.stats().tokenRequests).toBe(0);
    expect(sim.stats().tokensIssued).toBe(0);
  });

  it('takes over when the lock holder gives up without storing a token', async () => {
    await startSim();
    const prefix = `${fx.prefix}:${uniquePrefix('takeover')}`;
    const key = `${prefix}:yeastar:token`;
    await fx.redis.set(`${key}:lock`, 'crashed-process', 'PX', 300);
    const token = await manager(prefix).getToken();
    expect(token).toMatch(/^eyJ/);
    expect(sim.stats().tokensIssued).toBe(1);
    expect(await fx.redis.get(`${key}:lock`)).toBeNull();
  });

  it('refused credentials: YeastarAuthError with the API code and requestId, no secret in the message', async () => {
    await startSim();
    const m = manager(`${fx.prefix}:${uniquePrefix('refused')}`, { clientSecret: 'wrong-secret-value' });
    const error = await m.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(YeastarAuthError);
    const auth = error as YeastarAuthError;
    expect(auth.code).toBe('invalid_client');
    expect(auth.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(auth.message).toContain('YEASTAR_CLIENT_SECRET');
    expect(auth.message).not.toContain('wrong-secret-value');
    expect(auth.endpoint).toBe('/auth/openapi/v1/oauth/token');
  });

  it('no credentials: YeastarAuthError naming the settings, without a request', async () => {
    await startSim();
    const m = manager(`${fx.prefix}:${uniquePrefix('none')}`, { clientId: undefined, clientSecret: '' });
    await expect(m.getToken()).rejects.toThrow(/YEASTAR_CLIENT_ID and YEASTAR_CLIENT_SECRET/);
    expect(sim.stats().requests).toBe(0);
  });
});
