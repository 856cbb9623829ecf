import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeSlack, type FakeSlack } from '../../sim/fake-slack.js';
import { createFakeSocketMode, type FakeSocketMode } from '../../sim/fake-socket-mode.js';
import { createSimulator, type Simulator } from '../../sim/server.js';
import { actionPayload, commandBody, eventBody } from '../../sim/slack-sign.js';
import { ACTIONS_BLOCK_ID } from '../../src/alerts/render.js';
import { ACTION_IDS } from '../../src/alerts/types.js';
import { type CliProcess, spawnCli } from '../helpers/cli-process.js';
import { redisFixture, TEST_REDIS_URL } from '../helpers/redis.js';

const APP_TOKEN = 'xapp-1-A1-socket-test-token';
const CHANNEL = 'CSOCKET001';
const USER = 'USOCKET01';

/** Reconnect times measured here, printed at the end for the README and the closing note. */
const reconnects: Array<{ how: string; ms: number }> = [];

describe('npm start in Socket Mode against a local Socket Mode fake', () => {
  let sim: Simulator;
  let socket: FakeSocketMode;
  let slack: FakeSlack;
  let fixture: Awaited<ReturnType<typeof redisFixture>>;
  let bot: CliProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    sim = await createSimulator({ instances: 120, attention: 10, seed: 5 });
    socket = await createFakeSocketMode({ appToken: APP_TOKEN });
    slack = await createFakeSlack({ connectionsOpen: (token) => socket.connectionsOpen(token) });
    fixture = await redisFixture('socket');
    env = {
      YEASTAR_BASE_URL: sim.url,
      YEASTAR_CLIENT_ID: sim.credentials.clientId,
      YEASTAR_CLIENT_SECRET: sim.credentials.clientSecret,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: fixture.prefix,
      SLACK_BOT_TOKEN: 'xoxb-socket-test',
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_API_URL: slack.url,
      SLACK_ALERT_CHANNEL: CHANNEL,
      SLACK_POSTS_PER_SECOND: '50',
      SLACK_BURST: '50',
      ACTIVATION_ALLOWED_USERS: USER,
      PORT: '0',
      LOG_LEVEL: 'info',
    };
    bot = spawnCli('start', env, 170_000);
    await socket.connected(0, 60_000);
  }, 90_000);

  afterAll(async () => {
    if (bot && bot.child.exitCode === null) {
      bot.signal('SIGTERM');
      await bot.exited;
    }
    await socket?.close();
    await slack?.close();
    await sim?.close();
    await fixture?.close();
    if (reconnects.length) console.info(`socket mode reconnects: ${JSON.stringify(reconnects)}`);
  });

  async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value) return value;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}\n${bot.stdout()}${bot.stderr()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  const answersAt = (url: string) => slack.responses.filter((r) => r.url === url).map((r) => r.body);

  /** A `/yeastar` command as its slash_commands payload. */
  function command(text: string) {
    const responseUrl = slack.responseUrl();
    const payload = Object.fromEntries(new URLSearchParams(commandBody({ text, userId: USER, responseUrl })));
    return { responseUrl, payload };
  }

  /** Sends `/yeastar help` and waits for its one answer: the probe that a connection works end to end. */
  async function helpAnswered(): Promise<{ envelopeId: string; responseUrl: string }> {
    const { responseUrl, payload } = command('help');
    const envelopeId = socket.send('slash_commands', payload);
    await until(() => answersAt(responseUrl).length > 0, 'the answer to /yeastar help', 60_000);
    return { envelopeId, responseUrl };
  }

  it('a slash command is acked within 3 s and answered ephemerally; its redelivery is acked and not answered again', async () => {
    const { responseUrl, payload } = command('help');
    const envelopeId = socket.send('slash_commands', payload);
    await socket.ack(envelopeId, 3_000);
    await until(() => answersAt(responseUrl).length > 0, 'the answer');
    const answer = answersAt(responseUrl)[0] as { response_type?: string; text?: string; blocks?: unknown };
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toBe('Usage of /yeastar');
    expect(JSON.stringify(answer.blocks)).toContain('status <SN>');

    const again = socket.redeliver(envelopeId);
    await socket.ack(again, 3_000);
    await helpAnswered();
    // The repeat is handled beside the probe, not before it: wait for its line, then count the answers.
    await until(() => bot.stdout().includes('duplicate delivery from Slack ignored'), 'the repeat dropped');
    expect(answersAt(responseUrl)).toHaveLength(1);
  });

  it('a button (Acknowledge on an alert the first cycle posted) is acked and updates the message in place', async () => {
    // After the first cycle, so that what the click changes is all that changes.
    await bot.waitFor(/"msg":"cycle finished"/, 60_000);
    const alert = await until(
      () => slack.messages(CHANNEL).find((m) => m.thread_ts === undefined && m.metadata !== undefined),
      'an alert from the first cycle',
    );
    const alertKey = (alert.metadata as { event_payload: { alertKey: string } }).event_payload.alertKey;
    const before = slack.messages(CHANNEL).length;
    const envelopeId = socket.send(
      'interactive',
      actionPayload(
        USER,
        { action_id: ACTION_IDS.acknowledge, block_id: `${ACTIONS_BLOCK_ID}:${alertKey}`, value: alertKey },
        { kind: 'message', channel: CHANNEL, ts: alert.ts, responseUrl: slack.responseUrl() },
      ),
    );
    await socket.ack(envelopeId, 3_000);
    await until(
      () =>
        JSON.stringify(slack.messages(CHANNEL).find((m) => m.ts === alert.ts)?.blocks).includes(
          `Acknowledged by <@${USER}>`,
        ),
      'chat.update naming who acknowledged',
    );
    expect(slack.messages(CHANNEL)).toHaveLength(before);
  });

  it('a view submission and an events_api envelope (App Home opened) are acked; the Home tab is published', async () => {
    const submission = socket.send('interactive', {
      type: 'view_submission',
      team: { id: 'T1', domain: 'fake' },
      user: { id: USER, name: 'socket', team_id: 'T1' },
      api_app_id: 'A1',
      trigger_id: `trigger-view-${Date.now()}`,
      view: {
        id: 'VSOCKET1',
        type: 'modal',
        callback_id: 'yeastar_modal',
        private_metadata: '',
        state: { values: {} },
        hash: '1.abc',
      },
    });
    const ack = await socket.ack(submission, 3_000);
    // An empty ack closes the modal: no errors shown to the user.
    expect((ack.payload as { response_action?: string } | undefined)?.response_action).toBeUndefined();

    const event = JSON.parse(
      eventBody({ type: 'app_home_opened', user: USER, channel: 'D1', tab: 'home', event_ts: '1.1' }),
    );
    const eventEnvelope = socket.send('events_api', event);
    await socket.ack(eventEnvelope, 3_000);
    await until(() => slack.homeViews.get(USER), 'views.publish of the Home tab');
  });

  for (const how of ['refresh', 'drop'] as const) {
    it(`${how === 'refresh' ? 'a refresh (disconnect, refresh_requested)' : 'a dropped socket'} reconnects; the envelope sent meanwhile is handled once`, {
      timeout: 90_000,
    }, async () => {
      const opened = socket.opened;
      const start = Date.now();
      if (how === 'refresh') socket.refresh();
      else socket.drop();
      // Sent at once: on the closing socket or queued until the next one; either way answered once.
      const { responseUrl, payload } = command('help');
      const envelopeId = socket.send('slash_commands', payload);
      const hello = await socket.connected(start + 1, 60_000);
      reconnects.push({ how, ms: hello.at - start });
      expect(socket.opened).toBe(opened + 1);
      await until(
        () => socket.acks.some((a) => a.envelopeId === envelopeId || a.at >= hello.at),
        'an ack after reconnecting',
      );
      await until(
        () => answersAt(responseUrl).length > 0,
        'the answer to the command sent across the reconnect',
      );
      await helpAnswered();
      expect(answersAt(responseUrl)).toHaveLength(1);
    });
  }

  it('stops on SIGTERM with exit 0', async () => {
    bot.signal('SIGTERM');
    const { code } = await bot.exited;
    expect(code, bot.stderr()).toBe(0);
  });

  it('a wrong app token: one line naming SLACK_APP_TOKEN and invalid_auth, exit 1, the token never printed', {
    timeout: 60_000,
  }, async () => {
    const wrong = 'xapp-1-A1-wrong-token-0000';
    const refused = spawnCli('start', { ...env, SLACK_APP_TOKEN: wrong, LOG_LEVEL: 'warn' }, 50_000);
    const { code } = await refused.exited;
    expect(code).toBe(1);
    const lines = refused.stderr().trim().split('\n');
    expect(lines, refused.stderr()).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Slack refused SLACK_APP_TOKEN at http:\/\/127\.0\.0\.1:\d+\/api\/apps\.connections\.open \(invalid_auth\)/,
    );
    expect(refused.stdout() + refused.stderr()).not.toContain(wrong);
  });
});
