import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../sim/server.js';
import { call, getToken, getWithoutUserAgent, tokenGrant } from './http.js';

const PRODUCTS = '/pricing/openapi/purchase/v1/product_list';
const TOKEN_PATH = '/auth/openapi/v1/oauth/token';
type Grant = { token: string; tokenHead: string; expiresIn: string; refreshToken: string };

describe('simulator tokens', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('issues a JWT-looking token for the right credentials and accepts it', async () => {
    sim = await createSimulator({ instances: 10 });
    const reply = await tokenGrant(sim);
    expect(reply.status).toBe(200);
    expect(reply.envelope).toMatchObject({ code: 'success', detailMessage: '', status: 200 });
    expect(reply.envelope.requestId).toMatch(/^[0-9a-f]{32}$/);
    const grant = reply.envelope.result as Grant;
    expect(grant.tokenHead).toBe('Bearer ');
    expect(grant.expiresIn).toBe('1800');
    expect(grant.token).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(grant.refreshToken).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(grant.refreshToken).not.toBe(grant.token);

    const products = await call(sim, PRODUCTS, grant.token);
    expect(products.status).toBe(200);
    expect(sim.stats().tokensIssued).toBe(1);
  });

  it('accepts the credentials as multipart and as JSON too', async () => {
    sim = await createSimulator({ instances: 10 });
    const form = new FormData();
    form.set('grant_type', 'pp_credentials');
    form.set('client_id', sim.credentials.clientId);
    form.set('client_secret', sim.credentials.clientSecret);
    const multipart = await call(sim, TOKEN_PATH, undefined, { method: 'POST', body: form });
    expect(multipart.envelope.code).toBe('success');
    const json = await call(sim, TOKEN_PATH, undefined, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'pp_credentials',
        client_id: sim.credentials.clientId,
        client_secret: sim.credentials.clientSecret,
      }),
    });
    expect(json.envelope.code).toBe('success');
  });

  it('refuses wrong credentials with invalid_client', async () => {
    sim = await createSimulator({ instances: 10, clientId: 'id-1', clientSecret: 'right' });
    const reply = await tokenGrant(sim, {
      grant_type: 'pp_credentials',
      client_id: 'id-1',
      client_secret: 'wrong',
    });
    expect(reply.status).toBe(400);
    expect(reply.envelope).toMatchObject({ code: 'invalid_client', status: 400, result: null });
    expect(reply.envelope.detailMessage).not.toBe('');
  });

  it('refreshes once per refresh token: an older one is spent', async () => {
    sim = await createSimulator({ instances: 10 });
    const first = (await tokenGrant(sim)).envelope.result as Grant;
    const refreshed = await tokenGrant(sim, {
      grant_type: 'refresh_token',
      refresh_token: first.refreshToken,
    });
    expect(refreshed.status).toBe(200);
    const second = refreshed.envelope.result as Grant;
    expect(second.token).not.toBe(first.token);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await call(sim, PRODUCTS, second.token)).status).toBe(200);

    const again = await tokenGrant(sim, { grant_type: 'refresh_token', refresh_token: first.refreshToken });
    expect(again.status).toBe(400);
    expect(again.envelope.code).toBe('invalid_refresh_token');
    const garbage = await tokenGrant(sim, { grant_type: 'refresh_token', refresh_token: 'not-a-token' });
    expect(garbage.envelope.code).toBe('invalid_refresh_token');

    const newest = await tokenGrant(sim, { grant_type: 'refresh_token', refresh_token: second.refreshToken });
    expect(newest.status).toBe(200);
    expect(sim.stats()).toMatchObject({ tokensIssued: 3, refreshes: 2 });
  });

  it('expires access tokens on the injected clock, and refresh tokens after 15 days', async () => {
    let now = Date.UTC(2025, 5, 1);
    sim = await createSimulator({ instances: 10, clock: () => now, faults: { tokenLifetimeSeconds: 60 } });
    const grant = (await tokenGrant(sim)).envelope.result as Grant;
    expect(grant.expiresIn).toBe('60');
    now += 59_000;
    expect((await call(sim, PRODUCTS, grant.token)).status).toBe(200);
    now += 1_000;
    const expired = await call(sim, PRODUCTS, grant.token);
    expect(expired.status).toBe(401);
    expect(expired.envelope).toMatchObject({ code: 'token_expired', status: 401 });

    now += 15 * 86_400_000;
    const late = await tokenGrant(sim, { grant_type: 'refresh_token', refresh_token: grant.refreshToken });
    expect(late.envelope.code).toBe('invalid_refresh_token');
  });

  it('tells an unknown or missing token apart from an expired one', async () => {
    sim = await createSimulator({ instances: 10 });
    const unknown = await call(sim, PRODUCTS, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln');
    expect(unknown.status).toBe(401);
    expect(unknown.envelope.code).toBe('invalid_token');
    const missing = await call(sim, PRODUCTS);
    expect(missing.status).toBe(401);
    expect(missing.envelope.code).toBe('invalid_token');
  });

  it('revokeTokens makes every token issued so far read as expired, new ones work', async () => {
    sim = await createSimulator({ instances: 10 });
    const old = await getToken(sim);
    sim.revokeTokens();
    const reply = await call(sim, PRODUCTS, old);
    expect(reply.status).toBe(401);
    expect(reply.envelope.code).toBe('token_expired');
    const fresh = await getToken(sim);
    expect((await call(sim, PRODUCTS, fresh)).status).toBe(200);
  });

  it('requires a User-Agent on API calls', async () => {
    sim = await createSimulator({ instances: 10 });
    const token = await getToken(sim);
    const reply = await getWithoutUserAgent(sim, PRODUCTS, token);
    expect(reply.status).toBe(400);
    expect(reply.envelope).toMatchObject({ code: 'missing_user_agent', status: 400 });
  });
});
