import type { App, BlockAction } from '@slack/bolt';
import { alertKeyFromBlockId } from '../../alerts/render.js';
import { snoozeConfirmation } from '../../alerts/snooze.js';
import { ACTION_IDS } from '../../alerts/types.js';
import { readActivationClick } from '../activation-button.js';
import { activationReply, textReply } from '../replies.js';
import { decideSnooze } from '../snooze-choice.js';
import type { UpdateAlertCopies } from './alert-copies.js';
import type { Answerer } from './answer.js';
import { type ClickAnswers, clickedMessage, fromHome, NO_ALERT, resolvedNotice } from './click.js';
import { type ListenerDeps, viewSettings } from './deps.js';

export type ButtonKit = { answerer: Answerer; clicks: ClickAnswers; updateCopies: UpdateAlertCopies };

/** The buttons of an alert: Acknowledge, Snooze, Get activation code, Open in Partner Portal. */
export function register(app: App, deps: ListenerDeps, { answerer, clicks, updateCopies }: ButtonKit): void {
  const { config, store, logger, clock } = deps;
  const allowed = new Set(config.slack.activationAllowedUsers);
  const view = viewSettings(config);
  const { send, guarded } = answerer;

  app.action<BlockAction>(ACTION_IDS.acknowledge, async ({ body, action, respond, client }) => {
    await guarded('acknowledge', respond, async () => {
      const click = { body, respond, client };
      const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
      const alertKey = value !== '' ? value : alertKeyFromBlockId(action.block_id);
      if (!alertKey) return clicks.tell(click, NO_ALERT);
      await clicks.showClaim(click, await store.acknowledge(alertKey, body.user.id, clock()), null);
    });
  });

  app.action<BlockAction>(ACTION_IDS.snooze, async ({ body, action, respond, client }) => {
    await guarded('snooze', respond, async () => {
      const click = { body, respond, client };
      const alertKey = alertKeyFromBlockId(action.block_id);
      if (!alertKey) return clicks.tell(click, NO_ALERT);
      const record = await store.get(alertKey);
      if (!record || record.resolvedAt !== null) return clicks.tell(click, resolvedNotice(record));
      // Counted from the alert as stored now, not as it was when the menu was drawn.
      const now = clock();
      const choice = 'selected_option' in action ? action.selected_option?.value : undefined;
      const decision = decideSnooze(choice, record.evaluation, { ...view, now });
      if (!decision.ok) {
        // The stale menu goes too: the message shows the options that still apply.
        if (!fromHome(body)) await updateCopies(client, record, clickedMessage(body));
        return clicks.tell(click, `:hourglass: ${decision.reason}`);
      }
      const result = await store.snooze(alertKey, decision.until, body.user.id, now);
      await clicks.showClaim(click, result, snoozeConfirmation(decision.kind, decision.until, body.user.id));
    });
  });

  app.action<BlockAction>(ACTION_IDS.activationCode, async ({ body, action, respond }) => {
    await guarded('activation button', respond, async () => {
      const value = 'value' in action ? action.value : undefined;
      const click = readActivationClick(value, body.user.id, allowed);
      if (click.kind === 'not_software_edition') {
        return send(
          respond,
          textReply('Activation codes exist only for P-Series Software Edition instances.'),
        );
      }
      if (!respond) {
        logger.warn({ sn: click.sn }, 'activation button without a response_url: nowhere private to answer');
        return;
      }
      const result = await deps.activation({ userId: body.user.id, sn: click.sn, via: 'button' });
      await send(respond, activationReply(result));
    });
  });

  // A URL button: Slack opens the link itself and still reports the click, which needs only the ack.
  app.action(ACTION_IDS.openPortal, async () => {});
}
