import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actionPayload, slackSignature } from '../../sim/slack-sign.js';
import { ACTIONS_BLOCK_ID } from '../../src/alerts/render.js';
import type { Evaluation } from '../../src/alerts/types.js';
import { ACTION_IDS } from '../../src/alerts/types.js';
import { auditKey } from '../../src/slack/audit.js';
import { evaluation as handMade } from '../alerts/state-fixtures.js';
import {
  ALLOWED,
  BOT_TOKEN,
  CHANNEL,
  createSlackWorld,
  DAY,
  NOW,
  OTHER,
  SECRET,
  type SlackWorld,
  waitFor,
} from './harness.js';

let world: SlackWorld;
/** Every activation code the test saw come back, to be looked for in the logs and the audit stream. */
const codesSeen = new Set<string>();

type Posted = { response_type?: string; replace_original?: boolean; text?: string; blocks?: unknown[] };

function responsesTo(url: string): Posted[] {
  return world.slack.responses.filter((r) => r.url === url).map((r) => r.body as Posted);
}

async function answerTo(url: string, what: string): Promise<Posted & { all: string }> {
  const body = await waitFor(() => responsesTo(url)[0], what);
  return { ...body, all: JSON.stringify(body) };
}

function updates() {
  return world.slack.calls.filter((c) => c.method === 'chat.update');
}

function messageOf(ref: { channel: string; ts: string }) {
  const message = world.slack.messages(ref.channel).find((m) => m.ts === ref.ts);
  if (!message) throw new Error('message missing from the fake');
  return { ...message, all: JSON.stringify(message.blocks) };
}

function actionIds(blocks: unknown[]): string[] {
  return blocks.flatMap((b) =>
    ((b as { elements?: Array<{ action_id?: string }> }).elements ?? []).map((e) => e.action_id ?? ''),
  );
}

async function activationCodeOf(sn: string): Promise<string> {
  const { code } = await world.client.getActivationCode(sn);
  codesSeen.add(code);
  return code;
}

/** Seeds `n` alerts in the store, decided as one cycle would. */
async function seed(evaluations: Evaluation[]): Promise<void> {
  await world.store.decide(`cycle-${evaluations[0]?.alertKey}`, 'test', evaluations, NOW);
}

beforeAll(async () => {
  world = await createSlackWorld({
    routes: [
      {
        path: '/metrics',
        method: 'GET',
        handler: (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('slack_test_metric 1\n');
        },
      },
    ],
  });
});

afterAll(async () => {
  await world?.close();
});

beforeEach(() => {
  world.slack.reset();
  world.sim.setFaults({ latencyMs: 0 });
});

describe('requests Slack did not sign', () => {
  it('rejects a bad signature and a stale timestamp with 401, reaching no handler', async () => {
    const bad = await world.command('help', ALLOWED, { signature: 'v0=deadbeef' });
    expect(bad.status).toBe(401);
    const wrongSecret = await world.command('help', ALLOWED, { secret: 'not-the-secret' });
    expect(wrongSecret.status).toBe(401);
    const stale = await world.command('help', ALLOWED, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    const good = await world.command('help', ALLOWED);
    expect(good.status).toBe(200);
    await answerTo(good.responseUrl, 'the signed request’s answer');
    // Only the signed request got an answer; the others never reached a listener.
    expect(world.slack.responses.map((r) => r.url)).toEqual([good.responseUrl]);
    expect(world.slack.calls).toEqual([]);
  });

  it('signs exactly as Slack does (helper check)', () => {
    expect(slackSignature('s', 1, 'b')).toMatch(/^v0=[0-9a-f]{64}$/);
  });

  it('serves /healthz and the routes it was given', async () => {
    const health = await fetch(`${world.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await fetch(`${world.baseUrl}/metrics`);
    expect(await metrics.text()).toContain('slack_test_metric 1');
  });
});

describe('/yeastar', () => {
  it('help and empty text answer with the usage, ephemerally', async () => {
    for (const text of ['help', '']) {
      const sent = await world.command(text, OTHER);
      expect(sent.status).toBe(200);
      const answer = await answerTo(sent.responseUrl, `usage for "${text}"`);
      expect(answer.response_type).toBe('ephemeral');
      expect(answer.all).toContain('status <SN>');
      expect(answer.all).toContain('expiring [days]');
    }
  });

  it('answers bad input with one clear line and the usage, never a stack trace', async () => {
    const cases: Array<[string, RegExp]> = [
      [`status ${'X'.repeat(10_240)}`, /too long/],
      ['статус 🙂 ✓', /Unknown subcommand/],
      ['status 3658 B431', /no spaces/],
      ['status 3658B43$', /only letters and digits/],
      ['frobnicate', /Unknown subcommand `frobnicate`/],
      ['expiring 0', /from 1 to 365/],
    ];
    for (const [text, expected] of cases) {
      const sent = await world.command(text, OTHER);
      expect(sent.status, text.slice(0, 20)).toBe(200);
      const answer = await answerTo(sent.responseUrl, `answer to ${text.slice(0, 20)}`);
      expect(answer.response_type).toBe('ephemeral');
      expect(answer.all).toMatch(expected);
      expect(answer.all).toContain('Usage');
      expect(answer.all).not.toMatch(/\bat \S+ \(|Error:|node_modules/);
    }
  });

  it('status finds an instance across product lines, lowercase SN accepted, with its alert state', async () => {
    const alerting = (await world.alertingInstances('13'))[0];
    expect(alerting).toBeDefined();
    await seed([alerting!]);
    const sn = alerting!.subject.productNo;
    const sent = await world.command(`status ${sn.toLowerCase()}`, OTHER);
    const answer = await answerTo(sent.responseUrl, 'status answer');
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.all).toContain(sn);
    expect(answer.all).toContain('P-Series Cloud Edition');
    expect(answer.all).toContain('*Alert:*');
    expect(answer.all).not.toContain('none open');
    const code = world.sim.getInstance('13', sn)?.activationCode;
    if (code) expect(answer.all).not.toContain(code);
  });

  it('status of an SN that does not exist says so, with the usage', async () => {
    const sent = await world.command('status NOSUCHSN0001', OTHER);
    const answer = await answerTo(sent.responseUrl, 'not-found answer');
    expect(answer.all).toContain('No instance with SN *NOSUCHSN0001* in any product line');
    expect(answer.all).toContain('Usage');
  });

  it('expiring pages 40 at a time, most urgent first, with a working "Show more"', async () => {
    const evaluations = Array.from({ length: 85 }, (_, i) =>
      handMade(900_000 + i, i < 5 ? 'expired' : '14d', {
        productId: '13',
        expiresAt: NOW + (i < 5 ? -DAY : (i + 1) * 3_600_000),
      }),
    );
    await seed(evaluations);
    const sent = await world.command('expiring 20', OTHER);
    const first = await answerTo(sent.responseUrl, 'first page');
    expect(first.response_type).toBe('ephemeral');
    const expected = await world.store.listOpen({ withinDays: 20, now: NOW, limit: 1_000 });
    expect(expected.total).toBeGreaterThanOrEqual(85);
    expect(first.text).toContain(`${expected.total} open alerts expiring within 20 days (1–40 shown)`);
    // Most urgent first: the expired ones lead.
    const text = first.all;
    expect(text.indexOf('SN900000')).toBeGreaterThan(-1);
    expect(text.indexOf('SN900000')).toBeLessThan(text.indexOf('SN900010'));
    const more = (first.blocks ?? []).find((b) => (b as { type: string }).type === 'actions') as {
      elements: Array<{ action_id: string; value: string }>;
    };
    expect(more.elements[0]?.action_id).toBe('expiring_more');
    expect(JSON.parse(more.elements[0]!.value)).toEqual({ days: 20, offset: 40 });

    const responseUrl = world.slack.responseUrl();
    const click = await world.action(
      actionPayload(
        OTHER,
        { action_id: 'expiring_more', block_id: 'more', value: more.elements[0]!.value },
        {
          kind: 'message',
          channel: CHANNEL,
          ts: '1.000001',
          responseUrl,
        },
      ),
    );
    expect(click.status).toBe(200);
    const second = await answerTo(responseUrl, 'second page');
    expect(second.text).toContain('(41–80 shown)');
    expect(second.replace_original).toBe(false);
    const secondKeys = expected.records.slice(40, 80).map((r) => r.evaluation!.subject.productNo);
    for (const sn of secondKeys) expect(second.all).toContain(sn);
  });

  it('expiring without days uses the largest ALERT_DAYS threshold', async () => {
    const sent = await world.command('expiring', OTHER);
    const answer = await answerTo(sent.responseUrl, 'default expiring');
    expect(answer.text).toMatch(/within 30 days/);
  });
});

describe('activation codes', () => {
  let sn: string;
  beforeAll(() => {
    sn = world.sim.listInstanceNos('12')[0]!;
  });

  it('gives an allowed user the code, ephemerally, from the command and the button', async () => {
    const code = await activationCodeOf(sn);
    const sent = await world.command(`activation ${sn}`, ALLOWED);
    const answer = await answerTo(sent.responseUrl, 'activation answer');
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.replace_original).toBe(false);
    expect(answer.all).toContain(code);

    const responseUrl = world.slack.responseUrl();
    await world.action(
      actionPayload(
        ALLOWED,
        { action_id: ACTION_IDS.activationCode, block_id: `${ACTIONS_BLOCK_ID}:12:${sn}`, value: `12:${sn}` },
        {
          kind: 'message',
          channel: CHANNEL,
          ts: '1.000002',
          responseUrl,
        },
      ),
    );
    const fromButton = await answerTo(responseUrl, 'activation from the button');
    expect(fromButton.response_type).toBe('ephemeral');
    expect(fromButton.replace_original).toBe(false);
    expect(fromButton.all).toContain(code);
    expect(world.slack.calls.filter((c) => c.method.startsWith('chat.'))).toEqual([]);
  });

  it('refuses everyone else politely, from the command and the button, and never shows the code', async () => {
    const code = await activationCodeOf(sn);
    const sent = await world.command(`activation ${sn}`, OTHER);
    const answer = await answerTo(sent.responseUrl, 'refusal');
    expect(answer.all).toMatch(/Sorry, you are not on the list/);
    expect(answer.all).not.toContain(code);

    const responseUrl = world.slack.responseUrl();
    await world.action(
      actionPayload(
        OTHER,
        { action_id: ACTION_IDS.activationCode, block_id: `${ACTIONS_BLOCK_ID}:12:${sn}`, value: `12:${sn}` },
        {
          kind: 'message',
          channel: CHANNEL,
          ts: '1.000003',
          responseUrl,
        },
      ),
    );
    const fromButton = await answerTo(responseUrl, 'refusal from the button');
    expect(fromButton.all).toMatch(/Sorry, you are not on the list/);
    expect(JSON.stringify(world.slack.responses)).not.toContain(code);
  });

  it('says when the SN is not a Software Edition instance', async () => {
    const sent = await world.command('activation NOSUCH12345', ALLOWED);
    const answer = await answerTo(sent.responseUrl, 'not found');
    expect(answer.all).toContain('No P-Series Software Edition instance with SN *NOSUCH12345*');
  });

  it('records every attempt in the audit stream, without the code, and shows it to allowed users only', async () => {
    const rows = await world.redis.xrange(auditKey(world.prefix), '-', '+');
    const entries = rows.map(([, flat]) => {
      const out: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
      return out;
    });
    const summary = entries.map((e) => `${e.user} ${e.sn} ${e.outcome} ${e.via}`);
    expect(summary).toEqual([
      `${ALLOWED} ${sn} allowed command`,
      `${ALLOWED} ${sn} allowed button`,
      `${OTHER} ${sn} refused command`,
      `${OTHER} ${sn} refused button`,
      `${ALLOWED} NOSUCH12345 not_found command`,
    ]);
    for (const e of entries) expect(Number(e.at)).toBeGreaterThan(0);
    const stream = JSON.stringify(rows);
    for (const code of codesSeen) expect(stream).not.toContain(code);

    const allowed = await world.command('audit', ALLOWED);
    const list = await answerTo(allowed.responseUrl, 'audit list');
    expect(list.response_type).toBe('ephemeral');
    expect(list.all).toContain('The last 5 activation-code requests');
    expect(list.all).toContain(`<@${OTHER}> · *${sn}* · refused · via button`);
    const refused = await world.command('audit', OTHER);
    const no = await answerTo(refused.responseUrl, 'audit refusal');
    expect(no.all).toMatch(/Sorry, only the people allowed/);
    expect(no.all).not.toContain(sn);
  });

  it('refuses a forged button value from someone without the right before reading it as anything', async () => {
    // Values a forged click could carry: another product line, a malformed SN, nothing useful at all.
    for (const [i, value] of [`13:${sn}`, '12:not an sn!', 'garbage', ''].entries()) {
      const responseUrl = world.slack.responseUrl();
      await world.action(
        actionPayload(
          OTHER,
          { action_id: ACTION_IDS.activationCode, block_id: `${ACTIONS_BLOCK_ID}:12:${sn}`, value },
          { kind: 'message', channel: CHANNEL, ts: `1.00010${i}`, responseUrl },
        ),
      );
      const answer = await answerTo(responseUrl, `refusal of forged value ${JSON.stringify(value)}`);
      expect(answer.all).toMatch(/Sorry, you are not on the list/);
      expect(answer.all).not.toContain('Software Edition');
    }
    const rows = await world.redis.xrevrange(auditKey(world.prefix), '+', '-', 'COUNT', 4);
    expect(rows.map(([, flat]) => flat[flat.indexOf('outcome') + 1])).toEqual(Array(4).fill('refused'));

    // The same button from an allowed user names what is wrong with it.
    const responseUrl = world.slack.responseUrl();
    await world.action(
      actionPayload(
        ALLOWED,
        { action_id: ACTION_IDS.activationCode, block_id: `${ACTIONS_BLOCK_ID}:12:${sn}`, value: 'garbage' },
        { kind: 'message', channel: CHANNEL, ts: '1.000110', responseUrl },
      ),
    );
    const answer = await answerTo(responseUrl, 'allowed user, bad value');
    expect(answer.all).toContain('Activation codes exist only for P-Series Software Edition instances.');
  });

  it('acknowledges before the API answers (simulator 2 s slow)', async () => {
    world.sim.setFaults({ latencyMs: 2_000 });
    const sent = await world.command(`activation ${sn}`, ALLOWED);
    expect(sent.status).toBe(200);
    // The HTTP answer is in hand while the API call is still under way: no response_url post yet.
    expect(responsesTo(sent.responseUrl)).toEqual([]);
    const answer = await answerTo(sent.responseUrl, 'the slow answer');
    expect(answer.all).toContain('Activation code');
  });
});

describe('alert buttons', () => {
  let alerts: Evaluation[];
  beforeAll(async () => {
    alerts = Array.from({ length: 6 }, (_, i) => handMade(700_000 + i, '7d', { productId: '13' }));
    const real = (await world.alertingInstances('13')).slice(0, 2);
    alerts.push(...real);
    await seed(alerts);
  });

  function click(
    userId: string,
    action: Record<string, unknown>,
    ref: { channel: string; ts: string },
    triggerId?: string,
  ) {
    const responseUrl = world.slack.responseUrl();
    return {
      responseUrl,
      payload: actionPayload(userId, action, { kind: 'message', ...ref, responseUrl }, triggerId),
    };
  }

  function ackAction(e: Evaluation) {
    return {
      action_id: ACTION_IDS.acknowledge,
      block_id: `${ACTIONS_BLOCK_ID}:${e.alertKey}`,
      value: e.alertKey,
    };
  }

  it('Acknowledge updates the message in place: who and when, the button gone', async () => {
    const alert = alerts[6] ?? alerts[0]!;
    const ref = await world.postAlert(alert);
    expect(actionIds(messageOf(ref).blocks)).toContain(ACTION_IDS.acknowledge);
    const { payload, responseUrl } = click(OTHER, ackAction(alert), ref);
    const answer = await world.action(payload);
    expect(answer.status).toBe(200);
    await waitFor(() => updates().length === 1, 'chat.update');
    const message = messageOf(ref);
    expect(message.all).toContain(`Acknowledged by <@${OTHER}>`);
    expect(actionIds(message.blocks)).not.toContain(ACTION_IDS.acknowledge);
    expect(actionIds(message.blocks)).toContain(ACTION_IDS.snooze);
    expect(world.slack.messages(CHANNEL)).toHaveLength(1);
    expect((await world.store.get(alert.alertKey))?.acknowledgedBy).toBe(OTHER);
    expect(responsesTo(responseUrl)).toEqual([]);
    expect(updates()[0]?.token).toBe(BOT_TOKEN);
  });

  it('two people clicking at once: one wins, the message names the winner, nobody sees an error', async () => {
    const alert = alerts[1]!;
    const ref = await world.postAlert(alert);
    const a = click('UFIRST01', ackAction(alert), ref);
    const b = click('USECOND2', ackAction(alert), ref);
    const answers = await Promise.all([world.action(a.payload), world.action(b.payload)]);
    expect(answers.map((x) => x.status)).toEqual([200, 200]);
    await waitFor(() => updates().length === 2, 'both chat.updates');
    const winner = (await world.store.get(alert.alertKey))?.acknowledgedBy;
    expect(['UFIRST01', 'USECOND2']).toContain(winner);
    const message = messageOf(ref);
    expect(message.all).toContain(`Acknowledged by <@${winner}>`);
    const loser = winner === 'UFIRST01' ? 'USECOND2' : 'UFIRST01';
    expect(message.all).not.toContain(`<@${loser}>`);
    expect(JSON.stringify(world.slack.responses)).not.toMatch(/wrong|error/i);
  });

  it('Snooze 7 days updates the message with the snooze end and silences the alert until then', async () => {
    const alert = alerts[2]!;
    const ref = await world.postAlert(alert);
    const { payload } = click(
      OTHER,
      {
        type: 'static_select',
        action_id: ACTION_IDS.snooze,
        block_id: `${ACTIONS_BLOCK_ID}:${alert.alertKey}`,
        selected_option: { text: { type: 'plain_text', text: 'Snooze 7 days' }, value: '7d' },
      },
      ref,
    );
    await world.action(payload);
    await waitFor(() => updates().length === 1, 'chat.update after snooze');
    const record = await world.store.get(alert.alertKey);
    expect(record?.snoozedUntil).toBe(NOW + 7 * DAY);
    expect(record?.snoozedBy).toBe(OTHER);
    const message = messageOf(ref);
    expect(message.all).toContain('Snoozed until');
    expect(message.all).toContain(`<!date^${(NOW + 7 * DAY) / 1000}^`);
  });

  it('a click on an alert that has resolved since says so, ephemerally, and changes nothing', async () => {
    const alert = alerts[3]!;
    const ref = await world.postAlert(alert);
    await world.store.decide(
      'cycle-healthy',
      'test',
      [{ ...alert, stage: null, severity: null, findings: [], expiresAt: null }],
      NOW,
    );
    expect((await world.store.get(alert.alertKey))?.resolvedAt).not.toBeNull();
    const { payload, responseUrl } = click(OTHER, ackAction(alert), ref);
    expect((await world.action(payload)).status).toBe(200);
    const answer = await answerTo(responseUrl, 'resolved notice');
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.all).toContain('has resolved since');
    expect(updates()).toEqual([]);
  });

  it('a retried delivery (X-Slack-Retry-Num) runs the action once', async () => {
    const alert = alerts[4]!;
    const ref = await world.postAlert(alert);
    const { payload } = click(OTHER, ackAction(alert), ref);
    const first = await world.action(payload);
    const retry = await world.action(payload, { retryNum: 1 });
    expect([first.status, retry.status]).toEqual([200, 200]);
    await waitFor(() => updates().length >= 1, 'the one chat.update');
    // Give a wrongly second run time to show itself: a command round trip through the same app.
    const probe = await world.command('help', OTHER);
    await answerTo(probe.responseUrl, 'probe');
    expect(updates()).toHaveLength(1);
  });

  it('the Open in Partner Portal click is acknowledged and does nothing else', async () => {
    const alert = alerts[5]!;
    const ref = await world.postAlert(alert);
    const { payload, responseUrl } = click(
      OTHER,
      {
        action_id: ACTION_IDS.openPortal,
        block_id: `${ACTIONS_BLOCK_ID}:${alert.alertKey}`,
        value: alert.alertKey,
        url: 'https://partner.yeastar.com/',
      },
      ref,
    );
    expect((await world.action(payload)).status).toBe(200);
    const probe = await world.command('help', OTHER);
    await answerTo(probe.responseUrl, 'probe');
    expect(updates()).toEqual([]);
    expect(responsesTo(responseUrl)).toEqual([]);
  });

  it('App Home: the board is published on open, and a click there updates the channel message and the board', async () => {
    const opened = await world.event({
      type: 'app_home_opened',
      user: OTHER,
      channel: 'D1',
      tab: 'home',
      event_ts: '1.1',
    });
    expect(opened.status).toBe(200);
    const view = await waitFor(
      () => world.slack.homeViews.get(OTHER) as { type: string; blocks: unknown[] } | undefined,
      'views.publish',
    );
    expect(view.type).toBe('home');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const counts = await world.store.counts();
    expect(JSON.stringify(view.blocks)).toContain(`*Open alerts by stage* (${counts.total})`);
    expect(actionIds(view.blocks).filter((id) => id === ACTION_IDS.snooze).length).toBe(20);

    // The messages tab opening is not the board.
    world.slack.reset();
    await world.event({
      type: 'app_home_opened',
      user: 'UMSGTAB1',
      channel: 'D1',
      tab: 'messages',
      event_ts: '1.2',
    });
    const probe = await world.command('help', OTHER);
    await answerTo(probe.responseUrl, 'probe');
    expect(world.slack.homeViews.has('UMSGTAB1')).toBe(false);

    const alert = alerts[0]!;
    const ref = await world.postAlert(alert);
    world.slack.homeViews.clear();
    await world.action(actionPayload(ALLOWED, ackAction(alert), { kind: 'home' }));
    await waitFor(() => world.slack.homeViews.get(ALLOWED), 'the board re-published');
    expect(updates().map((c) => [c.body.channel, c.body.ts])).toEqual([[ref.channel, ref.ts]]);
    expect(messageOf(ref).all).toContain(`Acknowledged by <@${ALLOWED}>`);
  });
});

describe('logs', () => {
  it('no line of the whole run holds an activation code or a token', () => {
    expect(codesSeen.size).toBeGreaterThan(0);
    expect(world.logs.length).toBeGreaterThan(0);
    const secrets = [...codesSeen, BOT_TOKEN, SECRET, world.config.yeastar.clientSecret!];
    for (const line of world.logs) {
      for (const secret of secrets) expect(line).not.toContain(secret);
      expect(line).not.toMatch(/eyJ[\w-]{4,}\.[\w-]{4,}\./);
    }
  });
});
