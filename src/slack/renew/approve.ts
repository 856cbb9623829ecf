import type { App, BlockAction } from '@slack/bolt';
import { RENEW_ACTION_IDS } from '../../alerts/render-renew.js';
import { errorText } from '../listeners/answer.js';
import type { RenewKit } from './kit.js';
import { outcomeMessage } from './thread.js';

/**
 * The two-person rule's second click (`RENEW_APPROVERS`): a listed approver who is not the requester
 * approves the order waiting in the thread, and only then is it sent.
 */

const NOT_APPROVER = ':lock: Only the people in RENEW_APPROVERS may approve renewal orders.';
const OWN_ORDER = ':no_entry: You asked for this renewal: someone else must approve it.';
const NOTHING = 'That order has been approved or withdrawn already; nothing was sent.';

function readValue(raw: unknown): { alertKey: string; stage: string } | null {
  try {
    const v = JSON.parse(typeof raw === 'string' ? raw : '') as { alertKey?: unknown; stage?: unknown };
    return typeof v.alertKey === 'string' && typeof v.stage === 'string'
      ? { alertKey: v.alertKey, stage: v.stage }
      : null;
  } catch {
    return null;
  }
}

export function register(app: App, kit: RenewKit): void {
  const { logger } = kit.deps;

  app.action<BlockAction>(RENEW_ACTION_IDS.approve, async ({ body, action, respond, client }) => {
    const user = body.user.id;
    const target = readValue('value' in action ? action.value : undefined);
    const say = (text: string) => respond?.({ response_type: 'ephemeral', text }).catch(() => undefined);
    if (!target) return void (await say(NOTHING));
    try {
      const result = await kit.renewer.approve(target.alertKey, target.stage, user);
      if (result.kind === 'not_approver') {
        await kit.audit.record({ user, sn: target.alertKey, result: 'approve_refused', orderNo: null });
        return void (await say(NOT_APPROVER));
      }
      if (result.kind === 'own_order') return void (await say(OWN_ORDER));
      if (result.kind === 'nothing_to_approve') return void (await say(NOTHING));
      const message = outcomeMessage(result, user);
      const channel = body.channel?.id;
      const ts = body.message?.ts;
      // The approval request becomes the outcome: its button goes, so nobody approves twice.
      if (channel && ts)
        await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
      if (result.kind === 'placed') {
        await kit.messenger.show(client, target.alertKey, {
          by: result.entry.by,
          orderNo: result.entry.orderNo,
          status: result.entry.status ?? 'pending',
        });
      }
    } catch (error) {
      logger.error({ err: errorText(error) }, 'renewal approval failed');
      await say(':warning: Something went wrong on our side; it has been logged.');
    }
  });
}
