import { createAlertRestore } from '../alerts/alert-restore.js';
import type { Logger } from '../logger.js';
import { SlackRateLimitError, SlackTransportError } from '../slack/api-errors.js';
import type { HistoryPage } from '../slack/history.js';
import type { PipelineContext } from './context.js';
import { indexMarker } from './index-marker.js';
import { createCollector, isDigestRoot } from './rebuild-collect.js';

/**
 * Rebuilds the alert index from Slack when Redis has none (a cache-only Redis, a failover without
 * persistence, an operator's FLUSHALL): the first cycle on such a Redis reads the alert channels' recent
 * history before it decides or posts anything, so a wiped Redis costs no duplicate post and keeps who
 * acknowledged or snoozed what. A marker key says the index is there; its absence is "no state where
 * state should be" (a new Redis too: then the channels are simply empty).
 *
 * Cost: conversations.history returns up to 200 messages a call, so about one call per 200 top-level
 * messages per channel in the window, plus one conversations.replies call per 200 alerts of each digest
 * thread. Both are Tier 3 (about 50 a minute): calls are spaced to stay under it, and a 429 waits its
 * Retry-After and asks again.
 */

const DAY_MS = 86_400_000;
/** Tier 3: 50+ a minute per method and workspace; a few at once, then one every 1.2 s. */
export const HISTORY_PER_MINUTE = 50;
const BURST = 5;
const TRANSPORT_RETRIES = 4;

export type RebuildReport = {
  channels: number;
  historyCalls: number;
  repliesCalls: number;
  restored: number;
  merged: number;
  /** Without the history scopes nothing can be read: today's behaviour, said at start. */
  skipped?: 'missing_scope';
};

/** Alert channels the bot may have posted in: the default one and every route's. */
export function alertChannels(ctx: Pick<PipelineContext, 'config' | 'routes'>): string[] {
  const channels = new Set<string>();
  if (ctx.config.slack.alertChannel) channels.add(ctx.config.slack.alertChannel);
  for (const route of ctx.routes ?? []) for (const channel of route.channels) channels.add(channel);
  return [...channels];
}

/** How far back an open alert's first message can be: the first threshold, then the retention after. */
export function rebuildWindowMs(config: PipelineContext['config']): number {
  return Math.max(0, ...config.alertDays) * DAY_MS + config.alertRetentionMs;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spaces calls to `perMinute` after a small burst (the wall clock: this is about Slack's limiter). */
function createPacer(perMinute: number, burst: number): () => Promise<void> {
  const interval = 60_000 / perMinute;
  let next = 0;
  let free = burst;
  return async () => {
    if (free > 0) {
      free -= 1;
      next = Date.now() + interval;
      return;
    }
    const wait = next - Date.now();
    if (wait > 0) await sleep(wait);
    next = Math.max(Date.now(), next) + interval;
  };
}

/** Once per Redis: rebuilds the index from Slack when its marker is missing. */
export async function ensureIndex(ctx: PipelineContext, log: Logger): Promise<RebuildReport | null> {
  const marker = indexMarker(ctx.config.queuePrefix);
  if ((await ctx.redis.exists(marker)) === 1) return null;
  const report = await rebuildFromSlack(ctx, log);
  // No lifetime: the marker goes only with the data it vouches for.
  await ctx.redis.set(marker, String(ctx.clock()));
  return report;
}

export async function rebuildFromSlack(ctx: PipelineContext, log: Logger): Promise<RebuildReport> {
  const now = ctx.clock();
  const since = now - rebuildWindowMs(ctx.config);
  const channels = alertChannels(ctx);
  const report: RebuildReport = {
    channels: channels.length,
    historyCalls: 0,
    repliesCalls: 0,
    restored: 0,
    merged: 0,
  };
  const pace = createPacer(HISTORY_PER_MINUTE, BURST);
  const collector = createCollector(now);

  async function read(
    channel: string,
    options: { threadTs?: string; cursor?: string },
  ): Promise<HistoryPage | null> {
    for (let attempt = 0; ; attempt++) {
      await pace();
      if (options.threadTs) report.repliesCalls += 1;
      else report.historyCalls += 1;
      try {
        return await ctx.history.page(channel, since, options);
      } catch (error) {
        if (error instanceof SlackRateLimitError) {
          log.warn({ channel, retryAfter: error.retryAfter }, 'rebuild from Slack: rate limited, waiting');
          await sleep(error.retryAfter * 1000);
          continue;
        }
        if (error instanceof SlackTransportError && attempt < TRANSPORT_RETRIES) {
          await sleep(500 * 2 ** attempt);
          continue;
        }
        throw error;
      }
    }
  }

  async function readAll(channel: string, threadTs?: string) {
    const out = [];
    let cursor: string | undefined;
    do {
      const page = await read(channel, { ...(threadTs ? { threadTs } : {}), ...(cursor ? { cursor } : {}) });
      if (!page) return null;
      out.push(...page.messages);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  for (const channel of channels) {
    const top = await readAll(channel);
    if (!top) return { ...report, skipped: 'missing_scope' };
    for (const message of top) {
      collector.add(channel, message);
      if (!isDigestRoot(message)) continue;
      const thread = (await readAll(channel, message.ts)) ?? [];
      for (const reply of thread) if (reply.ts !== message.ts) collector.add(channel, reply, message.ts);
    }
  }

  const { alerts, threadRoots } = collector.result();
  const restore = createAlertRestore({ redis: ctx.redis, prefix: ctx.config.queuePrefix });
  for (const alert of alerts.values()) {
    alert.messages.sort((a, b) => Number(a.ts) - Number(b.ts));
    if (await restore.restore(alert, now)) report.restored += 1;
    else report.merged += 1;
  }
  for (const [ref, root] of threadRoots) {
    // As scope.ts records it when it posts in a digest's thread.
    await ctx.redis.set(
      `${ctx.config.queuePrefix}:slack:thread:${ref}`,
      root,
      'PX',
      ctx.config.alertRetentionMs,
    );
  }
  // A new Redis over empty channels is the usual case: said only when Slack had something to restore.
  log[report.restored + report.merged > 0 ? 'info' : 'debug'](report, 'alert index rebuilt from Slack');
  return report;
}
