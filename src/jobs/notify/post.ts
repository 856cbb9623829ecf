import { messageIn } from '../delivery.js';
import { unrecoverable } from '../errors.js';
import type { NotifyOf } from '../job-data.js';
import { heldThread } from './held-thread.js';
import type { NotifyOutcome, NotifyScope } from './scope.js';

/** A new alert's first message in one channel: top-level, in the cycle's digest thread, or in a held batch's. */
export async function handle(data: NotifyOf<'post'>, scope: NotifyScope): Promise<NotifyOutcome> {
  const { record } = scope;
  // Resolved (or forgotten) between the scan and now: nothing to announce any more. Already in
  // this channel (an urgent escalation went ahead of a post held for quiet hours): nothing either.
  if (
    !record ||
    record.resolvedAt !== null ||
    (messageIn(record, data.channel) && !(await scope.sentBefore(data.alertKey, `post:${data.channel}`)))
  ) {
    return { counter: 'skippedPosts' };
  }
  let threadTs: string | undefined;
  if (data.inThread) {
    threadTs = scope.digestTs ?? undefined;
    // Without its digest a threaded post would land top-level and break storm control; the next
    // cycle posts it again (its record has no message).
    if (!threadTs) throw unrecoverable(new Error(`no digest message in ${data.channel} for this cycle`));
  } else if (data.heldAt !== undefined) {
    threadTs = await heldThread(scope, data.channel, data.heldAt);
  }
  await scope.postAlert(data.alertKey, data.channel, record.evaluation ?? data.evaluation, record, threadTs);
  return { counter: 'posted' };
}
