import { reminderMentions } from '../alerts/routes.js';
import type { AlertRecord } from '../alerts/types.js';
import type { PipelineContext } from './context.js';
import { planDelivery, routeTo } from './delivery.js';
import { jobIds } from './ids.js';
import type { NotifyData } from './job-data.js';
import { addJobs } from './queue-options.js';

/** The cycle's reminders: in each channel's thread, for alerts nobody acted on since the last notification. */

type PlannedNotify = { id: string; data: NotifyData; delay?: number };

/** Open alerts nobody acknowledged or snoozed whose last notification is `remindEveryMs` old. */
export function needsReminder(record: AlertRecord, now: number, remindEveryMs: number): boolean {
  return remindChannels(record, now, remindEveryMs).length > 0;
}

/** The channels of an alert due a reminder: each counts from its own last notification. */
export function remindChannels(record: AlertRecord, now: number, remindEveryMs: number): string[] {
  if (record.resolvedAt !== null || record.acknowledgedBy !== null || record.stage === null) return [];
  if (record.snoozedUntil !== null && record.snoozedUntil > now) return [];
  return record.messages
    .filter((m) => (m.notifiedAt ?? record.notifiedAt ?? record.firstSeenAt) + remindEveryMs <= now)
    .map((m) => m.channel);
}

/** The cycle's reminder phase, once: due reminders are the cycle's to wait for, held ones are not. */
export async function queueReminders(ctx: PipelineContext, cycleId: string): Promise<void> {
  if (await ctx.state.isFinished(cycleId, jobIds.reminders(cycleId))) return;
  const { due, held } = await planReminders(ctx, cycleId);
  const children = await addJobs(ctx, 'notify', due);
  await addJobs(ctx, 'notify', held);
  await ctx.state.finish(cycleId, jobIds.reminders(cycleId), {
    children,
    counters: { held: held.length },
    fields: { phase: 'remind' },
  });
}

async function planReminders(
  ctx: PipelineContext,
  cycleId: string,
): Promise<{ due: PlannedNotify[]; held: PlannedNotify[] }> {
  const now = ctx.clock();
  const due: PlannedNotify[] = [];
  const held: PlannedNotify[] = [];
  const pageSize = 500;
  const cutoff = now - ctx.config.remindEveryMs;
  for (let offset = 0; ; offset += pageSize) {
    // Only the quiet ones cross the wire: after a storm, a thousand alerts were all just notified.
    const { scanned, records } = await ctx.store.listQuiet({ cutoff, offset, limit: pageSize });
    for (const record of records) {
      if (!record.evaluation || !record.stage) continue;
      const { alertKey, stage, evaluation } = record;
      for (const channel of remindChannels(record, now, ctx.config.remindEveryMs)) {
        const route = routeTo(ctx, evaluation, channel);
        const plan = planDelivery({ cycleId, alertKey, action: 'remind', channel, route, stage, now });
        const data: NotifyData = {
          cycleId,
          action: 'remind',
          alertKey,
          channel,
          stage,
          mentions: reminderMentions(route, stage),
        };
        if (plan.held) held.push({ id: plan.id, data, ...(plan.delay ? { delay: plan.delay } : {}) });
        else due.push({ id: plan.id, data });
      }
    }
    if (scanned < pageSize) break;
  }
  return { due, held };
}
