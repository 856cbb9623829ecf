import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * A local stand-in for Slack's Socket Mode: `apps.connections.open` on the fake Web API (sim/fake-slack.ts,
 * option `connectionsOpen`) hands out a `ws://127.0.0.1:…` URL here; a client that connects gets `hello`,
 * then the envelopes a test sends (slash_commands, interactive, events_api). Like Slack, it expects each
 * envelope acked by its envelope_id, redelivers what was not acked when a new socket connects (with
 * `retry_attempt` one higher), can ask the client to reconnect (`disconnect`, refresh_requested) or drop
 * the socket, and keeps the time of every step so a test can tell how long a reconnect took.
 */

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export type Envelope = {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt: number;
  retry_reason: string;
};

export type Ack = { envelopeId: string; payload: unknown; at: number; sentAt: number };

export type SocketEvent = {
  kind: 'open' | 'hello' | 'close' | 'refresh' | 'drop';
  at: number;
  connection: number;
};

export interface FakeSocketMode {
  /** Answers `apps.connections.open` for the fake Web API: a URL for the right app token, invalid_auth else. */
  connectionsOpen(token: string | null): Record<string, unknown>;
  /** Sends an envelope now, or on the next connection when none is open; returns its envelope_id. */
  send(type: EnvelopeType, payload: Record<string, unknown>, options?: { retryAttempt?: number }): string;
  /** The same payload again under a new envelope_id with retry_attempt + 1, as Slack retries. */
  redeliver(envelopeId: string): string;
  /** Resolves with the ack of `envelopeId`; rejects when it has not come within `withinMs` (Slack: 3 s). */
  ack(envelopeId: string, withinMs?: number): Promise<Ack>;
  acks: Ack[];
  events: SocketEvent[];
  /** Resolves once a connection has had its `hello` after `since` (performance-free: Date.now ms). */
  connected(since?: number, timeoutMs?: number): Promise<SocketEvent>;
  /** Asks the open socket to reconnect, as Slack does every few hours. */
  refresh(): void;
  /** Drops the open socket without a word (a network failure). */
  drop(): void;
  /** How many times `apps.connections.open` was answered with a URL. */
  opened: number;
  close(): Promise<void>;
}

export async function createFakeSocketMode(options: {
  appToken: string;
  pingEveryMs?: number;
}): Promise<FakeSocketMode> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const { port } = wss.address() as AddressInfo;
  const envelopes = new Map<string, Envelope & { sentAt: number }>();
  const pending: string[] = [];
  const acks: Ack[] = [];
  const events: SocketEvent[] = [];
  const waiters = new Set<() => void>();
  const tickets = new Set<string>();
  let socket: WebSocket | undefined;
  let connection = 0;
  let opened = 0;
  const notify = () => {
    for (const wake of [...waiters]) wake();
  };
  const record = (kind: SocketEvent['kind']) => {
    events.push({ kind, at: Date.now(), connection });
    notify();
  };

  function deliver(id: string): void {
    const envelope = envelopes.get(id)!;
    if (!socket || socket.readyState !== socket.OPEN) {
      if (!pending.includes(id)) pending.push(id);
      return;
    }
    envelope.sentAt = Date.now();
    const { sentAt: _sentAt, ...wire } = envelope;
    socket.send(JSON.stringify(wire));
  }

  wss.on('connection', (ws, request) => {
    const ticket = new URL(request.url ?? '/', 'ws://x').searchParams.get('ticket') ?? '';
    if (!tickets.delete(ticket)) {
      ws.close(4001, 'invalid ticket');
      return;
    }
    // One socket at a time, as the tests use it: a new one replaces the old (Slack overlaps them briefly).
    socket?.terminate();
    socket = ws;
    connection += 1;
    record('open');
    const pinger = setInterval(() => ws.ping(), options.pingEveryMs ?? 5_000);
    ws.on('message', (data) => {
      let message: { envelope_id?: unknown; payload?: unknown };
      try {
        message = JSON.parse(String(data)) as typeof message;
      } catch {
        return;
      }
      if (typeof message.envelope_id !== 'string') return;
      const envelope = envelopes.get(message.envelope_id);
      acks.push({
        envelopeId: message.envelope_id,
        payload: message.payload,
        at: Date.now(),
        sentAt: envelope?.sentAt ?? 0,
      });
      notify();
    });
    ws.on('close', () => {
      clearInterval(pinger);
      if (socket === ws) socket = undefined;
      record('close');
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'fake', approximate_connection_time: 18060 },
        connection_info: { app_id: 'A1' },
      }),
    );
    record('hello');
    // What was sent while no socket was open, then what was sent and never acked: Slack tries again.
    const acked = new Set(acks.map((a) => a.envelopeId));
    const again = [...envelopes.values()].filter(
      (e) => !acked.has(e.envelope_id) && !pending.includes(e.envelope_id) && e.sentAt > 0,
    );
    for (const id of pending.splice(0)) deliver(id);
    for (const envelope of again) {
      envelope.retry_attempt += 1;
      envelope.retry_reason = 'timeout';
      deliver(envelope.envelope_id);
    }
  });

  function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value === undefined) return;
        done();
        resolve(value);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`fake Socket Mode: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  }

  const fake: FakeSocketMode = {
    connectionsOpen(token) {
      if (token !== options.appToken) return { ok: false, error: 'invalid_auth' };
      opened += 1;
      fake.opened = opened;
      const ticket = randomUUID();
      tickets.add(ticket);
      return { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=${ticket}` };
    },
    send(type, payload, sendOptions = {}) {
      const id = randomUUID();
      const attempt = sendOptions.retryAttempt ?? 0;
      envelopes.set(id, {
        envelope_id: id,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        retry_attempt: attempt,
        retry_reason: attempt > 0 ? 'timeout' : '',
        sentAt: 0,
      });
      deliver(id);
      return id;
    },
    redeliver(envelopeId) {
      const original = envelopes.get(envelopeId);
      if (!original) throw new Error(`no envelope ${envelopeId}`);
      return fake.send(original.type, original.payload, { retryAttempt: original.retry_attempt + 1 });
    },
    ack(envelopeId, withinMs = 3_000) {
      return waitFor(() => acks.find((a) => a.envelopeId === envelopeId), `ack of ${envelopeId}`, withinMs);
    },
    acks,
    events,
    connected(since = 0, timeoutMs = 30_000) {
      return waitFor(() => events.find((e) => e.kind === 'hello' && e.at >= since), 'hello', timeoutMs);
    },
    refresh() {
      if (!socket) throw new Error('no socket open');
      record('refresh');
      socket.send(
        JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'fake' } }),
      );
    },
    drop() {
      if (!socket) throw new Error('no socket open');
      record('drop');
      socket.terminate();
    },
    opened: 0,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
  return fake;
}
