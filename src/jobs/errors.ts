import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { YeastarApiError, YeastarAuthError } from '../yeastar/errors.js';

/**
 * Which failures a retry can fix. BullMQ retries every thrown error with backoff; what no retry can fix
 * (a refused credential, a 4xx the API will answer the same way, a Slack channel that does not exist:
 * `SlackApiError.retryable`) is turned into `UnrecoverableError` so the job fails at once instead of
 * burning its attempts.
 */

export function isYeastarUnrecoverable(error: unknown): boolean {
  if (error instanceof YeastarAuthError) return true;
  if (error instanceof YeastarApiError) {
    return !error.isTokenError && !error.retryable && error.status >= 400 && error.status < 500;
  }
  return false;
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
