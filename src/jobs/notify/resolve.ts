import { renderResolved, renderThreadReply } from '../../alerts/render.js';
import type { NotifyOf } from '../job-data.js';
import type { NotifyOutcome, NotifyScope } from './scope.js';

/** A renewed or vanished instance: every message of its alert shows it resolved, with a reply in each thread. */
export async function handle(data: NotifyOf<'resolve'>, scope: NotifyScope): Promise<NotifyOutcome> {
  const { record } = scope;
  const refs = record?.messages ?? [];
  if (!record || refs.length === 0) return { counter: 'resolved' };
  // The last alerting evaluation keeps the facts a reader saw; a renewal's new one has none.
  const evaluation = record.evaluation?.findings.length ? record.evaluation : data.evaluation;
  const base = scope.view(evaluation, record);
  const resolved = renderResolved({ ...base, reason: data.reason, renewedUntil: data.renewedUntil });
  for (const ref of refs) {
    if (!(await scope.update(ref, resolved))) continue;
    const reply = renderThreadReply(data.reason === 'vanished' ? 'vanished' : 'resolved', {
      ...base,
      renewedUntil: data.renewedUntil,
    });
    await scope.postOnce(`resolved:${ref.channel}`, ref.channel, reply, await scope.threadOf(ref));
  }
  return { counter: 'resolved' };
}
