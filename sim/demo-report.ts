import type { Evaluation, Severity } from '../src/alerts/types.js';

/**
 * The lines that close `npm run demo`: how many alerts of each severity, where they went in Slack, and
 * how to go from the demo to a real partner account. Pure, so the wording is tested without a cycle.
 */

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'warning', 'info'];

export function severityCounts(evaluations: readonly Pick<Evaluation, 'severity'>[]): string {
  const counts = new Map<Severity, number>(SEVERITIES.map((s) => [s, 0]));
  for (const { severity } of evaluations)
    counts.set(severity ?? 'info', (counts.get(severity ?? 'info') ?? 0) + 1);
  return SEVERITIES.map((s) => `${counts.get(s)} ${s}`).join(', ');
}

export function demoClosingLines(options: {
  evaluations: readonly Pick<Evaluation, 'severity'>[];
  topLevelMessages: number;
  digested: boolean;
  outDir: string;
  files: number;
}): string[] {
  const { evaluations, topLevelMessages: top, digested } = options;
  const n = evaluations.length;
  return [
    `${n} alert${n === 1 ? '' : 's'} need${n === 1 ? 's' : ''} attention (listed above, most urgent first): ${severityCounts(evaluations)}.`,
    `In Slack they went to one channel as ${top} top-level message${top === 1 ? '' : 's'}` +
      `${digested ? ' (a digest, with the alerts in its thread: more than DIGEST_OVER new alerts at once)' : ''}.`,
    `Block Kit JSON of each message (paste its "blocks" into Slack's Block Kit Builder): ${options.outDir}/ (${options.files} files)`,
  ];
}

/** The last lines: from the demo to a real account, in the order an operator does it. */
export const GO_LIVE_LINES: readonly string[] = [
  'To go live: cp .env.example .env, then set',
  '  YEASTAR_CLIENT_ID, YEASTAR_CLIENT_SECRET  (Partner Portal > System > API)',
  '  SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_ALERT_CHANNEL  (README: Setting up Slack)',
  '  REDIS_URL  (a Redis with persistence on; docker compose up -d starts one)',
  'then `npm run check` runs one real cycle and posts to Slack, and `npm start` keeps the bot running.',
];
