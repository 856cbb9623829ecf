/**
 * conversations.history and conversations.replies of the fake Slack, over its messages, as Slack answers
 * them: history is a channel's top-level messages newest first, replies a thread oldest first with its
 * parent on the first page; both bounded by `oldest`/`latest` (exclusive unless `inclusive`), paged by
 * `limit` and an opaque `cursor` (`response_metadata.next_cursor`, empty on the last page), and carry
 * each message's `metadata` only when asked with `include_all_metadata`.
 * https://docs.slack.dev/reference/methods/conversations.history
 */

export type StoredMessage = {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks: unknown[];
  metadata?: unknown;
};

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 999;
const CHANNEL_ID = /^[CDG][A-Z0-9]+$/;

function flag(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** Slack ts strings compare as numbers (seconds.micro). */
function tsNumber(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function limitOf(value: unknown): number {
  const n = tsNumber(value);
  if (n === null || n <= 0) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.floor(n));
}

function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64');
}

function decodeCursor(value: unknown): number | null {
  if (typeof value !== 'string' || value === '') return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(value, 'base64').toString('utf8'));
  return match ? Number(match[1]) : null;
}

function inBounds(ts: string, body: Record<string, unknown>): boolean {
  const n = Number(ts);
  const oldest = tsNumber(body.oldest);
  const latest = tsNumber(body.latest);
  const inclusive = flag(body.inclusive);
  if (oldest !== null && (inclusive ? n < oldest : n <= oldest)) return false;
  if (latest !== null && (inclusive ? n > latest : n >= latest)) return false;
  return true;
}

function wire(message: StoredMessage, withMetadata: boolean, replyCount?: number): Record<string, unknown> {
  return {
    type: 'message',
    user: 'UBOT',
    bot_id: 'B1',
    text: message.text,
    ts: message.ts,
    blocks: message.blocks,
    ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    ...(replyCount ? { thread_ts: message.ts, reply_count: replyCount } : {}),
    ...(withMetadata && message.metadata !== undefined ? { metadata: message.metadata } : {}),
  };
}

function page(list: Array<Record<string, unknown>>, body: Record<string, unknown>): Record<string, unknown> {
  const offset = decodeCursor(body.cursor);
  if (offset === null) return { ok: false, error: 'invalid_cursor' };
  const limit = limitOf(body.limit);
  const messages = list.slice(offset, offset + limit);
  const hasMore = offset + limit < list.length;
  return {
    ok: true,
    messages,
    has_more: hasMore,
    response_metadata: { next_cursor: hasMore ? encodeCursor(offset + limit) : '' },
  };
}

export function conversationsHistory(
  all: StoredMessage[],
  body: Record<string, unknown>,
): Record<string, unknown> {
  const channel = typeof body.channel === 'string' ? body.channel : '';
  if (!CHANNEL_ID.test(channel)) return { ok: false, error: 'channel_not_found' };
  const withMetadata = flag(body.include_all_metadata);
  const inChannel = all.filter((m) => m.channel === channel);
  const replyCounts = new Map<string, number>();
  for (const m of inChannel) {
    if (m.thread_ts) replyCounts.set(m.thread_ts, (replyCounts.get(m.thread_ts) ?? 0) + 1);
  }
  const top = inChannel
    .filter((m) => m.thread_ts === undefined && inBounds(m.ts, body))
    .sort((a, b) => Number(b.ts) - Number(a.ts))
    .map((m) => wire(m, withMetadata, replyCounts.get(m.ts)));
  return page(top, body);
}

export function conversationsReplies(
  all: StoredMessage[],
  body: Record<string, unknown>,
): Record<string, unknown> {
  const channel = typeof body.channel === 'string' ? body.channel : '';
  if (!CHANNEL_ID.test(channel)) return { ok: false, error: 'channel_not_found' };
  const ts = typeof body.ts === 'string' ? body.ts : '';
  const parent = all.find((m) => m.channel === channel && m.ts === ts && m.thread_ts === undefined);
  if (!parent) return { ok: false, error: 'thread_not_found' };
  const withMetadata = flag(body.include_all_metadata);
  const replies = all
    .filter((m) => m.channel === channel && m.thread_ts === ts && inBounds(m.ts, body))
    .sort((a, b) => Number(a.ts) - Number(b.ts));
  const list = [wire(parent, withMetadata, replies.length), ...replies.map((m) => wire(m, withMetadata))];
  return page(list, body);
}

export function answerConversations(
  method: 'conversations.history' | 'conversations.replies',
  all: StoredMessage[],
  body: Record<string, unknown>,
): Record<string, unknown> {
  return method === 'conversations.history'
    ? conversationsHistory(all, body)
    : conversationsReplies(all, body);
}
