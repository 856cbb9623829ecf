import { commandBody, FORM, postToSlackApp } from '../sim/slack-sign.js';

/**
 * How fast the bot acknowledges a slash command while a cycle runs in the same process: a signed
 * `/yeastar help`, as Slack sends it, every `everyMs` to the bot's HTTP receiver, each timed from sending
 * to the end of the bot's answer (the ack; the help text itself goes to `responseUrl` afterwards). Slack
 * shows the user an error when the ack takes over 3 s. Sent from the bench's own process, whose event
 * loop has nothing else to do, so a late timer here does not hide a late answer there.
 */

export type AckFigures = {
  sent: number;
  /** Answers with HTTP 200 within Slack's 3 s. */
  acked: number;
  /** Nearest-rank percentiles and the slowest, in ms; a request that failed or came late counts as endless. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
};

export type AckProbeOptions = {
  /** The bot's `POST /slack/events`. */
  url: string;
  signingSecret: string;
  responseUrl: string;
  everyMs: number;
};

const SLACK_ACK_LIMIT_MS = 3_000;

/** The nearest-rank percentile `p` (0–100) of `values`; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** One signed `/yeastar help`; its time to the ack in ms, or Infinity when it failed or came too late. */
export async function timedHelpCommand(options: Omit<AckProbeOptions, 'everyMs'>): Promise<number> {
  const body = commandBody({ text: 'help', userId: 'UBENCH', responseUrl: options.responseUrl });
  const started = performance.now();
  try {
    const answer = await postToSlackApp(options.url, body, FORM, { secret: options.signingSecret });
    const ms = performance.now() - started;
    return answer.status === 200 && ms <= SLACK_ACK_LIMIT_MS ? ms : Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Starts sending; `stop` sends no more, waits for the answers still due and sums them up. */
export function startAckProbe(options: AckProbeOptions): { stop(): Promise<AckFigures> } {
  const timings: Array<Promise<number>> = [];
  const timer = setInterval(() => timings.push(timedHelpCommand(options)), options.everyMs);
  return {
    async stop() {
      clearInterval(timer);
      const ms = await Promise.all(timings);
      return {
        sent: ms.length,
        acked: ms.filter(Number.isFinite).length,
        p50Ms: percentile(ms, 50),
        p99Ms: percentile(ms, 99),
        maxMs: ms.length > 0 ? Math.max(...ms) : Number.NaN,
      };
    },
  };
}
