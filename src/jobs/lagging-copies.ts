import { stageRank } from '../alerts/rules.js';
import type { Decision, Stage } from '../alerts/types.js';
import type { PipelineContext } from './context.js';
import { planDelivery, targetsFor } from './delivery.js';
import type { EnrichData, NotifyData } from './job-data.js';

/**
 * Per channel, what an unchanged alert still owes: a copy that shows an older stage than its record (its
 * update was lost with a killed cycle, or failed for good) is escalated or updated there, and a channel its
 * routes name that has no copy (its post was lost) gets one, held for quiet hours like any post. Nothing
 * is owed while the alert is snoozed (its record keeps the old stage then) or for copies whose stage is
 * not known (recorded before stages were kept per channel).
 */

type PlannedNotify = { id: string; data: NotifyData; delay?: number };

export type LaggingCopies = {
  /** Channels behind the record's stage: through the enrich step like any change. */
  behind: EnrichData | null;
  due: PlannedNotify[];
  held: PlannedNotify[];
};

export function laggingCopies(
  ctx: PipelineContext,
  cycleId: string,
  d: Decision,
  now: number,
): LaggingCopies {
  const out: LaggingCopies = { behind: null, due: [], held: [] };
  const stage = d.previousStage;
  if (d.action !== 'nothing' || stage === null || d.evaluation.stage !== stage || d.messages.length === 0) {
    return out;
  }
  const behind = d.messages.filter((m) => m.stage !== undefined && m.stage !== stage);
  if (behind.length > 0) {
    const oldest = behind.reduce((a, b) =>
      stageRank(a.stage as Stage) <= stageRank(b.stage as Stage) ? a : b,
    );
    const escalate = stageRank(oldest.stage as Stage) < stageRank(stage);
    out.behind = {
      cycleId,
      alertKey: d.alertKey,
      action: escalate ? 'escalate' : 'update',
      previousStage: (oldest.stage ?? null) as Stage | null,
      evaluation: d.evaluation,
      messages: d.messages,
      channels: behind.map((m) => m.channel),
    };
  }
  for (const { channel, route } of targetsFor(ctx, d.evaluation)) {
    if (d.messages.some((m) => m.channel === channel)) continue;
    const { alertKey } = d;
    // The same job id as the alert's own post in that channel would have: a held one is not doubled.
    const plan = planDelivery({ cycleId, alertKey, action: 'post', channel, route, stage, now });
    const data: NotifyData = {
      cycleId,
      action: 'post',
      alertKey,
      channel,
      inThread: false,
      evaluation: d.evaluation,
      ...(plan.held && plan.at !== undefined ? { heldAt: plan.at } : {}),
    };
    if (plan.held) out.held.push({ id: plan.id, data, ...(plan.delay ? { delay: plan.delay } : {}) });
    else out.due.push({ id: plan.id, data });
  }
  return out;
}
