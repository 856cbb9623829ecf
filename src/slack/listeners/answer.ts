import type { RespondFn } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import { type Reply, textReply } from '../replies.js';

/** What a failure may say to a log line: its kind, never its stack or a response body. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Slack's error code from a Web API failure, or the error's kind. */
export function slackErrorName(error: unknown): string {
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === 'string' ? data.error : error instanceof Error ? error.name : 'error';
}

export type Answerer = {
  /** An ephemeral answer through `response_url`; a failure to answer is logged, not thrown. */
  send(respond: RespondFn | undefined, reply: Reply, replaceOriginal?: boolean): Promise<void>;
  /** Runs a listener's work; whatever fails, the user gets one plain line and the log gets the reason. */
  guarded(what: string, respond: RespondFn | undefined, work: () => Promise<void>): Promise<void>;
};

export function createAnswerer(logger: Logger): Answerer {
  async function send(respond: RespondFn | undefined, reply: Reply, replaceOriginal = false) {
    if (!respond) return;
    try {
      await respond({
        response_type: 'ephemeral',
        replace_original: replaceOriginal,
        text: reply.text,
        blocks: reply.blocks,
      });
    } catch (error) {
      // Only the message: an HTTP client's error carries the request body, which may hold a code.
      logger.warn({ err: (error as Error).message }, 'answer to response_url failed');
    }
  }

  async function guarded(what: string, respond: RespondFn | undefined, work: () => Promise<void>) {
    try {
      await work();
    } catch (error) {
      logger.error({ err: errorText(error), what }, 'slack handler failed');
      await send(
        respond,
        textReply(':warning: Something went wrong on our side; it has been logged. Try again in a minute.'),
      );
    }
  }

  return { send, guarded };
}
