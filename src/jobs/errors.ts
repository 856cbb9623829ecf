import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { YeastarApiError, YeastarAuthError } from '../yeastar/errors.js';

/**
 * Which failures a retry can fix. BullMQ retries every thrown error with backoff; what no retry can fix
 * (a refused credential, a 4xx the API will answer the same way, a Slack channel that does not exist) is
 * turned into `UnrecoverableError` so the job fails at once instead of burning its attempts.
 */

/** Slack errors that mean the request itself, the token or the channel is wrong: retrying won't help. */
const SLACK_FATAL = new Set([
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

export function isYeastarUnrecoverable(error: unknown): boolean {
  if (error instanceof YeastarAuthError) return true;
  if (error instanceof YeastarApiError) {
    return !error.isTokenError && !error.retryable && error.status >= 400 && error.status < 500;
  }
  return false;
}

type SlackErrorShape = { code?: unknown; data?: { error?: unknown }; retryAfter?: unknown };

/** The `error` of a Slack platform error (`{ok:false, error}`), when it is one. */
export function slackErrorCode(error: unknown): string | undefined {
  const e = error as SlackErrorShape | null;
  if (e && e.code === 'slack_webapi_platform_error' && typeof e.data?.error === 'string') return e.data.error;
  return undefined;
}

/** Seconds Slack asked us to wait (HTTP 429), when this is a rate-limit error. */
export function slackRetryAfter(error: unknown): number | undefined {
  const e = error as SlackErrorShape | null;
  if (e && e.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number')
    return e.retryAfter;
  return undefined;
}

export function isSlackUnrecoverable(error: unknown): boolean {
  const code = slackErrorCode(error);
  return code !== undefined && SLACK_FATAL.has(code);
}

/** Wraps an error no retry can fix, keeping its message (which never carries a token). */
export function unrecoverable(error: unknown): UnrecoverableError {
  const wrapped = new UnrecoverableError(error instanceof Error ? error.message : String(error));
  wrapped.cause = error;
  return wrapped;
}

/**
 * Whether this attempt is the job's last: an unrecoverable error, or no attempts left. Runs inside the
 * processor, before BullMQ counts the failure (`attemptsMade` counts earlier failed attempts).
 */
export function isFinalFailure(job: Job, error: unknown): boolean {
  if (error instanceof DelayedError) return false;
  if (error instanceof UnrecoverableError) return true;
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
