import { renderDigest } from '../../alerts/render.js';
import { messageIn } from '../delivery.js';
import { type NotifyScope, SlackPause } from './scope.js';

/**
 * The thread a post held for quiet hours goes in: none when its batch (same channel, same opening) is
 * small; otherwise the batch's digest, which the first post to get here puts up while the others wait.
 */
export async function heldThread(
  scope: NotifyScope,
  channel: string,
  at: number,
): Promise<string | undefined> {
  const { ctx } = scope;
  if ((await ctx.held.size(channel, at)) <= ctx.config.digestOver) return undefined;
  const existing = await ctx.held.digestTs(channel, at);
  if (existing) return existing;
  if (!(await ctx.held.claimDigest(channel, at, scope.jobId))) throw new SlackPause(1_000);
  const records = await Promise.all((await ctx.held.members(channel, at)).map((key) => ctx.store.get(key)));
  const waiting = records.flatMap((r) =>
    r?.evaluation && r.resolvedAt === null && !messageIn(r, channel) ? [r.evaluation] : [],
  );
  const digest = renderDigest(waiting, {
    now: ctx.clock(),
    timeZone: ctx.config.timeZone,
    heldForQuietHours: true,
  });
  // Recorded in the cycle's `sent` under this alert, so a retry of this job finds it instead of posting again.
  const posted = await scope.postOnce(`held-digest:${channel}`, channel, digest);
  await ctx.held.recordDigest(channel, at, posted.ts);
  return posted.ts;
}
