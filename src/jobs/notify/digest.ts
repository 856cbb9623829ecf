import { renderDigest } from '../../alerts/render.js';
import { targetsFor } from '../delivery.js';
import type { NotifyOf } from '../job-data.js';
import type { NotifyOutcome, NotifyScope } from './scope.js';

/**
 * A storm's digest in one channel: posted once per cycle, or (`streamed: 'complete'`) the digest put up
 * while the scan ran, rewritten with the whole storm; posted anew when that one was deleted.
 */
export async function handle(data: NotifyOf<'digest'>, scope: NotifyScope): Promise<NotifyOutcome> {
  const { ctx } = scope;
  const keys = data.alertKeys ? new Set(data.alertKeys) : null;
  const evaluations = (await ctx.state.posts(data.cycleId)).filter((e) =>
    keys ? keys.has(e.alertKey) : targetsFor(ctx, e).some((t) => t.channel === data.channel),
  );
  const digest = renderDigest(evaluations, {
    now: ctx.clock(),
    timeZone: ctx.config.timeZone,
    ...(data.streamed ? { streamed: data.streamed } : {}),
  });
  const fields: Record<string, string> = {
    [`digestCount:${data.channel}`]: String(evaluations.length),
    [`digestPartial:${data.channel}`]: data.streamed === 'partial' ? '1' : '0',
  };
  const ts =
    data.streamed === 'complete'
      ? await ctx.redis.hget(ctx.state.keys(data.cycleId).hash, `digest:${data.channel}`)
      : null;
  if (ts && (await scope.update({ channel: data.channel, ts }, digest))) {
    return { counter: 'digestUpdates', fields };
  }
  const posted = await scope.postOnce('digest', data.channel, digest);
  fields[`digest:${data.channel}`] = posted.ts;
  return { counter: 'digests', fields };
}
