import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** Runs a Lua script with these KEYS and ARGV; resolves with its reply. */
export type RedisScript = (
  keys: readonly string[],
  args: readonly (string | number | Buffer)[],
) => Promise<unknown>;

type CustomCommand = (numberOfKeys: number, ...keysAndArgs: (string | number | Buffer)[]) => Promise<unknown>;

/**
 * A Lua script as an ioredis custom command (`defineCommand`): ioredis sends EVALSHA, so a call does not
 * carry the script's text, and EVAL only where the server does not know it yet (first call on a
 * connection, a restart, SCRIPT FLUSH). `name` must be unique on the connection. The key count goes
 * with each call, so a script may take any number of keys.
 */
export function defineScript(redis: Redis, name: string, lua: string): RedisScript {
  redis.defineCommand(name, { lua });
  // defineCommand adds the method at run time; its type is not known to ioredis's declarations.
  const command = (redis as unknown as Record<string, CustomCommand>)[name]!;
  return (keys, args) => command.call(redis, keys.length, ...keys, ...args);
}

/** The text of a Lua file kept beside the module that runs it (`new URL('./lua/x.lua', import.meta.url)`). */
export function readLua(url: URL): string {
  return readFileSync(url, 'utf8');
}
