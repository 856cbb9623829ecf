import { afterEach, describe, expect, it } from 'vitest';
import { actionPayload } from '../../sim/slack-sign.js';
import { RENEW_ACTION_IDS } from '../../src/alerts/render-renew.js';
import { waitFor } from './harness.js';
import { APPROVER, createRenewWorld, RENEWER, type RenewWorld, SECOND } from './renew-world.js';

let world: RenewWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

function alertBlocks(w: RenewWorld, ref: { channel: string; ts: string }): string {
  return JSON.stringify(w.slack.messages(ref.channel).find((m) => m.ts === ref.ts)?.blocks);
}

describe('RENEW_MODE=off (the default)', () => {
  it('shows no renewal button, answers `renew` as unknown and calls no order endpoint', async () => {
    world = await createRenewWorld({});
    const { ref } = await world.seedAlert(0);
    expect(alertBlocks(world, ref)).not.toContain('renew_open');
    expect(alertBlocks(world, ref)).not.toContain('autorenew_enable');
    const answer = await world.command(`renew ${'3658B43UCATGMG3T'}`, RENEWER);
    expect(answer.status).toBe(200);
    await waitFor(() => world!.slack.responses.length > 0, 'the answer');
    expect(JSON.stringify(world.slack.responses[0]!.body)).toContain('Unknown subcommand');
    expect(world.slack.calls.some((c) => c.method === 'views.open')).toBe(false);
    expect(world.orderCalls()).toBe(0);
  });
});

describe('RENEW_MODE=dry-run', () => {
  it('runs the whole flow and posts the exact request in the thread, sending nothing', async () => {
    world = await createRenewWorld({ RENEW_MODE: 'dry-run' });
    const { evaluation, ref } = await world.seedAlert(0);
    expect(alertBlocks(world, ref)).toContain('Renew… (dry run)');
    await world.clickRenew(RENEWER, evaluation, ref);
    const viewId = await world.formOpened();
    expect(world.modalText(viewId)).toContain('Dry run');
    await world.submit(viewId, RENEWER, { po: 'PO-DRY' });
    const reply = await waitFor(
      () => world!.slack.messages(ref.channel).find((m) => m.thread_ts === ref.ts),
      'the dry run in the thread',
    );
    const shown = JSON.stringify(reply.blocks);
    expect(shown).toContain('renew_plan');
    expect(shown).toContain('1869403123456789012');
    expect(shown).toContain('PO-DRY');
    expect(shown).toContain(evaluation.subject.productNo);
    expect(world.orderCalls()).toBe(0);
    expect(world.orders.orders()).toHaveLength(0);
  });
});

describe('RENEW_APPROVERS: the two-person rule', () => {
  it('sends nothing before a second person approves; the requester cannot approve their own order', async () => {
    world = await createRenewWorld({ RENEW_MODE: 'live', RENEW_APPROVERS: `${RENEWER},${APPROVER}` });
    const w = world;
    const { evaluation, ref } = await w.seedAlert(0);
    await w.clickRenew(RENEWER, evaluation, ref);
    const viewId = await w.formOpened();
    await w.submit(viewId, RENEWER);
    const request = await waitFor(
      () =>
        w.slack
          .messages(ref.channel)
          .find((m) => m.thread_ts === ref.ts && JSON.stringify(m.blocks).includes(RENEW_ACTION_IDS.approve)),
      'the approval request in the thread',
    );
    expect(w.orderCalls()).toBe(0);
    const value = JSON.stringify({ alertKey: evaluation.alertKey, stage: evaluation.stage });
    const click = (user: string) =>
      w.action(
        actionPayload(
          user,
          { action_id: RENEW_ACTION_IDS.approve, value, block_id: 'renew_approval' },
          {
            kind: 'message',
            channel: ref.channel,
            ts: request.ts,
            responseUrl: w.slack.responseUrl(),
          },
        ),
      );
    await click(RENEWER);
    await waitFor(
      () => w.slack.responses.some((r) => JSON.stringify(r.body).includes('someone else')),
      'own-order refusal',
    );
    await click(SECOND);
    await waitFor(
      () => w.slack.responses.some((r) => JSON.stringify(r.body).includes('RENEW_APPROVERS')),
      'not an approver',
    );
    expect(w.orderCalls()).toBe(0);
    await click(APPROVER);
    await waitFor(() => w.orders.orders().length === 1, 'the order after approval');
    const updated = await waitFor(() => {
      const m = w.slack.messages(ref.channel).find((x) => x.ts === request.ts);
      return m?.text.includes('approved by') ? m : undefined;
    }, 'the approval message turned into the outcome');
    expect(updated.text).toContain(`<@${APPROVER}>`);
    expect(JSON.stringify(updated.blocks)).not.toContain(RENEW_ACTION_IDS.approve);
    await click(APPROVER);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(w.orders.orders()).toHaveLength(1);
  });
});

describe('Enable auto-renewal', () => {
  it('switches it on through the API, says so in the thread and drops the button', async () => {
    world = await createRenewWorld({ RENEW_MODE: 'live' });
    const w = world;
    let seeded = await w.seedAlert(0);
    for (let i = 1; !alertBlocks(w, seeded.ref).includes('autorenew_enable') && i < 10; i++)
      seeded = await w.seedAlert(i);
    const { evaluation, ref } = seeded;
    expect(alertBlocks(w, ref)).toContain('autorenew_enable');
    await w.action(
      actionPayload(
        RENEWER,
        { action_id: RENEW_ACTION_IDS.autoRenew, value: evaluation.alertKey, block_id: 'alert_actions' },
        {
          kind: 'message',
          channel: ref.channel,
          ts: ref.ts,
          responseUrl: w.slack.responseUrl(),
        },
      ),
    );
    await waitFor(
      () => w.threadReplies(ref).some((t) => t.includes('Auto-renewal enabled')),
      'the result in the thread',
    );
    await waitFor(() => !alertBlocks(w, ref).includes('autorenew_enable'), 'the button gone');
    const instance = w.sim.getInstance(evaluation.subject.productId, evaluation.subject.productNo)!;
    expect(instance.planAutoRenewal).toBe(1);
  });
});
