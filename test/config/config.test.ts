import { describe, expect, it } from 'vitest';
import {
  CONFIG_VARIABLES,
  ConfigError,
  loadConfig,
  longestPollGapMs,
  parseDuration,
  requireSettings,
} from '../../src/config.js';

describe('loadConfig', () => {
  it('gives the documented defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.yeastar.baseUrl).toBe('https://openapi.partner.yeastar.com');
    expect(config.yeastar.userAgent).toBe('OpenAPI');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.slack.apiUrl).toBe('https://slack.com/api/');
    expect(config.port).toBe(3000);
    expect(config.alertDays).toEqual([30, 14, 7, 3, 1]);
    expect(config.pollEveryMs).toBe(3_600_000);
    expect(config.pollCron).toBeUndefined();
    expect(config.slack.activationAllowedUsers).toEqual([]);
    expect(config.digestOver).toBe(10);
    expect(config.timeZone).toBe('UTC');
    expect(config.queuePrefix).toBe('yeastar');
    expect(config.logLevel).toBe('info');
    expect(config.simPort).toBe(4010);
  });

  it('is frozen, nested objects included', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.slack)).toBe(true);
    expect(Object.isFrozen(config.alertDays)).toBe(true);
  });

  it('reads every setting', () => {
    const config = loadConfig({
      YEASTAR_BASE_URL: 'http://127.0.0.1:4010/',
      YEASTAR_CLIENT_ID: 'id',
      YEASTAR_CLIENT_SECRET: 'secret',
      ALERT_DAYS: '7, 60,1,7',
      POLL_EVERY: '15m',
      POLL_CRON: '0 8 * * 1-5',
      ACTIVATION_ALLOWED_USERS: 'U012ABC, W0XYZ12',
      SLACK_ALERT_CHANNEL: 'C0123ABC',
      SLACK_API_URL: 'http://127.0.0.1:9999/api',
      TZ: 'Europe/Berlin',
      QUEUE_PREFIX: '{yeastar}',
      LOG_LEVEL: 'debug',
    });
    expect(config.yeastar.baseUrl).toBe('http://127.0.0.1:4010');
    expect(config.alertDays).toEqual([60, 7, 1]);
    expect(config.pollEveryMs).toBe(900_000);
    expect(config.pollCron).toBe('0 8 * * 1-5');
    expect(config.slack.activationAllowedUsers).toEqual(['U012ABC', 'W0XYZ12']);
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:9999/api/');
    expect(config.timeZone).toBe('Europe/Berlin');
    expect(config.queuePrefix).toBe('{yeastar}');
  });

  it.each([
    ['PORT', 'http', /Invalid setting PORT: expected a TCP port/],
    ['ALERT_DAYS', '30,abc', /Invalid setting ALERT_DAYS: expected a comma-separated list/],
    ['POLL_EVERY', 'hourly', /Invalid setting POLL_EVERY: expected a duration/],
    ['TZ', 'Mars/Olympus', /Invalid setting TZ: expected an IANA time zone/],
    ['REDIS_URL', 'localhost:6379', /Invalid setting REDIS_URL: expected/],
    ['LOG_LEVEL', 'verbose', /Invalid setting LOG_LEVEL: expected one of debug, info, warn, error/],
    ['SLACK_ALERT_CHANNEL', '#renewals', /expected a Slack channel ID/],
    ['ACTIVATION_ALLOWED_USERS', 'alice', /expected a comma-separated list of Slack user IDs/],
    ['DIGEST_OVER', '0', /Invalid setting DIGEST_OVER/],
    ['POLL_CRON', 'every day', /Invalid setting POLL_CRON: expected a cron pattern/],
  ])('fails on a malformed %s with one line naming it', (name, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('never echoes a secret back', () => {
    const secret = 'not-a-token-but-very-secret';
    expect(() => loadConfig({ SLACK_BOT_TOKEN: secret })).toThrow(
      /SLACK_BOT_TOKEN: expected a bot token starting with xoxb-/,
    );
    try {
      loadConfig({ SLACK_BOT_TOKEN: secret });
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it('requireSettings names the first missing variable', () => {
    const config = loadConfig({ YEASTAR_CLIENT_ID: 'id' });
    expect(() => requireSettings(config, ['YEASTAR_CLIENT_ID', 'YEASTAR_CLIENT_SECRET'])).toThrow(
      /Invalid setting YEASTAR_CLIENT_SECRET: expected a value/,
    );
  });

  it('lists its variables once each', () => {
    expect(new Set(CONFIG_VARIABLES).size).toBe(CONFIG_VARIABLES.length);
    expect(CONFIG_VARIABLES).toContain('YEASTAR_CLIENT_SECRET');
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['1500', 1500],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each(['', 'h', '0s', '-1m', '1w', '1 hour'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('longestPollGapMs', () => {
  it('is POLL_EVERY without a cron pattern', () => {
    expect(longestPollGapMs(loadConfig({ POLL_EVERY: '15m' }))).toBe(900_000);
  });
  it('is the weekend gap of a weekday-only cron pattern', () => {
    const config = loadConfig({ POLL_CRON: '0 8 * * 1-5', TZ: 'Europe/Berlin' });
    expect(longestPollGapMs(config, Date.UTC(2026, 10, 24))).toBe(3 * 86_400_000);
  });
});
