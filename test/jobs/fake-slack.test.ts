import { LogLevel, WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeSlack, type FakeSlack } from '../../sim/fake-slack.js';

describe('fake Slack Web API', () => {
  let slack: FakeSlack;
  let web: WebClient;
  beforeEach(async () => {
    slack = await createFakeSlack();
    web = new WebClient('xoxb-test', {
      slackApiUrl: slack.url,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
      logLevel: LogLevel.ERROR,
    });
  });
  afterEach(() => slack.close());

  it('posts, threads and updates messages, decoding blocks and metadata', async () => {
    const metadata = { event_type: 'yeastar_renewal_alert', event_payload: { alertKey: '13:SN1' } };
    const posted = await web.chat.postMessage({
      channel: 'C123',
      text: 'hello',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }],
      metadata,
    });
    expect(posted.ok).toBe(true);
    expect(posted.ts).toMatch(/^\d+\.\d{6}$/);
    await web.chat.postMessage({ channel: 'C123', text: 'reply', thread_ts: posted.ts! });
    await web.chat.update({ channel: 'C123', ts: posted.ts!, text: 'changed' });

    const [top, reply] = slack.messages('C123');
    expect(top).toMatchObject({ ts: posted.ts, text: 'changed', metadata });
    expect(top?.blocks).toHaveLength(1);
    expect(reply).toMatchObject({ thread_ts: posted.ts, text: 'reply' });
    expect(slack.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.postMessage', 'chat.update']);
    expect(slack.calls[0]?.token).toBe('xoxb-test');
  });

  it('answers errors as Slack does', async () => {
    await expect(web.chat.update({ channel: 'C123', ts: '1.000001', text: 'x' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
    await expect(web.chat.postMessage({ channel: 'nope', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    const anonymous = new WebClient(undefined, {
      slackApiUrl: slack.url,
      retryConfig: { retries: 0 },
      logLevel: LogLevel.ERROR,
    });
    await expect(anonymous.auth.test()).rejects.toMatchObject({ data: { error: 'not_authed' } });
    expect(await web.auth.test()).toMatchObject({ ok: true, user_id: 'UBOT', team_id: 'T1', bot_id: 'B1' });
  });

  it('injects 429 with Retry-After and 5xx for the next calls of a method', async () => {
    slack.rateLimitNext(1, 3, 'chat.postMessage');
    slack.failNext(1, 503);
    await expect(web.chat.postMessage({ channel: 'C1', text: 'a' })).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 3,
    });
    await expect(web.auth.test()).rejects.toMatchObject({ code: 'slack_webapi_http_error', statusCode: 503 });
    await web.chat.postMessage({ channel: 'C1', text: 'b' });
    expect(slack.messages().map((m) => m.text)).toEqual(['b']);
  });

  it('records posts to a response_url', async () => {
    const url = slack.responseUrl('abc');
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', text: 'done' }),
    });
    expect(res.status).toBe(200);
    expect(slack.responses).toEqual([
      { url, body: { response_type: 'ephemeral', text: 'done' }, at: expect.any(Number) },
    ]);
  });
});
