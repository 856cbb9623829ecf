import { slackDate } from '../alerts/render.js';
import { parseSnoozeValue, type SnoozeKind, snoozeUntil } from '../alerts/snooze.js';
import type { Evaluation } from '../alerts/types.js';

/**
 * Turns a snooze menu choice into the instant the snooze ends, or the reason it cannot apply. The menu
 * a user clicks may be days old (a channel message is not re-rendered every day), so a choice is
 * checked against the alert as it is now, with the same rules as the menu itself (snooze.ts).
 */

export type SnoozeDecision = { ok: true; kind: SnoozeKind; until: number } | { ok: false; reason: string };

type Clock = { now: number; timeZone: string; thresholds: readonly number[] };

function refuse(why: string): SnoozeDecision {
  return { ok: false, reason: `That snooze no longer applies: ${why}. Pick another one from the menu.` };
}

/** "the plan" or "the service" whose expiry the alert counts from. */
function whatExpires(evaluation: Evaluation): string {
  const first = evaluation.findings.find((f) => f.expiresAt === evaluation.expiresAt);
  return first?.subject === 'service' ? 'the service' : 'the plan';
}

export function decideSnooze(
  value: string | undefined,
  evaluation: Evaluation | null,
  clock: Clock,
): SnoozeDecision {
  const kind = value === undefined ? null : parseSnoozeValue(value);
  if (!kind) {
    return { ok: false, reason: 'That is not a snooze this bot knows. Pick one from the menu.' };
  }
  if (!evaluation) return refuse('the alert has no details left to count from');
  const { now, timeZone, thresholds } = clock;
  const { expiresAt, stage } = evaluation;
  const what = whatExpires(evaluation);
  const expired = stage === 'expired' || (expiresAt !== null && expiresAt <= now);
  const until = snoozeUntil(kind, evaluation, thresholds, now, timeZone);
  if (until === null || until <= now) {
    if (kind.kind !== 'for' && expired)
      return refuse(`${what} has already expired, so it has no later stage`);
    if (kind.kind === 'next_stage' && stage === 'switching') {
      return refuse('a plan switch has no next stage by date');
    }
    if (expiresAt === null) return refuse(`the expiry date of ${what} is unknown`);
    return refuse(`${what} expires before then (${slackDate(expiresAt)})`);
  }
  // The snooze would end at expiry anyway (snooze.ts): a later end would be a false promise.
  if (!expired && expiresAt !== null && until > expiresAt) {
    return refuse(`${what} expires before then (${slackDate(expiresAt)})`);
  }
  return { ok: true, kind, until };
}
