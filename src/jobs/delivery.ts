import { deliverAt } from '../alerts/quiet-hours.js';
import { type Route, type RouteTarget, routeAlert } from '../alerts/routes.js';
import type { AlertRecord, Evaluation, SlackMessageRef, Stage } from '../alerts/types.js';
import type { PipelineContext } from './context.js';
import { channelStep, jobIds } from './ids.js';

/**
 * Where an alert's messages go (the routes) and when (quiet hours). A delivery that must wait for a
 * route's business hours becomes a delayed job whose id names the instant it goes out: the cycles that
 * run meanwhile compute the same id and BullMQ keeps the one job, so a held message is neither lost
 * nor doubled, and no cycle waits for it.
 */

export function targetsFor(
  ctx: Pick<PipelineContext, 'routes' | 'config'>,
  evaluation: Evaluation,
): RouteTarget[] {
  return routeAlert(ctx.routes, evaluation, ctx.config.slack.alertChannel);
}

/** The route that sends `evaluation` to `channel` now, or null (default channel, or no longer routed). */
export function routeTo(
  ctx: Pick<PipelineContext, 'routes' | 'config'>,
  evaluation: Evaluation,
  channel: string,
): Route | null {
  return targetsFor(ctx, evaluation).find((t) => t.channel === channel)?.route ?? null;
}

export function messageIn(
  record: Pick<AlertRecord, 'messages'> | null,
  channel: string,
): SlackMessageRef | null {
  return record?.messages.find((m) => m.channel === channel) ?? null;
}

/** `at`: the instant a held delivery goes out (the route's next opening). */
export type PlannedJob = { id: string; delay?: number; held: boolean; at?: number };

/** The job id (and delay) of one delivery: due now, or held until the route's next opening. */
export function planDelivery(options: {
  cycleId: string;
  alertKey: string;
  action: string;
  channel: string;
  route: Route | null;
  stage: Stage | null;
  now: number;
}): PlannedJob {
  const { cycleId, alertKey, action, channel, route, stage, now } = options;
  const step = channelStep(action, channel);
  const at = stage === null ? now : deliverAt(route?.quietHours ?? null, stage, now);
  if (at <= now) return { id: jobIds.notify(cycleId, alertKey, step), held: false };
  return { id: jobIds.held(alertKey, step, at), delay: at - now, held: true, at };
}
