/**
 * The clock the bench's bot and simulator share: real time, moved so that the bench starts at midday UTC
 * (the bench runs with TZ=UTC). Alerts follow calendar days left, so a run that straddled midnight would
 * see its unchanged second cycle rightly escalate every alert that crossed a stage at midnight, and report
 * Slack calls where the target says 0. From midday, a run has twelve hours before the day changes.
 */

const DAY_MS = 86_400_000;

/** Milliseconds to add to real time for the clock to read midday UTC of `realNowMs`'s day. */
export function middayOffsetMs(realNowMs: number): number {
  return Math.floor(realNowMs / DAY_MS) * DAY_MS + DAY_MS / 2 - realNowMs;
}

export function offsetClock(offsetMs: number): () => number {
  return () => Date.now() + offsetMs;
}
