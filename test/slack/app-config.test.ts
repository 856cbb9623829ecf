import { App } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertStore } from '../../src/alerts/alert-store.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createSlackApp } from '../../src/slack/app.js';
import type { YeastarClient } from '../../src/yeastar/types.js';
import { redisFixture } from '../helpers/redis.js';

/** Which settings each receiver needs; the app is built, not started (Socket Mode would dial Slack). */

let fixture: Awaited<ReturnType<typeof redisFixture>>;
beforeAll(async () => {
  fixture = await redisFixture('slack-config');
});
afterAll(async () => {
  await fixture.close();
});

function build(env: Record<string, string>) {
  const config = loadConfig({ QUEUE_PREFIX: fixture.prefix, SLACK_BOT_TOKEN: 'xoxb-config-test', ...env });
  return createSlackApp({
    config,
    store: createAlertStore({ redis: fixture.redis, prefix: fixture.prefix }),
    client: {} as YeastarClient,
    redis: fixture.redis,
    logger: silentLogger(),
  });
}

describe('createSlackApp settings', () => {
  it('HTTP mode needs the signing secret and says which setting is missing', () => {
    expect(() => build({})).toThrow(ConfigError);
    expect(() => build({})).toThrow(/SLACK_SIGNING_SECRET/);
  });

  it('Socket Mode (SLACK_APP_TOKEN set) needs no signing secret', () => {
    const built = build({ SLACK_APP_TOKEN: 'xapp-1-config-test' });
    expect(built.app).toBeInstanceOf(App);
  });

  it('needs a bot token either way', () => {
    expect(() =>
      createSlackApp({
        config: loadConfig({ QUEUE_PREFIX: fixture.prefix, SLACK_SIGNING_SECRET: 's' }),
        store: createAlertStore({ redis: fixture.redis, prefix: fixture.prefix }),
        client: {} as YeastarClient,
        redis: fixture.redis,
        logger: silentLogger(),
      }),
    ).toThrow(/SLACK_BOT_TOKEN/);
  });
});
