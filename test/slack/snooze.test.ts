import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actionPayload } from '../../sim/slack-sign.js';
import { ACTIONS_BLOCK_ID } from '../../src/alerts/render.js';
import type { Evaluation } from '../../src/alerts/types.js';
import { ACTION_IDS } from '../../src/alerts/types.js';
import { evaluation as handMade } from '../alerts/state-fixtures.js';
import { CHANNEL, createSlackWorld, DAY, NOW, OTHER, type SlackWorld, waitFor } from './harness.js';

/** Snoozes of every kind and alerts with a copy in several channels, through signed Slack requests. */

const FINANCE = 'CFINANCE';

let world: SlackWorld;
let serial = 810_000;

type Posted = { response_type?: string; replace_original?: boolean; text?: string; blocks?: unknown[] };
type Option = { text: { text: string }; value: string };
type Ref = { channel: string; ts: string };

beforeAll(async () => {
  world = await createSlackWorld();
});

afterAll(async () => {
  await world?.close();
});

beforeEach(() => {
  world.slack.reset();
});

/** A fresh alert in the store, `daysLeft` from the harness clock, stage as the rules would give it. */
async function alertDue(daysLeft: number, stage: Evaluation['stage']): Promise<Evaluation> {
  serial += 1;
  const e = handMade(serial, stage, { expiresAt: NOW + daysLeft * DAY });
  await world.store.decide(`cycle-${serial}`, 'test', [e], NOW);
  return e;
}

function updatesOf(ref: Ref) {
  return world.slack.calls.filter(
    (c) => c.method === 'chat.update' && c.body.channel === ref.channel && c.body.ts === ref.ts,
  );
}

function messageOf(ref: Ref) {
  const message = world.slack.messages(ref.channel).find((m) => m.ts === ref.ts);
  if (!message) throw new Error('message missing from the fake');
  return { ...message, all: JSON.stringify(message.blocks) };
}

function snoozeOptionsIn(blocks: unknown[]): Option[] {
  for (const block of blocks as Array<{ elements?: Array<{ action_id?: string; options?: Option[] }> }>) {
    const menu = block.elements?.find((e) => e.action_id === ACTION_IDS.snooze);
    if (menu) return menu.options ?? [];
  }
  return [];
}

function snoozeAction(e: Evaluation, value: string) {
  return {
    type: 'static_select',
    action_id: ACTION_IDS.snooze,
    block_id: `${ACTIONS_BLOCK_ID}:${e.alertKey}`,
    selected_option: { text: { type: 'plain_text', text: value }, value },
  };
}

function ackAction(e: Evaluation) {
  return {
    action_id: ACTION_IDS.acknowledge,
    block_id: `${ACTIONS_BLOCK_ID}:${e.alertKey}`,
    value: e.alertKey,
  };
}

/** A click on the message `ref`; resolves with the ephemeral answer (if `answered`) once it arrives. */
async function clickOn(
  ref: Ref,
  action: Record<string, unknown>,
  answered = true,
): Promise<Posted & { all: string }> {
  const responseUrl = world.slack.responseUrl();
  const sent = await world.action(actionPayload(OTHER, action, { kind: 'message', ...ref, responseUrl }));
  expect(sent.status).toBe(200);
  if (!answered) return { all: '' };
  const body = await waitFor(
    () => world.slack.responses.find((r) => r.url === responseUrl)?.body as Posted | undefined,
    'the ephemeral answer',
  );
  return { ...body, all: JSON.stringify(body) };
}

const slackDateOf = (epochMs: number) => `<!date^${epochMs / 1000}^`;

describe('snoozing from a channel message', () => {
  // 20 days before expiry (Mon 14 Dec 07:00 UTC), at stage 30d; ALERT_DAYS is 30,14,7,3,1 and TZ is UTC.
  const cases: Array<{ value: string; until: number; label: string; says: string }> = [
    { value: '1d', until: NOW + DAY, label: 'Snooze 1 day (Wed 25 Nov)', says: '' },
    { value: '7d', until: NOW + 7 * DAY, label: 'Snooze 7 days (Tue 1 Dec)', says: '' },
    {
      value: 'next',
      until: Date.UTC(2026, 10, 30),
      label: 'Until next stage (Mon 30 Nov)',
      says: '(until the next stage)',
    },
    {
      value: 'before:3',
      until: Date.UTC(2026, 11, 11),
      label: 'Until 3 days before expiry (Fri 11 Dec)',
      says: '(until 3 days before expiry)',
    },
    {
      value: 'before:1',
      until: Date.UTC(2026, 11, 13),
      label: 'Until 1 day before expiry (Sun 13 Dec)',
      says: '(until 1 day before expiry)',
    },
  ];

  it.each(cases)('$value: the menu shows the end date, the click snoozes until it and says so', async (c) => {
    const alert = await alertDue(20, '30d');
    const ref = await world.postAlert(alert);
    const offered = snoozeOptionsIn(messageOf(ref).blocks);
    expect(offered.find((o) => o.value === c.value)?.text.text).toBe(c.label);

    const answer = await clickOn(ref, snoozeAction(alert, c.value));
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.replace_original).toBe(false);
    expect(answer.text).toContain(`:zzz: Snoozed until ${slackDateOf(c.until)}`);
    expect(answer.text).toContain(`by <@${OTHER}>`);
    if (c.says) expect(answer.text).toContain(c.says);

    const record = await world.store.get(alert.alertKey);
    expect(record?.snoozedUntil).toBe(c.until);
    expect(record?.snoozedBy).toBe(OTHER);
    await waitFor(() => updatesOf(ref).length === 1, 'the message updated');
    const message = messageOf(ref);
    expect(message.all).toContain(`:zzz: Snoozed until ${slackDateOf(c.until)}`);
    expect(world.slack.messages(CHANNEL).filter((m) => m.ts === ref.ts)).toHaveLength(1);
  });

  it('refuses "3 days before expiry" two days before expiry, politely, and changes nothing', async () => {
    const alert = await alertDue(2, '3d');
    const ref = await world.postAlert(alert);
    const answer = await clickOn(ref, snoozeAction(alert, 'before:3'));
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain('That snooze no longer applies: the plan expires before then');
    expect(answer.text).toContain(slackDateOf(NOW + 2 * DAY));
    expect(answer.all).not.toMatch(/error|wrong/i);
    const record = await world.store.get(alert.alertKey);
    expect(record?.snoozedUntil).toBeNull();
    // The stale menu is redrawn with what still applies; the message says nothing of a snooze.
    await waitFor(() => updatesOf(ref).length === 1, 'the menu refreshed');
    const message = messageOf(ref);
    expect(message.all).not.toContain('Snoozed until');
    expect(snoozeOptionsIn(message.blocks).map((o) => o.value)).toEqual(['1d', 'next']);
  });

  it('refuses a snooze past the expiry, a next stage after expiry and an unknown choice', async () => {
    const soon = await alertDue(2, '3d');
    const soonRef = await world.postAlert(soon);
    const week = await clickOn(soonRef, snoozeAction(soon, '7d'));
    expect(week.text).toContain('That snooze no longer applies: the plan expires before then');

    const expired = await alertDue(-2, 'expired');
    const expiredRef = await world.postAlert(expired);
    const next = await clickOn(expiredRef, snoozeAction(expired, 'next'));
    expect(next.text).toContain('the plan has already expired, so it has no later stage');

    const unknown = await clickOn(expiredRef, snoozeAction(expired, 'forever'));
    expect(unknown.text).toContain('That is not a snooze this bot knows');

    for (const e of [soon, expired]) expect((await world.store.get(e.alertKey))?.snoozedUntil).toBeNull();
    // An expired alert can still be snoozed for a day: it stays expired, so nothing ends it early.
    const day = await clickOn(expiredRef, snoozeAction(expired, '1d'));
    expect(day.text).toContain(`Snoozed until ${slackDateOf(NOW + DAY)}`);
  });

  it('a snooze on an alert that resolved since says so and snoozes nothing', async () => {
    const alert = await alertDue(20, '30d');
    const ref = await world.postAlert(alert);
    await world.store.decide(
      `cycle-healthy-${serial}`,
      'test',
      [{ ...alert, stage: null, severity: null, findings: [], expiresAt: null }],
      NOW,
    );
    const answer = await clickOn(ref, snoozeAction(alert, '1d'));
    expect(answer.text).toContain('has resolved since');
    expect((await world.store.get(alert.alertKey))?.snoozedUntil).toBeNull();
    expect(updatesOf(ref)).toEqual([]);
  });
});

describe('an alert with a copy in two channels', () => {
  it('acknowledging one copy updates both', async () => {
    const alert = await alertDue(2, '3d');
    const first = await world.postAlert(alert, CHANNEL);
    const finance = await world.postAlert(alert, FINANCE);
    expect((await world.store.get(alert.alertKey))?.messages).toEqual([first, finance]);

    await clickOn(finance, ackAction(alert), false);
    await waitFor(
      () => updatesOf(first).length === 1 && updatesOf(finance).length === 1,
      'both copies updated',
    );
    for (const ref of [first, finance]) {
      expect(messageOf(ref).all).toContain(`Acknowledged by <@${OTHER}>`);
    }
    expect(world.slack.messages(FINANCE)).toHaveLength(1);
  });

  it('snoozing from App Home updates both copies and tells the user on the board', async () => {
    const alert = await alertDue(20, '30d');
    const first = await world.postAlert(alert, CHANNEL);
    const finance = await world.postAlert(alert, FINANCE);
    world.slack.homeViews.clear();
    await world.action(actionPayload(OTHER, snoozeAction(alert, 'next'), { kind: 'home' }));
    const board = await waitFor(
      () => world.slack.homeViews.get(OTHER) as { blocks: unknown[] } | undefined,
      'the board re-published',
    );
    const until = Date.UTC(2026, 10, 30);
    expect(JSON.stringify(board.blocks)).toContain(`Snoozed until ${slackDateOf(until)}`);
    await waitFor(
      () => updatesOf(first).length === 1 && updatesOf(finance).length === 1,
      'both copies updated',
    );
    for (const ref of [first, finance])
      expect(messageOf(ref).all).toContain(`Snoozed until ${slackDateOf(until)}`);
  });

  it('a copy that cannot be updated does not keep the other stale', async () => {
    const alert = await alertDue(20, '30d');
    const first = await world.postAlert(alert, CHANNEL);
    // A copy someone deleted: Slack answers message_not_found for it.
    await world.store.setMessage(alert.alertKey, { channel: 'CGONE', ts: '1.000001' });
    await clickOn(first, ackAction(alert), false);
    await waitFor(() => updatesOf(first).length === 1, 'the reachable copy updated');
    expect(messageOf(first).all).toContain(`Acknowledged by <@${OTHER}>`);
    await waitFor(
      () => world.logs.some((l) => l.includes('chat.update after a click failed') && l.includes('CGONE')),
      'the failed copy logged',
    );
  });
});
