import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBody, JSON_TYPE, postToSlackApp, slackSignature } from '../../sim/slack-sign.js';
import { MAX_BODY_BYTES, refusalFromHeaders } from '../../src/slack/request-limits.js';
import { createSlackWorld, SECRET, type SlackWorld } from './harness.js';

/**
 * `/slack/events` refuses what it can on the headers, before reading the body. Each request here is
 * written by hand on a socket and its body is never sent (or only part of it): an answer that comes
 * back anyway was given without reading the body.
 */

let world: SlackWorld;
beforeAll(async () => {
  world = await createSlackWorld();
});
afterAll(async () => {
  await world?.close();
});

type RawAnswer = { status: number; closed: boolean };

/** Sends `head` (and `body`, if any) and resolves with the status line's code once the answer is in. */
function rawRequest(head: string, body?: (socket: Socket) => void): Promise<RawAnswer> {
  const { port } = new URL(world.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    let status = 0;
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error(`no answer within 10 s; got ${JSON.stringify(received)}`));
    });
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (match && status === 0) status = Number(match[1]);
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve({ status, closed: true }));
    socket.on('connect', () => {
      socket.write(head);
      body?.(socket);
    });
  });
}

function requestHead(headers: Record<string, string>): string {
  const lines = Object.entries({ host: '127.0.0.1', ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `POST /slack/events HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

const now = () => Math.floor(Date.now() / 1000);
const validLooking = (timestamp: number) => slackSignature(SECRET, timestamp, 'a body that never comes');

describe('POST /slack/events: what is refused before the body is read', () => {
  it('answers 413 to a declared 200 MB body, without waiting for it', async () => {
    const ts = now();
    const answer = await rawRequest(
      requestHead({
        'content-type': JSON_TYPE,
        'content-length': String(200 * 1024 * 1024),
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': validLooking(ts),
      }),
    );
    expect(answer).toEqual({ status: 413, closed: true });
  });

  it('answers 401 to an unsigned request, without waiting for its body', async () => {
    const answer = await rawRequest(requestHead({ 'content-type': JSON_TYPE, 'content-length': '5000' }));
    expect(answer).toEqual({ status: 401, closed: true });
  });

  it('answers 401 to a stale timestamp or a malformed signature, without waiting for the body', async () => {
    const stale = now() - 6 * 60;
    for (const headers of [
      { 'x-slack-request-timestamp': String(stale), 'x-slack-signature': validLooking(stale) },
      { 'x-slack-request-timestamp': String(now()), 'x-slack-signature': 'v0=not-hex' },
      { 'x-slack-request-timestamp': 'yesterday', 'x-slack-signature': validLooking(now()) },
    ]) {
      const answer = await rawRequest(
        requestHead({ 'content-type': JSON_TYPE, 'content-length': '5000', ...headers }),
      );
      expect(answer, JSON.stringify(headers)).toEqual({ status: 401, closed: true });
    }
  });

  it('stops reading a chunked body once it passes 1 MB, and answers 413', async () => {
    const ts = now();
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const answer = await rawRequest(
      requestHead({
        'content-type': JSON_TYPE,
        'transfer-encoding': 'chunked',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': validLooking(ts),
      }),
      (socket) => {
        // 1.5 MB, never terminated: the answer can only come from the limit.
        const write = () => {
          if (sent >= 1.5 * MAX_BODY_BYTES || socket.destroyed) return;
          sent += chunk.length;
          socket.write(`${chunk.length.toString(16)}\r\n`);
          socket.write(chunk);
          socket.write('\r\n', () => setImmediate(write));
        };
        write();
      },
    );
    expect(answer).toEqual({ status: 413, closed: true });
  });

  it('still serves a signed request within the limit, and a wrong signature still gets Bolt’s 401', async () => {
    const ok = await world.event({ type: 'app_home_opened', user: 'UOTHER22', tab: 'messages' });
    expect(ok.status).toBe(200);
    const forged = await postToSlackApp(
      `${world.baseUrl}/slack/events`,
      eventBody({ type: 'app_home_opened', user: 'UOTHER22', tab: 'messages' }),
      JSON_TYPE,
      { secret: 'not-the-secret' },
    );
    expect(forged.status).toBe(401);
  });

  it('leaves a small unsigned form post to Bolt, which answers Slack’s ssl_check', async () => {
    const response = await fetch(`${world.baseUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'ssl_check=1&token=legacy',
    });
    expect(response.status).toBe(200);
  });
});

describe('refusalFromHeaders', () => {
  const at = 1_800_000_000_000;
  const signed = (seconds: number) => ({
    'content-type': JSON_TYPE,
    'content-length': '10',
    'x-slack-request-timestamp': String(seconds),
    'x-slack-signature': `v0=${'0'.repeat(64)}`,
  });

  it('passes a signed request from the last five minutes, and refuses one outside them either way', () => {
    expect(refusalFromHeaders(signed(at / 1000 - 299), at)).toBeNull();
    expect(refusalFromHeaders(signed(at / 1000 - 301), at)?.status).toBe(401);
    expect(refusalFromHeaders(signed(at / 1000 + 301), at)?.status).toBe(401);
  });

  it('refuses a body over 1 MB by its length, signed or not', () => {
    const big = { ...signed(at / 1000), 'content-length': String(MAX_BODY_BYTES + 1) };
    expect(refusalFromHeaders(big, at)?.status).toBe(413);
    expect(refusalFromHeaders({ 'content-length': String(MAX_BODY_BYTES) }, at)?.status).toBe(401);
  });
});
