import type { Logger } from '../logger.js';
import { SlackPlatformError } from './api-errors.js';
import type { SlackWebClient } from './web-client.js';

/**
 * Slack as the bot's second record: every message the bot posts carries a post id in its metadata, so
 * a post whose answer never arrived (a crash, a timeout, a 5xx after Slack took it) can be found in the
 * channel's history and adopted instead of posted twice. Needs `channels:history` and `groups:history`;
 * without them (`missing_scope`) it says so once and finds nothing, which is the bot's behaviour before
 * (post again: at least once).
 */

/** What a message's metadata must carry to be found: its post id in `event_payload.postId`. */
export type HistoryMessage = {
  ts: string;
  thread_ts?: string;
  reply_count?: number;
  metadata?: unknown;
  text?: string;
};

export type HistoryPage = { messages: HistoryMessage[]; nextCursor: string | undefined };

export type SlackHistory = {
  /** One cheap call at start: warns when the token lacks the history scopes. */
  probe(channel: string): Promise<boolean>;
  /** False once Slack said `missing_scope`. */
  available(): boolean;
  /**
   * The ts of the message carrying `postId` in `channel` (in the thread of `threadTs` when given), posted
   * at or after `sinceMs` (minus a margin for clock skew); null when it is not there.
   */
  findPost(channel: string, postId: string, sinceMs: number, threadTs?: string): Promise<string | null>;
  /**
   * One page (metadata included) of `channel`'s top-level messages since `sinceMs`, newest first, or of
   * the thread of `threadTs`, oldest first; null without the history scopes. Errors as thrown (429 …).
   */
  page(
    channel: string,
    sinceMs: number,
    options?: { threadTs?: string; cursor?: string },
  ): Promise<HistoryPage | null>;
};

/** The bot's clock and Slack's may differ by a little; a post is searched from this much earlier. */
const SKEW_MARGIN_MS = 10 * 60_000;
const PAGE_SIZE = 200;
/** A search reads at most this many pages (the post, if any, is among the newest). */
const SEARCH_PAGES = 10;

export const HISTORY_SCOPE_WARNING =
  'Slack history scopes missing (channels:history, groups:history): a post whose answer was lost is posted again (at least once, not exactly once), and a wiped Redis cannot be rebuilt from Slack';

export function postIdOf(message: { metadata?: unknown }): string | undefined {
  const payload = (message.metadata as { event_payload?: { postId?: unknown } } | undefined)?.event_payload;
  return typeof payload?.postId === 'string' ? payload.postId : undefined;
}

function oldestOf(sinceMs: number): string {
  return (Math.max(0, sinceMs - SKEW_MARGIN_MS) / 1000).toFixed(6);
}

export function createSlackHistory(deps: { slack: SlackWebClient; logger: Logger }): SlackHistory {
  const { slack, logger } = deps;
  let missingScope = false;

  function noted(error: unknown): boolean {
    if (error instanceof SlackPlatformError && error.code === 'missing_scope') {
      if (!missingScope) logger.warn(HISTORY_SCOPE_WARNING);
      missingScope = true;
      return true;
    }
    return false;
  }

  async function page(
    channel: string,
    sinceMs: number,
    options: { threadTs?: string; cursor?: string } = {},
  ): Promise<HistoryPage | null> {
    if (missingScope) return null;
    const { threadTs, cursor } = options;
    const args = {
      channel,
      oldest: oldestOf(sinceMs),
      limit: PAGE_SIZE,
      include_all_metadata: true,
      ...(cursor ? { cursor } : {}),
    };
    let answer: { messages?: Array<Partial<HistoryMessage>>; response_metadata?: { next_cursor?: string } };
    try {
      answer = threadTs
        ? await slack.conversations.replies({ ...args, ts: threadTs })
        : await slack.conversations.history(args);
    } catch (error) {
      if (noted(error)) return null;
      throw error;
    }
    return {
      messages: (answer.messages ?? []).filter((m): m is HistoryMessage => typeof m.ts === 'string'),
      nextCursor: answer.response_metadata?.next_cursor || undefined,
    };
  }

  return {
    async probe(channel) {
      try {
        await slack.conversations.history({ channel, limit: 1, include_all_metadata: true });
        return true;
      } catch (error) {
        if (noted(error)) return false;
        // Anything else (no such channel, Slack down) is not about scopes: the posts will say more.
        logger.warn({ err: error, channel }, 'could not read the alert channel’s history at start');
        return !missingScope;
      }
    },
    available: () => !missingScope,
    async findPost(channel, postId, sinceMs, threadTs) {
      let cursor: string | undefined;
      for (let n = 0; n < SEARCH_PAGES; n++) {
        const found = await page(channel, sinceMs, {
          ...(threadTs ? { threadTs } : {}),
          ...(cursor ? { cursor } : {}),
        });
        const match = found?.messages.find((m) => postIdOf(m) === postId);
        if (match) return match.ts;
        cursor = found?.nextCursor;
        if (!cursor) return null;
      }
      return null;
    },
    page,
  };
}
