import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, ok } from '../../sim/answers.js';
import { type SimHttp, startSimHttp } from '../../sim/http-server.js';
import { PARTNER_ROUTES, PATHS } from '../../sim/partner-routes.js';
import type { SimRoute } from '../../sim/route.js';
import { createSimState, type SimState } from '../../sim/sim-state.js';
import { silentLogger } from '../../src/logger.js';
import { parseJsonSafe } from '../../src/util/json.js';

/**
 * The route table as another set of endpoints joins it (the way sim/server.ts lists them): a route set
 * with state of its own beside the simulator's, answered through the same plumbing (tokens, faults,
 * counts, 404 and 405) without touching it.
 */

type Notes = { saved: string[] };
const notesOf = new WeakMap<SimState, Notes>();
const notes = (state: SimState) => {
  const kept = notesOf.get(state) ?? { saved: [] };
  notesOf.set(state, kept);
  return kept;
};

const NOTE_ROUTES: SimRoute[] = [
  {
    method: 'POST',
    template: '/test/v1/note',
    pattern: /^\/test\/v1\/note$/,
    authenticated: true,
    run({ body }, state) {
      const text = (JSON.parse(body) as { text?: string }).text;
      if (!text) return envelope(400, 'parameter_validation_failed', 'text is required', { field: 'text' });
      notes(state).saved.push(text);
      return ok({ id: notes(state).saved.length, lines: state.dataset.productLines().length });
    },
  },
  {
    method: 'GET',
    template: '/test/v1/note/{id}',
    pattern: /^\/test\/v1\/note\/(\d+)$/,
    authenticated: true,
    run: ({ params }, state) => ok({ text: notes(state).saved[Number(params[0]) - 1] ?? null }),
  },
];

let state: SimState;
let http: SimHttp;
let token: string;

beforeAll(async () => {
  state = createSimState({ instances: 40, seed: 3 });
  http = await startSimHttp({
    routes: [...PARTNER_ROUTES, ...NOTE_ROUTES],
    state,
    logger: silentLogger(),
    port: 0,
  });
  const grant = await send('POST', PATHS.token, {
    body: new URLSearchParams({
      grant_type: 'pp_credentials',
      client_id: state.credentials.clientId,
      client_secret: state.credentials.clientSecret,
    }).toString(),
    contentType: 'application/x-www-form-urlencoded',
  });
  token = (grant.body.result as { token: string }).token;
});

afterAll(async () => {
  await http?.close();
});

async function send(
  method: string,
  path: string,
  options: { body?: string; contentType?: string; auth?: boolean } = {},
): Promise<{ status: number; body: { code: string; result: unknown } }> {
  const response = await fetch(`http://127.0.0.1:${http.port}${path}`, {
    method,
    headers: {
      'User-Agent': 'OpenAPI',
      ...(options.contentType ? { 'Content-Type': options.contentType } : {}),
      ...(options.auth ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: options.body,
    signal: AbortSignal.timeout(10_000),
  });
  return {
    status: response.status,
    body: parseJsonSafe(await response.text()) as { code: string; result: unknown },
  };
}

const json = (value: unknown) => ({
  body: JSON.stringify(value),
  contentType: 'application/json',
  auth: true,
});

describe('a route set joined to the table', () => {
  it('answers from its own state and the simulator’s, with the token checked by the plumbing', async () => {
    const saved = await send('POST', '/test/v1/note', json({ text: 'renew SN 42' }));
    expect(saved).toMatchObject({ status: 200, body: { code: 'success', result: { id: 1, lines: 4 } } });
    const read = await send('GET', '/test/v1/note/1', { auth: true });
    expect(read.body.result).toEqual({ text: 'renew SN 42' });
    expect(notes(state).saved).toEqual(['renew SN 42']);

    const anonymous = await send('GET', '/test/v1/note/1');
    expect(anonymous).toMatchObject({ status: 401, body: { code: 'invalid_token' } });
    const refused = await send('POST', '/test/v1/note', json({}));
    expect(refused).toMatchObject({ status: 400, body: { code: 'parameter_validation_failed' } });
  });

  it('gets the plumbing’s 405, injected faults and counts by its own template', async () => {
    expect(await send('GET', '/test/v1/note', { auth: true })).toMatchObject({
      status: 405,
      body: { code: 'method_not_allowed' },
    });
    state.faults.failNext(1, 503, '/test/v1/note/{id}');
    expect((await send('GET', '/test/v1/note/1', { auth: true })).status).toBe(503);
    expect((await send('GET', '/test/v1/note/1', { auth: true })).status).toBe(200);
    expect(state.counts.byPath['/test/v1/note/{id}']).toBeGreaterThanOrEqual(4);
    expect((await send('GET', '/test/v1/nothing', { auth: true })).status).toBe(404);
  });

  it('leaves the Partner API routes as they were', async () => {
    const lines = await send('GET', PATHS.productList, { auth: true });
    expect(lines.status).toBe(200);
    expect((lines.body.result as unknown[]).length).toBe(4);
  });
});
