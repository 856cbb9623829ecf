import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeFiles, type FakeSlackFile, UPLOAD_PATH } from './fake-slack-files.js';
import { answerConversations, type StoredMessage } from './fake-slack-history.js';

/**
 * A local stand-in for Slack's Web API: enough of chat.*, views.publish, auth.test and a few lookups
 * for the bot to run against it in tests, `npm run demo` and `npm run bench`. It keeps every call and the
 * resulting channel state, and can be told to answer 429 or 5xx, so callers can check that nothing is
 * lost or doubled when Slack misbehaves.
 */

export type FakeSlackCall = {
  method: string;
  /** Form or JSON body; `blocks`, `metadata`, `attachments`, `view` JSON-decoded. */
  body: Record<string, unknown>;
  token: string | null;
  at: number;
  /** The HTTP status the fake answered with (200, or the injected 429/5xx). */
  status: number;
  /** The `ok` of the answer (false for errors and injected faults). */
  ok: boolean;
};

/** A message as the fake keeps it (and as its history methods answer it). */
export type FakeSlackMessage = StoredMessage;

export type FakeSlackOptions = {
  /** 0 or omitted: a free port on 127.0.0.1. */
  port?: number;
  clock?: () => number;
  /** Answers `apps.connections.open` (app token in hand): sim/fake-socket-mode.ts's `connectionsOpen`. */
  connectionsOpen?: (token: string | null) => Record<string, unknown>;
};

export interface FakeSlack {
  /** Base URL ending in `/api/`: SLACK_API_URL / WebClient `slackApiUrl`. */
  url: string;
  calls: FakeSlackCall[];
  /** Posts to a response_url made by `responseUrl()`. */
  responses: Array<{ url: string; body: unknown; at: number }>;
  responseUrl(id?: string): string;
  /** Current state, chat.update applied, in posting order; thread replies included. */
  messages(channel?: string): FakeSlackMessage[];
  /** Published App Home views by user. */
  homeViews: Map<string, unknown>;
  /** Modals by view id, as last opened (`views.open`) or updated (`views.update`). */
  modals: Map<string, unknown>;
  /** Files uploaded through files.getUploadURLExternal, the upload URL and files.completeUploadExternal. */
  files: Map<string, FakeSlackFile>;
  /** The next `n` matching calls get HTTP 429 with `Retry-After` and `{ok:false, error:'ratelimited'}`. */
  rateLimitNext(n: number, retryAfterSeconds: number, method?: string): void;
  /** The next `n` matching calls get an HTTP error (default 500). */
  failNext(n: number, status?: number, method?: string): void;
  /** The next `n` matching calls answer `{ok:false, error}` with HTTP 200 (e.g. channel_not_found). */
  errorNext(n: number, error: string, method?: string): void;
  /**
   * The next `n` matching calls are carried out (a post exists) but the caller does not learn it: HTTP
   * `status` (default 500), or with `hangMs` no answer that long and then the connection dropped (a timeout).
   */
  acceptThenFail(n: number, options?: { status?: number; hangMs?: number }, method?: string): void;
  /** The next `n` matching calls about `channel` get an HTTP error (default 500): one channel's outage. */
  failNextIn(channel: string, n: number, status?: number, method?: string): void;
  /** Drops every fault not used up yet; messages and calls stay. */
  clearFaults(): void;
  close(): Promise<void>;
  reset(): void;
}

type AfterFault = { remaining: number; method: string | undefined; status: number; hangMs?: number };

type Fault = {
  remaining: number;
  method: string | undefined;
  status: number;
  retryAfterSeconds?: number;
  error: string;
  /** Only calls whose `channel` is this one. */
  channel?: string;
};

const JSON_FIELDS = new Set(['blocks', 'metadata', 'attachments', 'view', 'unfurl', 'user_auth_blocks']);
const CHANNEL_ID = /^[CDG][A-Z0-9]+$/;
/** Response URLs live under the API base so one server and one port serve both. */
const RESPONSE_PREFIX = 'response/';

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType?.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : { value: parsed };
    } catch {
      return { raw };
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (JSON_FIELDS.has(key)) {
      try {
        out[key] = JSON.parse(value);
        continue;
      } catch {
        // Kept as text: Slack itself would reject it, and the test can see what was sent.
      }
    }
    out[key] = value;
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** `views.open` and `views.update`: the modals are kept by view id, as last opened or updated. */
function answerModal(
  modals: Map<string, unknown>,
  method: string,
  body: Record<string, unknown>,
  newId: () => string,
): Record<string, unknown> {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  if (method === 'views.open' && text(body.trigger_id) === '')
    return { ok: false, error: 'invalid_trigger_id' };
  const id = method === 'views.open' ? newId() : text(body.view_id);
  if (method === 'views.update' && !modals.has(id)) return { ok: false, error: 'not_found' };
  modals.set(id, body.view);
  return { ok: true, view: { id, ...(body.view as object) } };
}

export async function createFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const clock = options.clock ?? Date.now;
  const calls: FakeSlackCall[] = [];
  const responses: FakeSlack['responses'] = [];
  const homeViews = new Map<string, unknown>();
  const modals = new Map<string, unknown>();
  let modalSeq = 0;
  // Insertion order of the Map is posting order, which `messages()` keeps.
  const messages = new Map<string, FakeSlackMessage>();
  let faults: Fault[] = [];
  let afterFaults: AfterFault[] = [];
  let seq = 0;
  const tsBase = Math.floor(clock() / 1000);
  const uploads = createFakeFiles(() => fakeSlack.url.replace(/api\/$/, ''));

  function takeFault(method: string, channel?: unknown): Fault | undefined {
    const fault = faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method === method) &&
        (f.channel === undefined || f.channel === channel),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    faults = faults.filter((f) => f.remaining > 0);
    return fault;
  }

  function nextTs(): string {
    seq += 1;
    return `${tsBase}.${String(seq).padStart(6, '0')}`;
  }

  function messageKey(channel: string, ts: string): string {
    return `${channel}/${ts}`;
  }

  function text(value: unknown): string {
    return typeof value === 'string' ? value : '';
  }

  function answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.test/',
          team: 'Fake',
          user: 'bot',
          team_id: 'T1',
          user_id: 'UBOT',
          bot_id: 'B1',
        };
      case 'chat.postMessage': {
        const channel = text(body.channel);
        if (!CHANNEL_ID.test(channel)) return { ok: false, error: 'channel_not_found' };
        const blocks = Array.isArray(body.blocks) ? body.blocks : [];
        if (text(body.text) === '' && blocks.length === 0) return { ok: false, error: 'no_text' };
        const threadTs = text(body.thread_ts) || undefined;
        if (threadTs && !messages.has(messageKey(channel, threadTs))) {
          return { ok: false, error: 'thread_not_found' };
        }
        const ts = nextTs();
        const message: FakeSlackMessage = {
          channel,
          ts,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          text: text(body.text),
          blocks,
          ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
        };
        messages.set(messageKey(channel, ts), message);
        return {
          ok: true,
          channel,
          ts,
          message: { type: 'message', user: 'UBOT', bot_id: 'B1', ...message, channel: undefined },
        };
      }
      case 'chat.update': {
        const channel = text(body.channel);
        const ts = text(body.ts);
        const existing = messages.get(messageKey(channel, ts));
        if (!existing)
          return { ok: false, error: CHANNEL_ID.test(channel) ? 'message_not_found' : 'channel_not_found' };
        if (body.text !== undefined) existing.text = text(body.text);
        // As Slack does: omitting blocks keeps the old ones.
        if (Array.isArray(body.blocks)) existing.blocks = body.blocks;
        if (body.metadata !== undefined) existing.metadata = body.metadata;
        return { ok: true, channel, ts, text: existing.text };
      }
      case 'chat.postEphemeral':
        if (!CHANNEL_ID.test(text(body.channel))) return { ok: false, error: 'channel_not_found' };
        return { ok: true, message_ts: nextTs() };
      case 'views.publish': {
        const userId = text(body.user_id);
        if (userId === '') return { ok: false, error: 'invalid_arguments' };
        homeViews.set(userId, body.view);
        return { ok: true, view: { id: `V${seq}`, type: 'home', ...(body.view as object) } };
      }
      case 'conversations.history':
      case 'conversations.replies':
        return answerConversations(method, [...messages.values()], body);
      case 'views.open':
      case 'views.update':
        return answerModal(modals, method, body, () => `VMODAL${++modalSeq}`);
      case 'conversations.info': {
        const channel = text(body.channel);
        if (!CHANNEL_ID.test(channel)) return { ok: false, error: 'channel_not_found' };
        return { ok: true, channel: { id: channel, name: 'renewals', is_channel: true, is_member: true } };
      }
      case 'users.info': {
        const user = text(body.user);
        return {
          ok: true,
          user: { id: user, name: user.toLowerCase(), real_name: `User ${user}`, tz: 'UTC', is_bot: false },
        };
      }
      default:
        return uploads.answer(method, body) ?? { ok: true };
    }
  }

  const server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.method === 'POST' && path.startsWith(UPLOAD_PATH)) {
        await uploads.receive(req, res, path);
        return;
      }
      if (req.method !== 'POST' || !path.startsWith('/api/')) {
        send(res, 404, { ok: false, error: 'unknown_method' });
        return;
      }
      const method = path.slice('/api/'.length);
      const raw = await readBody(req);
      const body = parseBody(raw, req.headers['content-type']);
      const at = clock();

      if (method.startsWith(RESPONSE_PREFIX)) {
        const fault = takeFault('response');
        if (fault) {
          send(res, fault.status, { ok: false, error: fault.error });
          return;
        }
        responses.push({ url: `${fakeSlack.url}${method}`, body, at });
        send(res, 200, { ok: true });
        return;
      }

      const auth = req.headers.authorization;
      const token =
        (auth && /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, '') : null) ??
        (typeof body.token === 'string' ? body.token : null);
      const record: FakeSlackCall = { method, body, token, at, status: 200, ok: false };
      calls.push(record);

      const fault = takeFault(method, body.channel);
      if (fault) {
        record.status = fault.status;
        send(
          res,
          fault.status,
          { ok: false, error: fault.error },
          fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {},
        );
        return;
      }
      if (!token || !/^(xox[bpa]|xapp)-/.test(token)) {
        send(res, 200, { ok: false, error: 'not_authed' });
        return;
      }
      const result =
        method === 'apps.connections.open' && options.connectionsOpen
          ? options.connectionsOpen(token)
          : answer(method, body);
      record.ok = result.ok === true;
      const after = afterFaults.find(
        (f) => f.remaining > 0 && (f.method === undefined || f.method === method),
      );
      if (after) {
        after.remaining -= 1;
        afterFaults = afterFaults.filter((f) => f.remaining > 0);
        record.status = after.status;
        if (after.hangMs !== undefined) {
          await new Promise((r) => setTimeout(r, after.hangMs));
          req.socket.destroy();
          return;
        }
        send(res, after.status, { ok: false, error: 'internal_error' });
        return;
      }
      send(res, 200, result);
    })().catch(() => {
      if (!res.headersSent) send(res, 500, { ok: false, error: 'fatal_error' });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const fakeSlack: FakeSlack = {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    responses,
    homeViews,
    modals,
    files: uploads.files,
    responseUrl(id) {
      return `${fakeSlack.url}${RESPONSE_PREFIX}${id ?? randomBytes(6).toString('hex')}`;
    },
    messages(channel) {
      const all = [...messages.values()];
      return channel === undefined ? all : all.filter((m) => m.channel === channel);
    },
    rateLimitNext(n, retryAfterSeconds, method) {
      faults.push({ remaining: n, method, status: 429, retryAfterSeconds, error: 'ratelimited' });
    },
    failNext(n, status = 500, method) {
      faults.push({ remaining: n, method, status, error: 'internal_error' });
    },
    errorNext(n, error, method) {
      faults.push({ remaining: n, method, status: 200, error });
    },
    clearFaults() {
      faults = [];
      afterFaults = [];
    },
    failNextIn(channel, n, status = 500, method) {
      faults.push({ remaining: n, method, status, error: 'internal_error', channel });
    },
    acceptThenFail(n, options = {}, method) {
      afterFaults.push({
        remaining: n,
        method,
        status: options.hangMs === undefined ? (options.status ?? 500) : 0,
        ...(options.hangMs === undefined ? {} : { hangMs: options.hangMs }),
      });
    },
    reset() {
      calls.length = 0;
      responses.length = 0;
      messages.clear();
      homeViews.clear();
      modals.clear();
      uploads.files.clear();
      faults = [];
      afterFaults = [];
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return fakeSlack;
}
