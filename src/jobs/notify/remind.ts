import type { SectionBlock } from '../../alerts/block-kit.js';
import { renderThreadReply } from '../../alerts/render.js';
import { messageIn } from '../delivery.js';
import type { NotifyOf } from '../job-data.js';
import type { NotifyOutcome, NotifyScope } from './scope.js';

/** A reminder in the thread of an alert nobody acted on, mentioning the route's people at `1d` and `expired`. */
export async function handle(data: NotifyOf<'remind'>, scope: NotifyScope): Promise<NotifyOutcome> {
  const { ctx, record } = scope;
  const step = `remind:${data.channel}`;
  const ref = messageIn(record, data.channel);
  const now = ctx.clock();
  // Checked again when it goes out (it may have waited for quiet hours): an acknowledgement, a
  // snooze, a resolution or a new stage (which notified on its own) since makes it moot.
  const moot =
    !record ||
    !ref ||
    record.resolvedAt !== null ||
    record.acknowledgedBy !== null ||
    (record.snoozedUntil !== null && record.snoozedUntil > now) ||
    record.stage !== data.stage;
  if (moot && !(await scope.sentBefore(data.alertKey, step))) return { counter: 'skippedReminders' };
  if (!record?.evaluation || !ref) return { counter: 'skippedReminders' };
  const reply = renderThreadReply('reminder', scope.view(record.evaluation, record));
  const mentions: SectionBlock | null = data.mentions
    ? { type: 'section', text: { type: 'mrkdwn', text: data.mentions } }
    : null;
  const message = mentions
    ? { text: `${data.mentions} ${reply.text}`, blocks: [mentions, ...reply.blocks] }
    : reply;
  await scope.postOnce(step, ref.channel, message, await scope.threadOf(ref));
  scope.write(ctx.store.markNotified(data.alertKey, now, ref.channel));
  return { counter: 'reminded' };
}
