import type { Redis } from 'ioredis';

/**
 * Slack redelivers a request it thinks went unanswered (`X-Slack-Retry-Num`). The first delivery of
 * an interaction claims its id with SET NX; a later copy finds the claim and is only acknowledged.
 */

/** Long enough to outlive Slack's retries (minutes), short enough to keep Redis tidy. */
export const DEDUPE_TTL_MS = 15 * 60_000;

type Body = Record<string, unknown>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The id every delivery of one interaction shares, or null when the body has none. */
export function interactionId(body: Body): string | null {
  const eventId = text(body.event_id);
  if (eventId) return `event:${eventId}`;
  const triggerId = text(body.trigger_id);
  if (triggerId) return `trigger:${triggerId}`;
  const actions = Array.isArray(body.actions) ? (body.actions as Body[]) : [];
  const actionTs = text(actions[0]?.action_ts);
  const user = body.user as Body | undefined;
  const userId = text(user?.id) ?? text(body.user_id);
  if (actionTs && userId) return `action:${actionTs}:${userId}`;
  return null;
}

export function createDeduper(deps: { redis: Redis; prefix: string; ttlMs?: number }) {
  const ttlMs = deps.ttlMs ?? DEDUPE_TTL_MS;
  return {
    /** True for the first delivery of `id`, false for every later one. */
    async first(id: string): Promise<boolean> {
      const reply = await deps.redis.set(`${deps.prefix}:slack:seen:${id}`, '1', 'PX', ttlMs, 'NX');
      return reply === 'OK';
    },
  };
}

export type Deduper = ReturnType<typeof createDeduper>;
