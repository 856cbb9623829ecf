import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { KnownBlock, SectionBlock } from '../alerts/block-kit.js';
import type { Logger } from '../logger.js';
import { YeastarAuthError } from '../yeastar/errors.js';

/**
 * The bot watching itself, like Alertmanager's watchdog: failing cycles, an API that refuses our
 * credentials, or a product line that suddenly lists far fewer instances become ONE alert about the bot in
 * the ops channel, updated while the problem lasts and resolved in place when a cycle succeeds again.
 * Customer alerts are never resolved because of such a failure: a product line that shrank suspiciously
 * is left out of the vanish sweep.
 */

export type ProductCount = { productId: string; name: string; instances: number };

export type CycleOutcome = {
  cycleId: string;
  ok: boolean;
  /** Why the cycle failed, when it did. */
  error?: unknown;
  /** Instances listed per product line whose pages all came back. */
  complete: ProductCount[];
};

export type InstanceDrop = { productId: string; name: string; before: number; now: number };

export type SelfProblem = { kind: 'cycle_failures' | 'token' | 'instance_drop'; text: string };

export type SelfMonitor = {
  /** Product lines listing fewer than half the instances of their last good cycle: not swept. */
  drops(complete: ProductCount[]): Promise<InstanceDrop[]>;
  afterCycle(outcome: CycleOutcome): Promise<SelfProblem[]>;
};

type MetaState = {
  failures: number;
  baseline: Record<string, number>;
  problems: SelfProblem[];
  channel: string | null;
  ts: string | null;
  lastError: string | null;
};

/** A line that listed fewer instances than this is too small to judge a drop by. */
const MIN_BASELINE = 20;

export function findDrops(baseline: Record<string, number>, complete: ProductCount[]): InstanceDrop[] {
  const drops: InstanceDrop[] = [];
  for (const line of complete) {
    const before = baseline[line.productId];
    if (before !== undefined && before >= MIN_BASELINE && line.instances < before / 2) {
      drops.push({ productId: line.productId, name: line.name, before, now: line.instances });
    }
  }
  return drops;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isCredentialFailure(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof YeastarAuthError) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export function problemsOf(
  state: MetaState,
  outcome: CycleOutcome,
  drops: InstanceDrop[],
  failAfter: number,
): SelfProblem[] {
  const problems: SelfProblem[] = [];
  if (!outcome.ok && state.failures >= failAfter) {
    problems.push({
      kind: 'cycle_failures',
      text: `${state.failures} poll cycles in a row failed${state.lastError ? `; the last: ${state.lastError}` : ''}.`,
    });
  }
  if (!outcome.ok && isCredentialFailure(outcome.error)) {
    problems.push({
      kind: 'token',
      text: `No API access token can be obtained: ${errorText(outcome.error)}`,
    });
  }
  for (const drop of drops) {
    problems.push({
      kind: 'instance_drop',
      text: `${drop.name} (product ${drop.productId}) lists ${drop.now} instances, down from ${drop.before} in the last good cycle; its alerts stay open until the list looks whole again.`,
    });
  }
  return problems;
}

/** The bot's alert about itself, as chat.postMessage and chat.update take it. */
type SelfAlertMessage = {
  text: string;
  blocks: KnownBlock[];
  metadata: { event_type: string; event_payload: { status: string; kinds: string } };
};

function renderProblems(problems: SelfProblem[], cycleId: string): SelfAlertMessage {
  const text = `Yeastar renewal bot needs attention: ${problems.map((p) => p.text).join(' ')}`;
  return {
    text: text.slice(0, 3000),
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: ':rotating_light: The renewal bot needs attention' },
      },
      ...problems
        .slice(0, 10)
        .map(
          (p): SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text: p.text.slice(0, 2900) } }),
        ),
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `Cycle ${cycleId}. Alerts on customer instances are left as they are: a failed page is not a renewal. This message resolves itself when a cycle succeeds.`,
          },
        ],
      },
    ],
    metadata: {
      event_type: 'yeastar_renewal_bot_health',
      event_payload: { status: 'problem', kinds: problems.map((p) => p.kind).join(',') },
    },
  };
}

function renderResolved(previous: SelfProblem[], cycleId: string): SelfAlertMessage {
  return {
    text: 'Yeastar renewal bot is healthy again',
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: ':white_check_mark: The renewal bot is healthy again' },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Resolved by cycle ${cycleId}. It was: ${previous.map((p) => p.text).join(' ')}`.slice(
            0,
            2900,
          ),
        },
      },
    ],
    metadata: { event_type: 'yeastar_renewal_bot_health', event_payload: { status: 'resolved', kinds: '' } },
  };
}

export function createSelfMonitor(deps: {
  redis: Redis;
  prefix: string;
  slack: WebClient;
  channel: string | undefined;
  failAfter: number;
  logger: Logger;
}): SelfMonitor {
  const key = `${deps.prefix}:meta`;

  async function read(): Promise<MetaState> {
    const raw = await deps.redis.get(key);
    const parsed = raw ? (JSON.parse(raw) as Partial<MetaState>) : {};
    return {
      failures: parsed.failures ?? 0,
      baseline: parsed.baseline ?? {},
      problems: parsed.problems ?? [],
      channel: parsed.channel ?? null,
      ts: parsed.ts ?? null,
      lastError: parsed.lastError ?? null,
    };
  }

  return {
    async drops(complete) {
      return findDrops((await read()).baseline, complete);
    },

    async afterCycle(outcome) {
      const state = await read();
      const drops = findDrops(state.baseline, outcome.complete);
      if (outcome.ok) {
        state.failures = 0;
        state.lastError = null;
      } else {
        state.failures++;
        state.lastError =
          outcome.error === undefined ? 'some jobs of the cycle failed' : errorText(outcome.error);
      }
      // A line's baseline moves only with a good, believable count: a sudden drop keeps the old one.
      const dropped = new Set(drops.map((d) => d.productId));
      if (outcome.ok) {
        for (const line of outcome.complete)
          if (!dropped.has(line.productId)) state.baseline[line.productId] = line.instances;
      }
      const problems = problemsOf(state, outcome, drops, deps.failAfter);
      const changed = JSON.stringify(problems) !== JSON.stringify(state.problems);
      try {
        if (problems.length > 0 && deps.channel) {
          const message = renderProblems(problems, outcome.cycleId);
          if (!state.ts || !state.channel) {
            const posted = await deps.slack.chat.postMessage({ channel: deps.channel, ...message });
            state.channel = posted.channel ?? deps.channel;
            state.ts = posted.ts ?? null;
            deps.logger.warn({ problems: problems.map((p) => p.kind) }, 'self-alert posted');
          } else if (changed) {
            await deps.slack.chat.update({ channel: state.channel, ts: state.ts, ...message });
          }
        } else if (problems.length === 0 && outcome.ok && state.ts && state.channel) {
          await deps.slack.chat.update({
            channel: state.channel,
            ts: state.ts,
            ...renderResolved(state.problems, outcome.cycleId),
          });
          await deps.slack.chat.postMessage({
            channel: state.channel,
            thread_ts: state.ts,
            text: `Resolved: cycle ${outcome.cycleId} succeeded.`,
          });
          deps.logger.info('self-alert resolved');
          state.ts = null;
          state.channel = null;
        }
      } catch (error) {
        // The bot's own alert must not fail the cycle; the next cycle tries again (the state says so).
        deps.logger.error({ err: error }, 'self-alert could not be sent to Slack');
      }
      state.problems = problems;
      await deps.redis.set(key, JSON.stringify(state));
      return problems;
    },
  };
}
