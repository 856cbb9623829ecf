import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../src/logger.js';
import { type Answer, bodyBytes, envelope, faultAnswer, notFound } from './answers.js';
import { createLatency, type Latency } from './latency.js';
import type { SimRoute } from './route.js';
import type { SimState } from './sim-state.js';

/**
 * The simulator's HTTP plumbing (node:http on 127.0.0.1): finds the route, counts the request, waits the
 * configured latency, injects the planned faults, checks the User-Agent and the bearer token, and writes
 * the answer. What an endpoint answers is its route's business (sim/route.ts).
 */

const MAX_BODY_BYTES = 64 * 1024;

export type SimHttp = { port: number; close(): Promise<void> };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function authenticate(req: IncomingMessage, state: SimState): Answer | undefined {
  if (!req.headers['user-agent']?.trim()) {
    return envelope(400, 'missing_user_agent', 'The User-Agent header is required', null);
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  const check = state.tokens.check(match?.[1]);
  if (check === 'expired') return envelope(401, 'token_expired', 'The access token has expired', null);
  if (check === 'unknown') return envelope(401, 'invalid_token', 'The access token is invalid', null);
  return undefined;
}

type Found = { route: SimRoute; match: RegExpExecArray };

function findRoute(routes: readonly SimRoute[], pathname: string): Found | undefined {
  for (const route of routes) {
    const match = route.pattern.exec(pathname);
    if (match) return { route, match };
  }
  return undefined;
}

function runRoute(
  found: Found | undefined,
  req: IncomingMessage,
  url: URL,
  body: string,
  state: SimState,
): Answer | Promise<Answer> {
  if (!found) return notFound('not_found', `No such path: ${url.pathname}`);
  const { route, match } = found;
  if (route.method !== req.method) {
    return envelope(405, 'method_not_allowed', `${url.pathname} takes ${route.method}`, null);
  }
  const refused = route.authenticated ? authenticate(req, state) : undefined;
  if (refused) return refused;
  const params = match.slice(1).map((p) => decodeURIComponent(p));
  return route.run({ url, params, body, contentType: req.headers['content-type'] ?? '' }, state);
}

async function answer(
  routes: readonly SimRoute[],
  state: SimState,
  latency: Latency,
  req: IncomingMessage,
  url: URL,
  arrived: number,
): Promise<{ answer: Answer; template: string; latencyMs: number }> {
  const { faults, counts } = state;
  const found = findRoute(routes, url.pathname);
  const template = found?.route.template ?? '(not found)';
  counts.requests++;
  counts.byPath[template] = (counts.byPath[template] ?? 0) + 1;
  const body = req.method === 'POST' ? await readBody(req) : '';
  const { latencyMs } = faults.current();
  if (latencyMs > 0) await latency.wait(template, arrived, latencyMs);

  const fault = faults.takeFault(url.pathname, template);
  let result = fault ? faultAnswer(fault) : await runRoute(found, req, url, body, state);
  if (faults.takeMalform(url.pathname, template)) {
    // Cut by characters as when every body was a string, so a cached page breaks at the same place.
    const text = typeof result.body === 'string' ? result.body : bodyBytes(result.body).toString('utf8');
    result = { status: 200, body: text.slice(0, Math.max(1, Math.floor(text.length / 2))) };
  }
  return { answer: result, template, latencyMs };
}

function send(res: ServerResponse, result: Answer): void {
  if (res.destroyed) return;
  const parts = Array.isArray(result.body) ? result.body : [bodyBytes(result.body)];
  res.writeHead(result.status, {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': parts.reduce((sum, part) => sum + part.length, 0),
    ...result.headers,
  });
  // Writes in one turn go out together (Node corks the socket until the next tick).
  for (const part of parts.slice(0, -1)) res.write(part);
  res.end(parts.at(-1));
}

export async function startSimHttp(options: {
  routes: readonly SimRoute[];
  state: SimState;
  logger: Logger;
  /** 0: a free port. */
  port: number;
}): Promise<SimHttp> {
  const { routes, state, logger } = options;
  const latency = createLatency();
  const server = createServer((req, res) => {
    const arrived = performance.now();
    let learn: ((answered: number) => void) | undefined;
    res.once('finish', () => {
      const answered = performance.now();
      state.counts.answerMs += answered - arrived;
      learn?.(answered);
    });
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    answer(routes, state, latency, req, url, arrived).then(
      ({ answer: result, template, latencyMs }) => {
        logger.debug({ method: req.method, path: template, status: result.status }, 'sim request');
        if (latencyMs > 0) learn = (answered) => latency.answered(template, arrived, latencyMs, answered);
        send(res, result);
      },
      (error: unknown) => {
        logger.warn({ err: error, path: url.pathname }, 'sim request failed');
        send(res, envelope(500, 'internal_server_error', 'The simulator failed to answer', null));
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        latency.cancel();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
