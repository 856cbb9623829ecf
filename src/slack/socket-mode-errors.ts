import { OperatorError } from '../operator-error.js';

/**
 * What `apps.connections.open` failing at start means to an operator. The Socket Mode client retries a
 * temporary failure by itself; it gives up (and Bolt's start rejects) on a refused token (invalid_auth,
 * not_authed, account_inactive, ...) or an HTTP or network failure, and then the bot cannot hear Slack at
 * all: one line naming the setting to fix, never the token.
 */
export function socketModeStartError(error: unknown, apiUrl: string): OperatorError {
  const e = error as { code?: unknown; data?: { error?: unknown }; message?: unknown } | null;
  const endpoint = `${apiUrl}apps.connections.open`;
  if (typeof e?.data?.error === 'string') {
    return new OperatorError(
      `Slack refused SLACK_APP_TOKEN at ${endpoint} (${e.data.error}): set it to the app-level token ` +
        '(xapp-…, scope connections:write) of this Slack app, or unset it for HTTP mode',
    );
  }
  const reason = typeof e?.message === 'string' ? e.message : String(error);
  return new OperatorError(
    `Socket Mode could not start: ${endpoint} failed (${reason}); check SLACK_API_URL`,
  );
}
