import { randomUUID } from 'node:crypto';
import { type SimOrders, simOrders } from '../../sim/orders.js';
import { actionPayload } from '../../sim/slack-sign.js';
import { RENEW_ACTION_IDS } from '../../src/alerts/render-renew.js';
import type { Evaluation } from '../../src/alerts/types.js';
import { FIELDS } from '../../src/slack/renew/views.js';
import { createSlackWorld, NOW, type SlackWorld, waitFor } from './harness.js';

/** The Slack world with renewing on, and the clicks and submissions a partner makes. */

export const RENEWER = 'URENEW001';
export const SECOND = 'URENEW002';
export const APPROVER = 'UAPPROVE1';

export type RenewWorld = SlackWorld & {
  /** The simulator's orders and their knobs. */
  orders: SimOrders;
  /** An alert on a plan with services, seeded in the store and posted to the fake channel. */
  seedAlert(index?: number): Promise<{ evaluation: Evaluation; ref: { channel: string; ts: string } }>;
  clickRenew(
    user: string,
    evaluation: Evaluation,
    ref: { channel: string; ts: string },
  ): Promise<{ status: number; body: string }>;
  /** The id of the modal the user's click opened, once it shows the form. */
  formOpened(): Promise<string>;
  submit(
    viewId: string,
    user: string,
    options?: { retryNum?: number; po?: string },
  ): Promise<{ status: number; body: string }>;
  modalText(viewId: string): string;
  threadReplies(ref: { channel: string; ts: string }): string[];
  orderCalls(): number;
};

type Modal = { callback_id?: string; private_metadata?: string; blocks?: Array<Record<string, unknown>> };

export async function createRenewWorld(env: Record<string, string>): Promise<RenewWorld> {
  const world = await createSlackWorld({
    env: { RENEW_ALLOWED_USERS: `${RENEWER},${SECOND},${APPROVER}`, ...env },
  });
  let candidates: Evaluation[] | undefined;
  const modal = (id: string) => world.slack.modals.get(id) as Modal | undefined;

  return Object.assign(world, {
    orders: simOrders(world.sim.state),
    async seedAlert(index = 0) {
      if (!candidates) {
        const all = [
          ...(await world.alertingInstances('11')),
          ...(await world.alertingInstances('13')),
          ...(await world.alertingInstances('12')),
        ];
        candidates = all.filter(
          (e) => e.stage !== null && e.findings.some((f) => f.kind === 'expiring' || f.kind === 'expired'),
        );
      }
      const evaluation = candidates[index];
      if (!evaluation) throw new Error('no renewable alert in the simulator data');
      await world.store.decide(`cycle-${evaluation.alertKey}`, 'test', [evaluation], NOW);
      const ref = await world.postAlert(evaluation);
      return { evaluation, ref };
    },
    clickRenew(user: string, evaluation: Evaluation, ref: { channel: string; ts: string }) {
      return world.action(
        actionPayload(
          user,
          { action_id: RENEW_ACTION_IDS.open, value: evaluation.alertKey, block_id: 'alert_actions' },
          {
            kind: 'message',
            channel: ref.channel,
            ts: ref.ts,
            responseUrl: world.slack.responseUrl(),
          },
        ),
      );
    },
    formOpened() {
      return waitFor(
        () => [...world.slack.modals.entries()].find(([, v]) => (v as Modal).private_metadata)?.[0],
        'the renewal form',
      );
    },
    submit(viewId: string, user: string, options: { retryNum?: number; po?: string } = {}) {
      const view = modal(viewId)!;
      const values: Record<string, Record<string, unknown>> = {};
      for (const block of view.blocks ?? []) {
        if (block.type !== 'input') continue;
        const element = block.element as { type: string; action_id: string; initial_option?: unknown };
        const value =
          element.type === 'static_select'
            ? { type: 'static_select', selected_option: element.initial_option }
            : {
                type: 'plain_text_input',
                value: block.block_id === FIELDS.po.block ? (options.po ?? null) : null,
              };
        values[block.block_id as string] = { [element.action_id]: value };
      }
      const payload = {
        type: 'view_submission',
        team: { id: 'T1', domain: 'fake' },
        user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: 'T1' },
        api_app_id: 'A1',
        token: 'legacy-verification-token',
        trigger_id: `trigger-${randomUUID()}`,
        view: { ...view, id: viewId, type: 'modal', state: { values }, hash: 'h1' },
        response_urls: [],
        is_enterprise_install: false,
      };
      return world.action(payload, options.retryNum !== undefined ? { retryNum: options.retryNum } : {});
    },
    modalText(viewId: string) {
      return JSON.stringify(modal(viewId)?.blocks ?? []);
    },
    threadReplies(ref: { channel: string; ts: string }) {
      return world.slack
        .messages(ref.channel)
        .filter((m) => m.thread_ts === ref.ts)
        .map((m) => m.text);
    },
    orderCalls() {
      return world.sim.stats().byPath['/order/openapi/order/v1/save'] ?? 0;
    },
  });
}
