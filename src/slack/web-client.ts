import {
  LogLevel,
  type Logger as SlackLogger,
  type WebAPICallResult,
  WebClient,
  type WebClientOptions,
} from '@slack/web-api';
import type { Logger } from '../logger.js';
import { slackApiErrorFrom } from './api-errors.js';

/**
 * The Web API client the pipeline posts with. Its own retries are off and rate-limited calls are
 * rejected, not queued: the notify jobs honour `Retry-After` themselves (a delayed job, not a worker
 * asleep) and BullMQ does the retrying, so a crash never loses a post that was waiting in memory.
 * Its errors are the `SlackApiError` family (api-errors.ts).
 */
export function createSlackWebClient(options: {
  token: string | undefined;
  apiUrl: string;
  logger: Logger;
  /** Told of every call and, for a failed one, its Slack error (metrics). */
  observe?: SlackCallObserver;
}): SlackWebClient {
  return new SlackWebClient(
    options.token,
    {
      slackApiUrl: options.apiUrl,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
      logger: slackLogger(options.logger),
    },
    options.observe,
  );
}

export type SlackCallObserver = (method: string, error?: string) => void;

/**
 * Every Web API method funnels through `apiCall`, bound when the client is built: overriding it in a
 * subclass is the one place that sees every call, and turns each failure into a `SlackApiError`.
 */
export class SlackWebClient extends WebClient {
  readonly #observe: SlackCallObserver | undefined;

  constructor(token: string | undefined, options: WebClientOptions, observe?: SlackCallObserver) {
    super(token, options);
    this.#observe = observe;
  }

  override async apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
    try {
      const result = await super.apiCall(method, options);
      this.#observe?.(method);
      return result;
    } catch (error) {
      const code =
        (error as { data?: { error?: string } }).data?.error ?? (error as { code?: string }).code ?? 'error';
      this.#observe?.(method, code);
      throw slackApiErrorFrom(method, error);
    }
  }
}

/** Slack's logger interface over ours, so its lines are redacted too; its warnings repeat what the jobs
 * report with more context, so they are demoted to debug. */
function slackLogger(logger: Logger): SlackLogger {
  let level = LogLevel.INFO;
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => logger.debug({ source: 'slack-web-api' }, text(msg)),
    info: (...msg) => logger.debug({ source: 'slack-web-api' }, text(msg)),
    warn: (...msg) => logger.debug({ source: 'slack-web-api' }, text(msg)),
    error: (...msg) => logger.warn({ source: 'slack-web-api' }, text(msg)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
