import { createHmac } from 'node:crypto';

/**
 * Requests exactly as Slack sends them, for the tests and the bench: form-encoded slash commands,
 * `payload=` JSON for interactions, JSON for events, each signed with HMAC-SHA256 over
 * `v0:{timestamp}:{raw body}`.
 */

export function slackSignature(secret: string, timestampSeconds: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`).digest('hex')}`;
}

export type SlackPost = {
  secret: string;
  /** Seconds; default now. */
  timestamp?: number;
  /** Overrides the computed signature (to send a bad one). */
  signature?: string;
  retryNum?: number;
};

export type SlackAnswer = { status: number; body: string };

export async function postToSlackApp(
  url: string,
  body: string,
  contentType: string,
  options: SlackPost,
): Promise<SlackAnswer> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': options.signature ?? slackSignature(options.secret, timestamp, body),
  };
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.text() };
}

let counter = 0;
function nextId(kind: string): string {
  counter += 1;
  return `${kind}${Date.now()}.${counter}`;
}

export function commandBody(fields: {
  text: string;
  userId: string;
  responseUrl: string;
  command?: string;
  triggerId?: string;
}): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T1',
    team_domain: 'fake',
    channel_id: 'CALERTS',
    channel_name: 'renewals',
    user_id: fields.userId,
    user_name: fields.userId.toLowerCase(),
    command: fields.command ?? '/yeastar',
    text: fields.text,
    api_app_id: 'A1',
    is_enterprise_install: 'false',
    response_url: fields.responseUrl,
    trigger_id: fields.triggerId ?? nextId('trigger'),
  }).toString();
}

export type ActionSource =
  | { kind: 'message'; channel: string; ts: string; responseUrl: string }
  | { kind: 'home'; viewId?: string };

/** A `block_actions` payload for one element; `action` gives action_id, block_id, value or selected_option. */
export function actionPayload(
  userId: string,
  action: Record<string, unknown>,
  source: ActionSource,
  triggerId = nextId('trigger'),
): Record<string, unknown> {
  const element = { type: 'button', action_ts: `${Date.now() / 1000}`, ...action };
  const base = {
    type: 'block_actions',
    user: { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy-verification-token',
    team: { id: 'T1', domain: 'fake' },
    trigger_id: triggerId,
    actions: [element],
    is_enterprise_install: false,
  };
  if (source.kind === 'message') {
    return {
      ...base,
      container: { type: 'message', message_ts: source.ts, channel_id: source.channel, is_ephemeral: false },
      channel: { id: source.channel, name: 'renewals' },
      message: { type: 'message', ts: source.ts, text: 'alert' },
      response_url: source.responseUrl,
    };
  }
  const viewId = source.viewId ?? 'VHOME';
  return {
    ...base,
    container: { type: 'view', view_id: viewId },
    view: { id: viewId, type: 'home', blocks: [], state: { values: {} } },
  };
}

export function actionBody(payload: Record<string, unknown>): string {
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export function eventBody(event: Record<string, unknown>, eventId = nextId('Ev')): string {
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: 'T1',
    api_app_id: 'A1',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
  });
}

export const FORM = 'application/x-www-form-urlencoded';
export const JSON_TYPE = 'application/json';
