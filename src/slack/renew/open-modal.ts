import type { App, BlockAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { RENEW_ACTION_IDS } from '../../alerts/render-renew.js';
import { buildOrderRequest } from '../../renew/order-request.js';
import { YeastarApiError } from '../../yeastar/errors.js';
import { parseCommand } from '../commands.js';
import { errorText } from '../listeners/answer.js';
import { clickedMessage } from '../listeners/click.js';
import { COMMAND } from '../listeners/command.js';
import type { RenewKit } from './kit.js';
import { confirmView, loadingView, messageView, type RenewMeta } from './views.js';

/**
 * `Renew…` on an alert and `/yeastar renew <SN>`: an allowed user gets the `renew_confirm` modal. The
 * trigger id lives ~3 s, so a small loading view opens at once and is replaced once the live data
 * (the instance, the billing contacts) has arrived. Anyone else gets an ephemeral refusal and no API call.
 */

export const REFUSAL = ':lock: Sorry, only the people in RENEW_ALLOWED_USERS may order renewals.';

type Respond = ((message: { response_type: 'ephemeral'; text: string }) => Promise<unknown>) | undefined;

export function register(app: App, kit: RenewKit): void {
  const { deps } = kit;
  const { store, logger } = deps;

  async function refuse(user: string, sn: string, respond: Respond): Promise<void> {
    await kit.audit.record({ user, sn, result: 'refused', orderNo: null }).catch(() => undefined);
    await respond?.({ response_type: 'ephemeral', text: REFUSAL }).catch(() => undefined);
  }

  async function open(
    client: WebClient,
    triggerId: string,
    meta: Omit<RenewMeta, 'productId'> & { productId?: string },
  ) {
    const opened = await client.views.open({ trigger_id: triggerId, view: loadingView(meta.sn) });
    const viewId = opened.view?.id;
    if (!viewId) return;
    const show = (view: ReturnType<typeof messageView>) => client.views.update({ view_id: viewId, view });
    try {
      const found = await kit.findInstance(meta.sn, meta.productId);
      if (!found)
        return void (await show(messageView(`No instance with SN *${meta.sn}* in any product line.`)));
      const contacts = await kit.orders.listBillingContacts();
      const order = buildOrderRequest(found.instance, {
        billingId: contacts[0]?.billingContactId ?? '',
        cycles: 1,
      });
      const full: RenewMeta = { ...meta, productId: found.instance.productId };
      await show(
        confirmView({
          meta: full,
          instance: found.instance,
          productName: found.productName,
          order,
          contacts,
          mode: kit.mode,
          twoPerson: deps.config.renew.approvers.length > 0,
        }),
      );
    } catch (error) {
      logger.warn({ err: errorText(error), sn: meta.sn }, 'renewal modal: live data unavailable');
      const why =
        error instanceof YeastarApiError
          ? `${error.detailMessage || error.code} (request id \`${error.requestId ?? 'none'}\`)`
          : 'the Partner Portal API did not answer';
      await show(
        messageView(`:warning: The renewal form could not be built: ${why}. Try again in a minute.`),
      );
    }
  }

  app.action<BlockAction>(RENEW_ACTION_IDS.open, async ({ body, action, respond, client }) => {
    const alertKey = 'value' in action && typeof action.value === 'string' ? action.value : '';
    const user = body.user.id;
    const record = alertKey ? await store.get(alertKey) : null;
    const sn = record?.evaluation?.subject.productNo ?? alertKey.split(':')[1] ?? '?';
    if (!kit.allowed(user)) return refuse(user, sn, respond);
    if (!record?.evaluation || record.resolvedAt !== null) {
      await respond?.({
        response_type: 'ephemeral',
        text: 'That alert has resolved since; nothing to renew.',
      });
      return;
    }
    const ref = clickedMessage(body) ?? record.messages[0] ?? null;
    await open(client, body.trigger_id, {
      alertKey,
      stage: record.stage ?? 'none',
      sn,
      productId: record.evaluation.subject.productId,
      channel: ref?.channel ?? null,
      ts: ref?.ts ?? null,
    }).catch((error: unknown) => logger.error({ err: errorText(error) }, 'renewal modal failed to open'));
  });

  // Beside command.ts's listener, which leaves `renew` to this one while renewing is on.
  app.command(COMMAND, async ({ command, respond, client }) => {
    const parsed = parseCommand(command.text);
    if (!parsed.ok || parsed.command.kind !== 'renew') return;
    const { sn } = parsed.command;
    if (!kit.allowed(command.user_id)) return refuse(command.user_id, sn, respond);
    const record = await store.findBySn(sn);
    const live = record?.evaluation && record.resolvedAt === null ? record : null;
    const productId = live?.evaluation?.subject.productId;
    await open(client, command.trigger_id, {
      alertKey: live?.alertKey ?? `${productId ?? '?'}:${sn}`,
      stage: live?.stage ?? 'manual',
      sn,
      ...(productId ? { productId } : {}),
      channel: live?.messages[0]?.channel ?? null,
      ts: live?.messages[0]?.ts ?? null,
    }).catch((error: unknown) => logger.error({ err: errorText(error) }, 'renewal modal failed to open'));
  });
}
