import type { App, BlockAction } from '@slack/bolt';
import { RENEW_ACTION_IDS } from '../../alerts/render-renew.js';
import type { Evaluation } from '../../alerts/types.js';
import { YeastarApiError } from '../../yeastar/errors.js';
import { errorText } from '../listeners/answer.js';
import type { RenewKit } from './kit.js';
import { REFUSAL } from './open-modal.js';
import { autoRenewMessage } from './thread.js';

/**
 * `Enable auto-renewal` (after Slack's confirm dialog): an allowed user's click switches it on for the
 * plan and for every service of the alert that has it off; the result goes to the thread and the
 * message no longer offers the button. The next cycle reads the flag from the API.
 */

function withAutoRenewal(evaluation: Evaluation): Evaluation {
  return {
    ...evaluation,
    subject: { ...evaluation.subject, planAutoRenewal: true },
    findings: evaluation.findings.map((f) => ({ ...f, autoRenewal: true })),
  };
}

export function register(app: App, kit: RenewKit): void {
  const { store, logger } = kit.deps;

  app.action<BlockAction>(RENEW_ACTION_IDS.autoRenew, async ({ body, action, respond, client }) => {
    const user = body.user.id;
    const alertKey = 'value' in action && typeof action.value === 'string' ? action.value : '';
    const record = alertKey ? await store.get(alertKey) : null;
    const sn = record?.evaluation?.subject.productNo ?? '?';
    if (!kit.allowed(user)) {
      await kit.audit.record({ user, sn, result: 'autorenew_refused', orderNo: null }).catch(() => undefined);
      return void (await respond?.({ response_type: 'ephemeral', text: REFUSAL }).catch(() => undefined));
    }
    if (!record?.evaluation) return;
    const evaluation = record.evaluation;
    let result: { ok: true } | { ok: false; reason: string } = { ok: true };
    try {
      const found = await kit.findInstance(sn, evaluation.subject.productId);
      if (!found) throw new Error('the instance is no longer listed');
      const { instance } = found;
      const targets = [
        ...(instance.planAutoRenewal === false && instance.planId ? [instance.planId] : []),
        ...instance.serviceList
          .filter((s) => s.serviceAutoRenewal === false && s.serviceExpireDate !== null && s.serviceId)
          .map((s) => s.serviceId as string),
      ];
      for (const planOrServiceId of targets) {
        const done = await kit.orders.enableAutoRenewal({
          productNo: sn,
          productId: instance.productId,
          planOrServiceId,
        });
        if (!done) throw new Error('the Partner API answered that it did not switch it on');
      }
    } catch (error) {
      logger.warn({ err: errorText(error), sn }, 'enable auto-renewal failed');
      const reason =
        error instanceof YeastarApiError
          ? `${error.detailMessage || error.code} (request id ${error.requestId ?? 'none'})`
          : error instanceof Error && !error.name.startsWith('Yeastar')
            ? error.message
            : 'the Partner Portal API did not answer';
      result = { ok: false, reason };
    }
    await kit.audit
      .record({ user, sn, result: result.ok ? 'autorenew_enabled' : 'autorenew_failed', orderNo: null })
      .catch(() => undefined);
    await kit.messenger.reply(client, alertKey, null, autoRenewMessage(user, sn, result));
    if (result.ok) {
      const order = await kit.ledger.get(alertKey, record.stage ?? 'none');
      const state = order
        ? { by: order.by, orderNo: order.orderNo, status: order.status ?? 'pending' }
        : null;
      await kit.messenger.show(client, alertKey, state, withAutoRenewal);
    }
  });
}
