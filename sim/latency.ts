/**
 * The simulator's per-request latency L, kept as a mean: answers of one kind are written, on average,
 * L ms after their requests arrived.
 *
 * A plain `setTimeout(L)` before answering made every answer late. Node's timers count whole
 * milliseconds from the event loop's clock, and fire only when the loop gets to them; building and
 * writing the answer takes time of its own. Answers came 1 to 1.5 ms after L, more when this process was
 * busy with other requests (or, in the benchmark, with the fake Slack that shares it). The benchmark's
 * lower bound counts L per request, so that lateness was charged to the bot being measured.
 *
 * So each kind of answer (a route: a page of instances costs more to write than a token) keeps a lead:
 * how much earlier than L its timer is set. After each answer the lead moves by a twentieth of how far
 * that answer missed L: it is the kind's mean lateness, so its answers take L on average, which is what
 * the benchmark's bound assumes of every request. A miss counts at most L either way, so one stall
 * longer than that (a GC pause, a process starved of CPU) moves the lead by at most L/20.
 *
 * An earlier version counted a miss at most 2 ms, which left the late tail out of the mean: on a busy
 * machine a fifth of the answers came more than 2 ms late, and the mean answer was 20.7 to 21.2 ms for
 * L = 20, a lateness the bound charged to the bot.
 */
export type Latency = {
  /** Resolves when the answer to a request of this kind, arrived at `arrivedMs`, is due to be built. */
  wait(kind: string, arrivedMs: number, latencyMs: number): Promise<void>;
  /** The answer to that request was written at `answeredMs`: its kind's lead learns from it. */
  answered(kind: string, arrivedMs: number, latencyMs: number, answeredMs: number): void;
  /** The lead of a kind, in ms (0 before its first answer). */
  lead(kind: string): number;
  /** Drops the timers of answers not yet due: their waits never resolve (the server is closing). */
  cancel(): void;
};

const GAIN = 0.05;

/** `now` is the monotonic clock `arrivedMs` and `answeredMs` are read from (tests hand in their own). */
export function createLatency(now: () => number = () => performance.now()): Latency {
  const leads = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  return {
    wait(kind, arrivedMs, latencyMs) {
      const remaining = arrivedMs + latencyMs - (leads.get(kind) ?? 0) - now();
      return new Promise<void>((resolve) => {
        // Whole milliseconds: Node's timers drop a fraction (19.9 fires about as 19 does).
        const timer = setTimeout(
          () => {
            timers.delete(timer);
            resolve();
          },
          Math.max(0, Math.round(remaining)),
        );
        timers.add(timer);
      });
    },
    answered(kind, arrivedMs, latencyMs, answeredMs) {
      const miss = Math.min(latencyMs, Math.max(-latencyMs, answeredMs - arrivedMs - latencyMs));
      const lead = (leads.get(kind) ?? 0) + GAIN * miss;
      leads.set(kind, Math.min(latencyMs, Math.max(-latencyMs, lead)));
    },
    lead: (kind) => leads.get(kind) ?? 0,
    cancel() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
