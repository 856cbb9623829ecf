import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The intent written before a chat.postMessage: which post id it carries, where and when. Found later
 * without a recorded ts, it means an earlier attempt may have reached Slack and lost its answer; the post
 * id is then looked for in the channel before posting again (scope.ts). Removed once the ts is recorded;
 * its lifetime (relative, as every one) outlasts any retry of the job.
 */

export type PostIntent = { postId: string; channel: string; at: number; threadTs?: string };

const INTENT_MS = 7 * 86_400_000;

export type PostIntents = {
  /** This attempt's intent: `fresh` false when an earlier attempt wrote it (same post id kept). */
  open(
    id: string,
    channel: string,
    at: number,
    threadTs: string | undefined,
  ): Promise<PostIntent & { fresh: boolean }>;
  /** Removes the intent once the post is on record (pipelined with the record by the caller). */
  close(id: string): Promise<unknown>;
};

export function newPostId(): string {
  return randomBytes(9).toString('base64url');
}

export function createPostIntents(redis: Redis, prefix: string): PostIntents {
  const key = (id: string) => `${prefix}:intent:${id}`;
  return {
    async open(id, channel, at, threadTs) {
      const intent: PostIntent = { postId: newPostId(), channel, at, ...(threadTs ? { threadTs } : {}) };
      const [[, set] = [], [, existing] = []] =
        (await redis
          .multi()
          .set(key(id), JSON.stringify(intent), 'PX', INTENT_MS, 'NX')
          .get(key(id))
          .exec()) ?? [];
      if (set === 'OK' || typeof existing !== 'string') return { ...intent, fresh: true };
      try {
        const earlier = JSON.parse(existing) as PostIntent;
        if (typeof earlier.postId === 'string' && typeof earlier.at === 'number') {
          return { ...earlier, fresh: false };
        }
      } catch {
        // Not ours or cut: treated as no intent, the new one replaces it.
      }
      await redis.set(key(id), JSON.stringify(intent), 'PX', INTENT_MS);
      return { ...intent, fresh: true };
    },
    close: (id) => redis.del(key(id)),
  };
}
