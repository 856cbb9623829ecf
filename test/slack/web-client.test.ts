import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeSlack, type FakeSlack } from '../../sim/fake-slack.js';
import { silentLogger } from '../../src/logger.js';
import {
  SlackApiError,
  SlackPlatformError,
  SlackRateLimitError,
  SlackTransportError,
} from '../../src/slack/api-errors.js';
import { createSlackWebClient, type SlackWebClient } from '../../src/slack/web-client.js';

/** The pipeline's Web API client throws the SlackApiError family, carrying what the notify jobs act on. */

describe('Slack Web API errors', () => {
  let slack: FakeSlack;
  let client: SlackWebClient;
  beforeEach(async () => {
    slack = await createFakeSlack();
    client = createSlackWebClient({ token: 'xoxb-test', apiUrl: slack.url, logger: silentLogger() });
  });
  afterEach(() => slack.close());

  it("names the method and Slack's error, and says whether a retry can help", async () => {
    const gone = await client.chat.update({ channel: 'C0000001', ts: '1.2', text: 'x' }).catch((e) => e);
    expect(gone).toBeInstanceOf(SlackPlatformError);
    expect(gone).toMatchObject({ method: 'chat.update', code: 'message_not_found', retryable: true });

    slack.errorNext(1, 'channel_not_found', 'chat.postMessage');
    const refused = await client.chat.postMessage({ channel: 'C0000001', text: 'x' }).catch((e) => e);
    expect(refused).toBeInstanceOf(SlackApiError);
    expect(refused).toMatchObject({
      method: 'chat.postMessage',
      code: 'channel_not_found',
      retryable: false,
    });
    expect(refused.message).toBe('chat.postMessage failed: channel_not_found');
  });

  it('carries Retry-After on a 429 and the status of an HTTP error', async () => {
    slack.rateLimitNext(1, 3, 'chat.postMessage');
    const limited = await client.chat.postMessage({ channel: 'C0000001', text: 'x' }).catch((e) => e);
    expect(limited).toBeInstanceOf(SlackRateLimitError);
    expect(limited).toMatchObject({
      method: 'chat.postMessage',
      status: 429,
      retryAfter: 3,
      retryable: true,
    });

    slack.failNext(1, 503);
    const failed = await client.chat.postMessage({ channel: 'C0000001', text: 'x' }).catch((e) => e);
    expect(failed).toBeInstanceOf(SlackTransportError);
    expect(failed).toMatchObject({
      method: 'chat.postMessage',
      code: 'http_error',
      status: 503,
      retryable: true,
    });
  });
});
