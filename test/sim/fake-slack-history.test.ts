import { LogLevel, WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeSlack, type FakeSlack } from '../../sim/fake-slack.js';

describe('fake Slack: conversations.history and conversations.replies', () => {
  let slack: FakeSlack;
  let web: WebClient;
  beforeEach(async () => {
    slack = await createFakeSlack();
    web = new WebClient('xoxb-test', {
      slackApiUrl: slack.url,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
      logLevel: LogLevel.ERROR,
      timeout: 2_000,
    });
  });
  afterEach(() => slack.close());

  const meta = (n: number) => ({ event_type: 'yeastar_renewal_alert', event_payload: { postId: `p${n}` } });

  async function postMany(n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const posted = await web.chat.postMessage({ channel: 'C1', text: `m${i}`, metadata: meta(i) });
      out.push(posted.ts!);
    }
    return out;
  }

  it('pages a channel newest first with a cursor, top-level only, metadata only when asked', async () => {
    const ts = await postMany(5);
    await web.chat.postMessage({ channel: 'C1', text: 'reply', thread_ts: ts[0]! });
    await web.chat.postMessage({ channel: 'C2', text: 'elsewhere' });

    const first = await web.conversations.history({ channel: 'C1', limit: 2, include_all_metadata: true });
    expect(first.messages?.map((m) => m.text)).toEqual(['m4', 'm3']);
    expect(first.has_more).toBe(true);
    expect(first.messages?.[0]?.metadata).toEqual(meta(4));
    const seen = [...(first.messages ?? [])];
    let cursor = first.response_metadata?.next_cursor;
    while (cursor) {
      const next = await web.conversations.history({
        channel: 'C1',
        limit: 2,
        cursor,
        include_all_metadata: true,
      });
      seen.push(...(next.messages ?? []));
      cursor = next.response_metadata?.next_cursor;
    }
    expect(seen.map((m) => m.text)).toEqual(['m4', 'm3', 'm2', 'm1', 'm0']);
    expect(seen.at(-1)).toMatchObject({ reply_count: 1, thread_ts: ts[0] });

    const bare = await web.conversations.history({ channel: 'C1', limit: 1 });
    expect(bare.messages?.[0]?.metadata).toBeUndefined();
  });

  it('bounds history by oldest and latest, exclusive unless inclusive', async () => {
    const ts = await postMany(5);
    const between = await web.conversations.history({ channel: 'C1', oldest: ts[1], latest: ts[4] });
    expect(between.messages?.map((m) => m.text)).toEqual(['m3', 'm2']);
    const inclusive = await web.conversations.history({
      channel: 'C1',
      oldest: ts[1],
      latest: ts[4],
      inclusive: true,
    });
    expect(inclusive.messages?.map((m) => m.text)).toEqual(['m4', 'm3', 'm2', 'm1']);
  });

  it('returns a thread oldest first, parent on top, paged and bounded', async () => {
    const [parent] = await postMany(1);
    const replies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await web.chat.postMessage({
        channel: 'C1',
        text: `r${i}`,
        thread_ts: parent!,
        metadata: meta(10 + i),
      });
      replies.push(r.ts!);
    }
    const first = await web.conversations.replies({
      channel: 'C1',
      ts: parent!,
      limit: 2,
      include_all_metadata: true,
    });
    expect(first.messages?.map((m) => m.text)).toEqual(['m0', 'r0']);
    expect(first.messages?.[1]?.metadata).toEqual(meta(10));
    const rest = await web.conversations.replies({
      channel: 'C1',
      ts: parent!,
      limit: 2,
      cursor: first.response_metadata!.next_cursor!,
    });
    expect(rest.messages?.map((m) => m.text)).toEqual(['r1', 'r2']);
    expect(rest.response_metadata?.next_cursor).toBe('');
    const late = await web.conversations.replies({ channel: 'C1', ts: parent!, oldest: replies[1] });
    expect(late.messages?.map((m) => m.text)).toEqual(['m0', 'r2']);
    await expect(web.conversations.replies({ channel: 'C1', ts: '1.000999' })).rejects.toMatchObject({
      data: { error: 'thread_not_found' },
    });
  });

  it('accepts a post and then answers 500, or never answers: the post exists all the same', async () => {
    slack.acceptThenFail(1, { status: 500 }, 'chat.postMessage');
    await expect(web.chat.postMessage({ channel: 'C1', text: 'lost answer' })).rejects.toMatchObject({
      code: 'slack_webapi_http_error',
      statusCode: 500,
    });
    slack.acceptThenFail(1, { hangMs: 5_000 }, 'chat.postMessage');
    await expect(web.chat.postMessage({ channel: 'C1', text: 'timed out' })).rejects.toMatchObject({
      code: 'slack_webapi_request_error',
    });
    expect(slack.messages('C1').map((m) => m.text)).toEqual(['lost answer', 'timed out']);
    await web.chat.postMessage({ channel: 'C1', text: 'fine' });
    expect(slack.messages('C1')).toHaveLength(3);
  });

  it('answers missing_scope as Slack does for a token without the history scopes', async () => {
    slack.errorNext(Number.POSITIVE_INFINITY, 'missing_scope', 'conversations.history');
    await expect(web.conversations.history({ channel: 'C1' })).rejects.toMatchObject({
      data: { error: 'missing_scope' },
    });
    await expect(web.conversations.history({ channel: 'C1' })).rejects.toMatchObject({
      data: { error: 'missing_scope' },
    });
  });
});
