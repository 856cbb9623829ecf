import { describe, expect, it } from 'vitest';
import { ConfigError, cronProblem, loadConfig, requireSettings } from '../../src/config.js';

/** Every bad setting at once, one line each, and POLL_CRON read by cron-parser at start. */

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig with several bad settings', () => {
  it('names every bad variable, one line each, in the order of the settings list', () => {
    const error = errorOf(() =>
      loadConfig({ PORT: 'http', POLL_CRON: '61 * * * *', DIGEST_OVER: '0', TZ: 'Europe/Berlin' }),
    );
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^Invalid setting PORT: expected a TCP port from 0 to 65535$/);
    expect(lines[1]).toMatch(/^Invalid setting POLL_CRON: expected a cron pattern .*61/);
    expect(lines[2]).toMatch(/^Invalid setting DIGEST_OVER: expected a whole number/);
    expect(error.problems.map((p) => p.variable)).toEqual(['PORT', 'POLL_CRON', 'DIGEST_OVER']);
    expect(error.variable).toBe('PORT');
  });

  it('gives a variable that fails two checks one line', () => {
    const error = errorOf(() => loadConfig({ YEASTAR_PAGE_SIZE: 'many', LOG_LEVEL: 'loud' }));
    expect(error.message.split('\n')).toEqual([
      'Invalid setting YEASTAR_PAGE_SIZE: expected a whole number of instances per page, at least 1',
      'Invalid setting LOG_LEVEL: expected one of debug, info, warn, error',
    ]);
  });

  it('echoes no secret back, however many lines', () => {
    const secret = 'not-a-token-but-very-secret';
    const error = errorOf(() => loadConfig({ SLACK_BOT_TOKEN: secret, SLACK_APP_TOKEN: secret, PORT: 'x' }));
    expect(error.message.split('\n')).toHaveLength(3);
    expect(error.message).not.toContain(secret);
  });
});

describe('POLL_CRON', () => {
  it.each([
    ['61 * * * *', /got value 61/],
    ['0 25 * * *', /got value 25/],
    ['0 8 31 2 *', /day of month/],
    ['*/0 * * * *', /cannot repeat at every 0/],
    ['0 8 * * mon-xyz', /POLL_CRON/],
    ['every day', /expected a cron pattern of 5 or 6 fields, such as 0 \* \* \* \*$/],
    ['* * * * * * *', /expected a cron pattern of 5 or 6 fields/],
  ])('%s is refused at start with the reason cron-parser gives', (pattern, reason) => {
    const error = errorOf(() => loadConfig({ POLL_CRON: pattern }));
    expect(error.variable).toBe('POLL_CRON');
    expect(error.message).toMatch(/^Invalid setting POLL_CRON: expected a cron pattern/);
    expect(error.message).toMatch(reason);
    expect(error.message).not.toContain('\n');
  });

  it.each(['0 8 * * 1-5', '*/15 * * * *', '0 0 8 * * 1', '30 6 1,15 * *', '0 9 * * MON'])(
    '%s is taken',
    (pattern) => {
      expect(cronProblem(pattern)).toBeUndefined();
      expect(loadConfig({ POLL_CRON: pattern }).pollCron).toBe(pattern);
    },
  );
});

describe('loadConfig with the settings a command requires', () => {
  it('reports the missing ones with the malformed ones, each variable once', () => {
    const error = errorOf(() =>
      loadConfig({ PORT: 'http', YEASTAR_CLIENT_ID: 'id' }, ['YEASTAR_CLIENT_ID', 'YEASTAR_CLIENT_SECRET']),
    );
    expect(error.message.split('\n')).toEqual([
      'Invalid setting PORT: expected a TCP port from 0 to 65535',
      'Invalid setting YEASTAR_CLIENT_SECRET: expected a value (it is required here and was empty or unset)',
    ]);
  });

  it('takes a config whose required settings are all there', () => {
    expect(loadConfig({ YEASTAR_CLIENT_ID: 'id' }, ['YEASTAR_CLIENT_ID']).yeastar.clientId).toBe('id');
  });
});

describe('requireSettings', () => {
  it('names every missing variable at once', () => {
    const config = loadConfig({ YEASTAR_CLIENT_ID: 'id' });
    const error = errorOf(() =>
      requireSettings(config, ['YEASTAR_CLIENT_ID', 'YEASTAR_CLIENT_SECRET', 'SLACK_BOT_TOKEN']),
    );
    expect(error.message.split('\n')).toEqual([
      'Invalid setting YEASTAR_CLIENT_SECRET: expected a value (it is required here and was empty or unset)',
      'Invalid setting SLACK_BOT_TOKEN: expected a value (it is required here and was empty or unset)',
    ]);
  });
});
