import { afterAll, describe, expect, it } from 'vitest';
import { type CliProcess, expectShortStderr, nonBlankLines, spawnCli } from '../helpers/cli-process.js';

/**
 * Bad settings as an operator meets them: the real CLI in a process of its own stops before it does
 * anything, with one line per bad variable on stderr (all of them, not the first), exit code 1, no stack.
 * Nothing here reaches Redis, the API or Slack: the settings are refused first.
 */

const running: CliProcess[] = [];

afterAll(() => {
  for (const p of running)
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});

const REQUIRED = {
  YEASTAR_CLIENT_ID: 'id',
  YEASTAR_CLIENT_SECRET: 'secret',
  SLACK_BOT_TOKEN: 'xoxb-test',
  SLACK_SIGNING_SECRET: 'signing',
  SLACK_ALERT_CHANNEL: 'C0ALERTS',
};

describe('two bad settings', () => {
  it.each(['check', 'start'])('npm run %s: two lines, one per variable, and exit 1', async (command) => {
    const proc = spawnCli(command, {
      PORT: 'http',
      POLL_CRON: '0 25 * * *',
      // Unreachable on purpose: were the settings taken, the command would fail later and differently.
      REDIS_URL: 'redis://127.0.0.1:1',
      YEASTAR_BASE_URL: 'http://127.0.0.1:1',
      ...REQUIRED,
    });
    running.push(proc);
    const { code } = await proc.exited;
    expect(code).toBe(1);
    const lines = nonBlankLines(proc.stderr());
    expect(lines).toEqual([
      'Invalid setting PORT: expected a TCP port from 0 to 65535',
      expect.stringMatching(/^Invalid setting POLL_CRON: expected a cron pattern .*got value 25/),
    ]);
    expectShortStderr(proc.stderr(), 2);
    expect(proc.stdout()).toBe('');
  });
});

describe('a bad setting and missing ones', () => {
  it('npm run check: the bad one and every missing one, in one go', async () => {
    const { YEASTAR_CLIENT_SECRET: _secret, SLACK_ALERT_CHANNEL: _channel, ...some } = REQUIRED;
    const proc = spawnCli('check', { PORT: 'http', REDIS_URL: 'redis://127.0.0.1:1', ...some });
    running.push(proc);
    const { code } = await proc.exited;
    expect(code).toBe(1);
    const lines = nonBlankLines(proc.stderr());
    expect(lines).toEqual([
      'Invalid setting PORT: expected a TCP port from 0 to 65535',
      'Invalid setting YEASTAR_CLIENT_SECRET: expected a value (it is required here and was empty or unset)',
      'Invalid setting SLACK_ALERT_CHANNEL: expected a value (it is required here and was empty or unset)',
    ]);
  });
});
