import type { BlockAction, RespondFn } from '@slack/bolt';
import type { AlertRecord, ClaimResult, SlackMessageRef } from '../../alerts/types.js';
import { textReply } from '../replies.js';
import type { UpdateAlertCopies } from './alert-copies.js';
import type { Answerer } from './answer.js';
import type { WebClient } from './deps.js';
import type { PublishHome } from './home.js';

/** A button pressed under an alert message or on the App Home board. */
export type Click = { body: BlockAction; respond: RespondFn | undefined; client: WebClient };

export const NO_ALERT = 'That button no longer names an alert; nothing was changed.';

export function clickedMessage(body: BlockAction): SlackMessageRef | null {
  const channel = body.channel?.id ?? (body.container.channel_id as string | undefined);
  const ts = body.message?.ts ?? (body.container.message_ts as string | undefined);
  return channel && ts ? { channel, ts } : null;
}

export function fromHome(body: BlockAction): boolean {
  return body.view?.type === 'home' || body.container.type === 'view';
}

export function resolvedNotice(record: AlertRecord | null): string {
  const sn = record?.evaluation?.subject.productNo;
  const what = sn ? `The alert for *${sn}*` : 'That alert';
  return record?.resolveReason === 'vanished'
    ? `${what} has resolved since: the instance is no longer listed. Nothing to do.`
    : `${what} has resolved since (renewed). Nothing to do.`;
}

export type ClickAnswers = {
  /** A short answer to the clicking user: ephemeral under a message, a notice on the App Home board. */
  tell(click: Click, text: string): Promise<void>;
  /** After the store changed an alert: every copy of it shows the change, or the user hears why not. */
  showClaim(click: Click, result: ClaimResult, confirmation: string | null): Promise<void>;
};

export function createClickAnswers(
  answerer: Answerer,
  publishHome: PublishHome,
  updateCopies: UpdateAlertCopies,
): ClickAnswers {
  async function tell(click: Click, text: string): Promise<void> {
    if (fromHome(click.body)) await publishHome(click.client, click.body.user.id, text);
    else await answerer.send(click.respond, textReply(text));
  }

  async function showClaim(click: Click, result: ClaimResult, confirmation: string | null): Promise<void> {
    if (result.outcome === 'resolved') {
      await tell(click, resolvedNotice(result.record));
      return;
    }
    const home = fromHome(click.body);
    // 'already' renders the winner's name: the loser of a race sees who, not an error.
    await updateCopies(click.client, result.record, home ? null : clickedMessage(click.body));
    if (confirmation !== null) await tell(click, confirmation);
    else if (home) await publishHome(click.client, click.body.user.id);
  }

  return { tell, showClaim };
}
