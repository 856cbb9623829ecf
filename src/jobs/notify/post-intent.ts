import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { indexMarker } from '../index-marker.js';

/**
 * The intent written before a chat.postMessage: which post id it carries, where and when. Found later
 * without a recorded ts, it means an earlier attempt may have reached Slack and lost its answer; the post
 * id is then looked for in the channel before posting again (scope.ts). Removed once the ts is recorded;
 * its lifetime (relative, as every one) outlasts any retry of the job.
 *
 * Beside it, a short claim names the job whose post may be in flight: another job meeting the same intent
 * (a repair and a cycle's post of one copy) waits for it instead of posting beside it.
 */

export type PostIntent = { postId: string; channel: string; at: number; threadTs?: string };

const INTENT_MS = 7 * 86_400_000;
/** Longer than any one chat.postMessage takes. */
export const IN_FLIGHT_MS = 30_000;

export type OpenedIntent = PostIntent & {
  /** False when an earlier attempt wrote it (its post id kept): Slack may have that post. */
  fresh: boolean;
  /** Another job holds the claim: its post may be in flight. */
  busy: boolean;
  /** The alert index is there (rebuild.ts): false right after Redis lost its data. */
  indexed: boolean;
};

export type PostIntents = {
  open(id: string, owner: string, intent: Omit<PostIntent, 'postId'>): Promise<OpenedIntent>;
  /** Removes the intent and its claim once the post is on record (or Slack said no). */
  close(id: string): Promise<unknown>;
  /** Gives up the claim: the call came back (failed), nothing of ours is in flight any more. */
  release(id: string): Promise<unknown>;
};

export function newPostId(): string {
  return randomBytes(9).toString('base64url');
}

function parse(text: unknown): PostIntent | null {
  if (typeof text !== 'string') return null;
  try {
    const earlier = JSON.parse(text) as PostIntent;
    return typeof earlier.postId === 'string' && typeof earlier.at === 'number' ? earlier : null;
  } catch {
    // Not ours or cut: treated as no intent, the new one replaces it.
    return null;
  }
}

export function createPostIntents(redis: Redis, prefix: string): PostIntents {
  const key = (id: string) => `${prefix}:intent:${id}`;
  return {
    async open(id, owner, fields) {
      const intent: PostIntent = { postId: newPostId(), ...fields };
      const claim = `${key(id)}:claim`;
      const replies =
        (await redis
          .multi()
          .set(key(id), JSON.stringify(intent), 'PX', INTENT_MS, 'NX')
          .get(key(id))
          .set(claim, owner, 'PX', IN_FLIGHT_MS, 'NX')
          .get(claim)
          .exists(indexMarker(prefix))
          .exec()) ?? [];
      const [set, existing, , holder, marker] = replies.map(([, value]) => value);
      const seen = { busy: typeof holder === 'string' && holder !== owner, indexed: marker === 1 };
      if (set === 'OK') return { ...intent, fresh: true, ...seen };
      const earlier = parse(existing);
      if (earlier) return { ...earlier, fresh: false, ...seen };
      await redis.set(key(id), JSON.stringify(intent), 'PX', INTENT_MS);
      return { ...intent, fresh: true, ...seen };
    },
    close: (id) => redis.del(key(id), `${key(id)}:claim`),
    release: (id) => redis.del(`${key(id)}:claim`),
  };
}
