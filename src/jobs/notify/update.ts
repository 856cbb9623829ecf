import { renderAlert, renderThreadReply } from '../../alerts/render.js';
import { messageIn } from '../delivery.js';
import type { NotifyOf } from '../job-data.js';
import { heldThread } from './held-thread.js';
import type { NotifyOutcome, NotifyScope } from './scope.js';

/**
 * An alert that changed: its message in one channel updated in place (posted when the channel has none
 * yet, or it was deleted); an escalation also says so in the message's thread.
 */
export async function handle(
  data: NotifyOf<'escalate' | 'update'>,
  scope: NotifyScope,
): Promise<NotifyOutcome> {
  const { ctx, record } = scope;
  if (!record || record.resolvedAt !== null) return { counter: 'skippedPosts' };
  const evaluation = record.evaluation ?? data.evaluation;
  const rendered = renderAlert(scope.view(evaluation, record));
  const ref = messageIn(record, data.channel);
  const updated = ref ? await scope.update(ref, rendered) : false;
  const stage = evaluation.stage ?? undefined;
  if (!updated) {
    // The channel has no message yet (a route added it at this stage), or it was deleted. Held for
    // the route's opening, it goes with the other held posts of that opening (their digest when many).
    const threadTs =
      data.heldAt === undefined ? undefined : await heldThread(scope, data.channel, data.heldAt);
    await scope.postAlert(data.alertKey, data.channel, evaluation, record, threadTs);
  } else if (data.action === 'escalate' && ref) {
    const reply = renderThreadReply('escalated', {
      ...scope.view(evaluation, record),
      previousStage: data.previousStage,
    });
    await scope.postOnce(`escalated:${ref.channel}`, ref.channel, reply, await scope.threadOf(ref));
    scope.write(ctx.store.markNotified(data.alertKey, ctx.clock(), ref.channel, stage));
  } else if (ref) {
    // What this channel's copy shows now: a copy another channel's failure left behind is told apart.
    scope.write(ctx.store.markNotified(data.alertKey, null, ref.channel, stage));
  }
  return { counter: data.action === 'escalate' ? 'escalated' : 'updated' };
}
