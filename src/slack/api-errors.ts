import { ErrorCode } from '@slack/web-api';

/**
 * The Web API's error family, as the Yeastar client has its own (src/yeastar/errors.ts): every error
 * names the method it came from and carries Slack's `error` code, so callers test a class and a field
 * instead of matching strings. `slackApiErrorFrom` turns what @slack/web-api throws into one of these.
 */

/** Slack errors that mean the request itself, the token or the channel is wrong: retrying won't help. */
const UNRECOVERABLE = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'msg_too_long',
  'no_text',
  'invalid_arguments',
  'restricted_action',
  'cant_update_message',
  'edit_window_closed',
]);

export class SlackApiError extends Error {
  override name = 'SlackApiError';
  /** The Web API method, such as `chat.postMessage`. */
  readonly method: string;
  /** Slack's `error` (`channel_not_found`); `ratelimited`, `http_error` or `request_error` without one. */
  readonly code: string;
  /** The HTTP status, when the answer was not Slack's usual 200. */
  readonly status: number | undefined;
  /** Seconds Slack asked us to wait (HTTP 429 `Retry-After`), when it did. */
  readonly retryAfter: number | undefined;
  /** Whether the same call again may succeed (everything but a request, token or channel Slack refuses). */
  readonly retryable: boolean;

  constructor(
    message: string,
    options: {
      method: string;
      code: string;
      status?: number;
      retryAfter?: number;
      retryable: boolean;
      cause?: unknown;
    },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.method = options.method;
    this.code = options.code;
    this.status = options.status;
    this.retryAfter = options.retryAfter;
    this.retryable = options.retryable;
  }
}

/** Slack answered `{ ok: false, error }`. */
export class SlackPlatformError extends SlackApiError {
  override name = 'SlackPlatformError';

  constructor(method: string, code: string, cause?: unknown) {
    super(`${method} failed: ${code}`, { method, code, retryable: !UNRECOVERABLE.has(code), cause });
  }
}

/** HTTP 429: nothing in this workspace may call the method again before `retryAfter` seconds. */
export class SlackRateLimitError extends SlackApiError {
  override name = 'SlackRateLimitError';
  declare readonly retryAfter: number;

  constructor(method: string, retryAfter: number, cause?: unknown) {
    super(`${method} rate limited: retry after ${retryAfter} s`, {
      method,
      code: 'ratelimited',
      status: 429,
      retryAfter,
      retryable: true,
      cause,
    });
  }
}

/** No answer from Slack: an HTTP error without Slack's envelope, or the request never got through. */
export class SlackTransportError extends SlackApiError {
  override name = 'SlackTransportError';

  constructor(method: string, status: number | undefined, cause?: unknown) {
    const code = status === undefined ? 'request_error' : 'http_error';
    super(`${method} failed: ${status === undefined ? 'request error' : `HTTP ${status}`}`, {
      method,
      code,
      ...(status === undefined ? {} : { status }),
      retryable: true,
      cause,
    });
  }
}

type WebApiErrorShape = {
  code?: unknown;
  data?: { error?: unknown };
  retryAfter?: unknown;
  statusCode?: unknown;
};

/** What @slack/web-api threw for `method`, as our family; anything else (a bug) unchanged. */
export function slackApiErrorFrom(method: string, error: unknown): unknown {
  const e = error as WebApiErrorShape | null;
  switch (e?.code) {
    case ErrorCode.PlatformError:
      return new SlackPlatformError(
        method,
        typeof e.data?.error === 'string' ? e.data.error : 'unknown',
        error,
      );
    case ErrorCode.RateLimitedError:
      return typeof e.retryAfter === 'number'
        ? new SlackRateLimitError(method, e.retryAfter, error)
        : new SlackTransportError(method, 429, error);
    case ErrorCode.HTTPError:
      return new SlackTransportError(
        method,
        typeof e.statusCode === 'number' ? e.statusCode : undefined,
        error,
      );
    case ErrorCode.RequestError:
      return new SlackTransportError(method, undefined, error);
    default:
      return error;
  }
}
