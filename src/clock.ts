/**
 * The bot's clock, and the one rule for how time reaches Redis.
 *
 * The app's clock decides what is due: every "now" comes from an injected `Clock` (tests pass a fixed or
 * moved one), is kept as epoch milliseconds, and is compared in the app or handed to a Lua script as an
 * argument. Redis expires keys on its own clock, which is another machine's in production and the real one
 * in tests, so Redis is only ever given:
 * - a relative lifetime (`PX`, `PEXPIRE`), computed here from the app's clock with `lifetimeUntil`;
 * - or a time Redis computed itself (`TIME` inside a script).
 * Never `PXAT`, `EXAT`, `PEXPIREAT` or `EXPIREAT` with a time from the app's clock: a key set a year ahead
 * of Redis's clock would live a year, and one set behind it would be born expired.
 *
 * BullMQ follows the same rule where we feed it: `delay` is relative; `moveToDelayed` takes BullMQ's own
 * timestamp (the process's real `Date.now()`), never the injected clock.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/**
 * A lifetime for `PX`/`PEXPIRE`: from `now` until `at` (both on the app's clock), then `afterMs` more.
 * Never below `afterMs` (an instant already past keeps its key `afterMs`), and never below 1 ms, which Redis
 * would refuse.
 */
export function lifetimeUntil(at: number, now: number, afterMs = 0): number {
  return Math.max(1, Math.ceil(Math.max(0, at - now) + afterMs));
}
