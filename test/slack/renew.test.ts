import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actionPayload } from '../../sim/slack-sign.js';
import { createLedger } from '../../src/renew/ledger.js';
import { createOrderApi } from '../../src/yeastar/orders.js';
import { ALLOWED, waitFor } from './harness.js';
import { createRenewWorld, RENEWER, type RenewWorld, SECOND } from './renew-world.js';

let world: RenewWorld;

beforeAll(async () => {
  world = await createRenewWorld({ RENEW_MODE: 'live' });
});
afterAll(async () => {
  await world?.close();
});
beforeEach(() => {
  world.slack.reset();
  world.orders.setKnobs({ settleAfterMs: 60_000, delayMs: 0 });
});

const placed = (id: string) =>
  waitFor(() => /ordered by/.test(world.modalText(id)) && id, 'the outcome in the modal');

describe('renewing from Slack (live)', () => {
  it('a click opens the form, a submit places one order, seen in the modal, the thread and the alert', async () => {
    const { evaluation, ref } = await world.seedAlert(0);
    const alert = world.slack.messages(ref.channel).find((m) => m.ts === ref.ts)!;
    expect(JSON.stringify(alert.blocks)).toContain('"action_id":"renew_open"');

    const click = await world.clickRenew(RENEWER, evaluation, ref);
    expect(click.status).toBe(200);
    const viewId = await world.formOpened();
    const form = world.modalText(viewId);
    expect(form).toContain(evaluation.subject.productNo);
    expect(form).toContain('renew_contact');
    expect(form).toContain('Pat Finance');

    const answer = await world.submit(viewId, RENEWER, { po: 'PO-7' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ response_action: 'update' });
    await placed(viewId);
    expect(world.orders.orders()).toHaveLength(1);
    const order = world.orders.orders()[0]!;
    expect(order.productNo).toBe(evaluation.subject.productNo);
    expect(order.poNumber).toBe('PO-7');
    expect(world.modalText(viewId)).toContain(order.orderNo);
    expect(world.slack.calls.some((c) => c.method === 'views.update')).toBe(true);
    const replies = await waitFor(
      () => world.threadReplies(ref).length > 0 && world.threadReplies(ref),
      'thread reply',
    );
    expect(replies[0]).toContain(order.orderNo);
    const updated = await waitFor(() => {
      const blocks = JSON.stringify(world.slack.messages(ref.channel).find((m) => m.ts === ref.ts)?.blocks);
      return blocks.includes(`Renewal ordered by <@${RENEWER}>`) && blocks;
    }, 'the alert updated in place');
    expect(updated).toContain(order.orderNo);
    expect(updated).not.toContain('"action_id":"renew_open"');
    // A later click re-renders the alert: the order stays on it, and Renew… does not come back.
    await world.action(
      actionPayload(
        SECOND,
        { action_id: 'alert_ack', value: evaluation.alertKey },
        {
          kind: 'message',
          channel: ref.channel,
          ts: ref.ts,
          responseUrl: world.slack.responseUrl(),
        },
      ),
    );
    const acked = await waitFor(() => {
      const blocks = JSON.stringify(world.slack.messages(ref.channel).find((m) => m.ts === ref.ts)?.blocks);
      return blocks.includes('Acknowledged by') && blocks;
    }, 'the acknowledged alert');
    expect(acked).toContain(`Renewal ordered by <@${RENEWER}>`);
    expect(acked).not.toContain('"action_id":"renew_open"');
  });

  it('a double submit, a Slack retry and two users at once give one order; the second hears who ordered', async () => {
    const { evaluation, ref } = await world.seedAlert(1);
    await world.clickRenew(RENEWER, evaluation, ref);
    const first = await world.formOpened();
    world.slack.modals.delete(first);
    await world.clickRenew(SECOND, evaluation, ref);
    const second = await world.formOpened();
    world.slack.modals.set(first, JSON.parse(JSON.stringify(world.slack.modals.get(second))));
    const before = world.orders.orders().length;
    await Promise.all([
      world.submit(first, RENEWER),
      world.submit(first, RENEWER, { retryNum: 1 }),
      world.submit(second, SECOND),
    ]);
    await waitFor(
      () => /ordered by/.test(world.modalText(first)) && /ordered by/.test(world.modalText(second)),
      'both outcomes',
    );
    expect(world.orders.orders().length - before).toBe(1);
    const texts = [world.modalText(first), world.modalText(second)].join(' ');
    expect(texts).toContain('already ordered by');
    expect(texts).toContain(world.orders.orders().at(-1)!.orderNo);
  });

  it('a 500 after the order was stored: the order list decides, one order, the user sees its number', async () => {
    const { evaluation, ref } = await world.seedAlert(2);
    await world.clickRenew(RENEWER, evaluation, ref);
    const viewId = await world.formOpened();
    world.orders.failAfterStoreNext(1);
    const before = world.orders.orders().length;
    await world.submit(viewId, RENEWER);
    await placed(viewId);
    expect(world.orders.orders().length - before).toBe(1);
    expect(world.modalText(viewId)).toContain(world.orders.orders().at(-1)!.orderNo);
  });

  it('a crash between sending and recording: after the restart, the order list finds it and nothing is sent again', async () => {
    const { evaluation, ref } = await world.seedAlert(3);
    await world.clickRenew(RENEWER, evaluation, ref);
    const viewId = await world.formOpened();
    // The crashed process: it claimed the record, sent the order, and died before writing the outcome.
    const ledger = createLedger({ redis: world.redis, prefix: world.prefix });
    const instance = world.sim.getInstance(evaluation.subject.productId, evaluation.subject.productNo)!;
    await ledger.claim({
      state: 'sending',
      by: SECOND,
      approvedBy: null,
      sn: instance.productNo,
      productId: evaluation.subject.productId,
      alertKey: evaluation.alertKey,
      stage: evaluation.stage!,
      at: world.clock.now - 120_000,
      request: '{}',
      orderId: null,
      orderNo: null,
      status: null,
      channel: ref.channel,
      ts: ref.ts,
      viewId: null,
      attempt: 'crashed',
    });
    const api = createOrderApi({
      baseUrl: world.sim.url,
      userAgent: 't',
      clientId: world.sim.credentials.clientId,
      clientSecret: world.sim.credentials.clientSecret,
      redis: world.redis,
      keyPrefix: world.prefix,
    });
    const contacts = await api.listBillingContacts();
    const { buildOrderRequest } = await import('../../src/renew/order-request.js');
    const found = (await world.client.getInstance(evaluation.subject.productId, instance.productNo))!;
    await api.createOrder(buildOrderRequest(found, { billingId: contacts[0]!.billingContactId, cycles: 1 }));
    const before = world.orders.orders().length;
    await world.submit(viewId, RENEWER);
    await placed(viewId);
    expect(world.orders.orders().length).toBe(before);
    expect(world.modalText(viewId)).toContain(`already ordered by <@${SECOND}>`);
  });

  it('a rejected order shows the API reason and request id, and leaves the alert orderable', async () => {
    const { evaluation, ref } = await world.seedAlert(4);
    await world.clickRenew(RENEWER, evaluation, ref);
    const viewId = await world.formOpened();
    world.orders.rejectNext(1, 'Insufficient credit on the partner account');
    await world.submit(viewId, RENEWER);
    await waitFor(() => /refused/.test(world.modalText(viewId)), 'the refusal');
    const text = world.modalText(viewId);
    expect(text).toContain('Insufficient credit on the partner account');
    expect(text).toMatch(/request id `[0-9a-f]{32}`/);
    expect(text).not.toMatch(/at .*\.ts:\d+/);
    const { createLedger: make } = await import('../../src/renew/ledger.js');
    expect(
      await make({ redis: world.redis, prefix: world.prefix }).get(evaluation.alertKey, evaluation.stage!),
    ).toBeNull();
  });

  it('a user not in RENEW_ALLOWED_USERS is refused on click and on submit, with no API call', async () => {
    const { evaluation, ref } = await world.seedAlert(5);
    const calls = world.orderCalls();
    await world.clickRenew(ALLOWED, evaluation, ref);
    await waitFor(() => world.slack.responses.length > 0, 'the refusal');
    expect(JSON.stringify(world.slack.responses[0]!.body)).toContain('RENEW_ALLOWED_USERS');
    expect(world.slack.calls.some((c) => c.method === 'views.open')).toBe(false);
    // A form opened by someone allowed, submitted by someone who is not.
    await world.clickRenew(RENEWER, evaluation, ref);
    const viewId = await world.formOpened();
    await world.submit(viewId, ALLOWED);
    await waitFor(() => /RENEW_ALLOWED_USERS/.test(world.modalText(viewId)), 'the refusal in the modal');
    expect(world.orderCalls()).toBe(calls);
    // Both refusals are in the audit log (ALLOWED may read it: it is an activation-code user too).
    await world.command('audit', ALLOWED);
    const log = await waitFor(
      () => world.slack.responses.map((r) => JSON.stringify(r.body)).find((b) => b.includes('renew_refused')),
      'the audit log',
    );
    expect(log).toContain(evaluation.subject.productNo);
  });
});

describe('/yeastar renew <SN>', () => {
  it('opens the same form for an instance and places its order in the alert thread', async () => {
    const { evaluation, ref } = await world.seedAlert(7);
    const answer = await world.command(`renew ${evaluation.subject.productNo.toLowerCase()}`, RENEWER);
    expect(answer.status).toBe(200);
    const viewId = await world.formOpened();
    expect(world.modalText(viewId)).toContain(evaluation.subject.productNo);
    // The command's own listener leaves `renew` alone while renewing is on: no "unknown subcommand".
    expect(world.slack.responses).toEqual([]);
    const before = world.orders.orders().length;
    await world.submit(viewId, RENEWER);
    await placed(viewId);
    expect(world.orders.orders().length - before).toBe(1);
    await waitFor(
      () => world.threadReplies(ref).some((t) => t.includes('ordered by')),
      'the reply in the alert thread',
    );
  });

  it('refuses a user who may not order, without an API call', async () => {
    const calls = world.orderCalls();
    await world.command('renew 3658B43UCATGMG3T', ALLOWED);
    await waitFor(() => world.slack.responses.length > 0, 'the refusal');
    expect(JSON.stringify(world.slack.responses[0]!.body)).toContain('RENEW_ALLOWED_USERS');
    expect(world.slack.calls.some((c) => c.method === 'views.open')).toBe(false);
    expect(world.orderCalls()).toBe(calls);
  });
});

describe('following an order', () => {
  it('follows the order to succeed: outcome and amount in the thread, the alert updated, the next cycle sees it renewed', async () => {
    const { WebClient } = await import('@slack/web-api');
    const { startRenewFollower } = await import('../../src/slack/renew/follower.js');
    const { evaluateInstance } = await import('../../src/alerts/rules.js');
    const { connectRedis } = await import('../helpers/redis.js');
    const connection = connectRedis();
    const worker = startRenewFollower({
      config: world.config,
      connection,
      redis: world.redis,
      store: world.store,
      slack: new WebClient('xoxb-slack-test-token-abc', { slackApiUrl: world.slack.url }),
      logger: (await import('../../src/logger.js')).silentLogger(),
      clock: () => world.clock.now,
    });
    try {
      world.orders.setKnobs({ settleAfterMs: 0 });
      const { evaluation, ref } = await world.seedAlert(6);
      await world.clickRenew(RENEWER, evaluation, ref);
      const viewId = await world.formOpened();
      await world.submit(viewId, RENEWER);
      await placed(viewId);
      const orderNo = world.orders.orders().at(-1)!.orderNo;
      const done = await waitFor(
        () => world.threadReplies(ref).find((t) => t.includes('succeeded')),
        'the outcome in the thread',
        20_000,
      );
      expect(done).toContain(orderNo);
      expect(done).toMatch(/USD \d+\.\d\d/);
      const alert = await waitFor(() => {
        const blocks = JSON.stringify(world.slack.messages(ref.channel).find((m) => m.ts === ref.ts)?.blocks);
        return blocks.includes('paid/succeeded') && blocks;
      }, 'the alert saying succeeded');
      expect(alert).toContain(orderNo);
      // The next cycle reads the new expiry: the instance needs no alert, so the store resolves it in place.
      const instance = (await world.client.getInstance(
        evaluation.subject.productId,
        evaluation.subject.productNo,
      ))!;
      const next = evaluateInstance(instance, {
        now: world.clock.now,
        thresholds: world.config.alertDays,
        timeZone: 'UTC',
      });
      expect(next.stage).toBeNull();
      const decisions = await world.store.decide('cycle-next', 'test', [next], world.clock.now);
      expect(decisions.map((d) => d.action)).toEqual(['resolve']);
    } finally {
      await worker.close();
      await connection.quit();
    }
  }, 30_000);
});
