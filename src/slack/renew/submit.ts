import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { buildOrderRequest } from '../../renew/order-request.js';
import type { RenewOutcome } from '../../renew/renewer.js';
import { errorText } from '../listeners/answer.js';
import type { RenewKit } from './kit.js';
import { REFUSAL } from './open-modal.js';
import { outcomeMessage } from './thread.js';
import { messageView, RENEW_CALLBACK_ID, type RenewMeta, readMeta, readSubmission } from './views.js';

/**
 * Submitting `renew_confirm`: the middleware has already answered Slack (ack.ts), so the work here
 * may take as long as the API does. The user is checked again (the list may have changed since the
 * modal opened); then one order for the alert and stage, its outcome in the modal, in the alert's
 * thread and on the alert message.
 */
export function register(app: App, kit: RenewKit): void {
  const { logger } = kit.deps;

  async function tell(
    client: WebClient,
    viewId: string,
    meta: RenewMeta,
    outcome: RenewOutcome,
    user: string,
  ) {
    const message = outcomeMessage(outcome, user);
    await client.views
      .update({ view_id: viewId, view: messageView(message.text) })
      .catch((error: unknown) => {
        // Closed by the user meanwhile: the thread still has it.
        logger.info({ err: errorText(error) }, 'renewal modal no longer open');
      });
    // A second attempt hears who ordered in its modal; the thread already says so.
    if (outcome.kind === 'already') return;
    const fallback = meta.channel && meta.ts ? { channel: meta.channel, ts: meta.ts } : null;
    await kit.messenger.reply(client, meta.alertKey, fallback, message);
    if (outcome.kind === 'placed' || outcome.kind === 'awaiting_approval') {
      const { entry } = outcome;
      await kit.messenger.show(client, meta.alertKey, {
        by: entry.by,
        orderNo: entry.orderNo,
        status: entry.status ?? 'pending',
      });
    }
  }

  app.view(RENEW_CALLBACK_ID, async ({ body, view, client }) => {
    const user = body.user.id;
    const meta = readMeta(view.private_metadata);
    const submission = readSubmission(view.state as Parameters<typeof readSubmission>[0]);
    if (!meta || !submission || 'error' in submission) return;
    try {
      if (!kit.allowed(user)) {
        await kit.audit.record({ user, sn: meta.sn, result: 'refused', orderNo: null });
        await client.views.update({ view_id: view.id, view: messageView(REFUSAL) });
        return;
      }
      // The order is built from the instance as it is now, not as it was when the modal opened.
      const found = await kit.findInstance(meta.sn, meta.productId);
      if (!found) {
        await client.views.update({
          view_id: view.id,
          view: messageView(`No instance *${meta.sn}* any more.`),
        });
        return;
      }
      const order = buildOrderRequest(found.instance, submission);
      const outcome = await kit.renewer.submit({
        alertKey: meta.alertKey,
        stage: meta.stage,
        user,
        sn: meta.sn,
        productId: meta.productId,
        order,
        channel: meta.channel,
        ts: meta.ts,
        viewId: view.id,
      });
      await tell(client, view.id, meta, outcome, user);
    } catch (error) {
      logger.error({ err: errorText(error), sn: meta.sn }, 'renewal submit failed');
      await client.views
        .update({
          view_id: view.id,
          view: messageView(':warning: Something went wrong on our side; it has been logged.'),
        })
        .catch(() => undefined);
    }
  });
}
