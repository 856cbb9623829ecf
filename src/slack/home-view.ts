import { SLACK_LIMITS, truncate } from '../alerts/block-limits.js';
import { ACTIONS_BLOCK_ID, portalLink, slackDate, snoozeMenu, stageTitle } from '../alerts/render.js';
import { productNameOf, stageRank } from '../alerts/rules.js';
import type { AlertRecord, Stage } from '../alerts/types.js';
import { ACTION_IDS } from '../alerts/types.js';
import { alertLine } from './replies.js';

/**
 * The App Home tab as the renewal board: open alerts counted by stage and product line, and the next
 * expirations with the same Acknowledge/Snooze controls as the channel messages (same action ids and
 * block ids, so one set of handlers serves both). Pure; at most 100 blocks, Slack's Home limit.
 */

export const HOME_BLOCK_LIMIT = 100;
export const HOME_ALERT_LIMIT = 20;

export type HomeViewInput = {
  counts: { byStage: Record<string, number>; byProduct: Record<string, number>; total: number };
  records: AlertRecord[];
  now: number;
  timeZone: string;
  portalUrl: string;
  /** `ALERT_DAYS`, for the snooze menus (render.ts's default when left out). */
  thresholds?: readonly number[];
  lastCycleAt: number | null;
  /** A line to show at the top, e.g. after a click on an alert that has resolved since. */
  notice?: string | null;
  /** The renewal forecast's "next 12 weeks" blocks (render-slack.ts), shown above the alerts. */
  forecastStrip?: unknown[] | null;
};

function section(text: string): unknown {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } };
}

function countLines(entries: Array<[string, number]>, label: (key: string) => string): string {
  return entries.length === 0 ? '—' : entries.map(([key, n]) => `• ${label(key)}: *${n}*`).join('\n');
}

function actionsFor(record: AlertRecord, input: HomeViewInput): unknown | null {
  const blockId = `${ACTIONS_BLOCK_ID}:${record.alertKey}`;
  // The snooze menu finds its alert through the block id; without one it would not know which.
  if (blockId.length > SLACK_LIMITS.id) return null;
  const elements: unknown[] = [];
  if (!record.acknowledgedBy) {
    elements.push({
      type: 'button',
      action_id: ACTION_IDS.acknowledge,
      text: { type: 'plain_text', text: 'Acknowledge' },
      style: 'primary',
      value: record.alertKey,
    });
  }
  // The same menu as the channel message, dated as of now: the board is rebuilt on every open.
  const snooze = record.evaluation ? snoozeMenu(record.evaluation, input) : null;
  if (snooze) elements.push(snooze);
  const subject = record.evaluation?.subject;
  if (subject) {
    elements.push({
      type: 'button',
      action_id: ACTION_IDS.openPortal,
      text: { type: 'plain_text', text: 'Open in Partner Portal' },
      url: portalLink(input.portalUrl, subject.productId, subject.productNo),
      value: record.alertKey,
    });
  }
  return elements.length > 0 ? { type: 'actions', block_id: blockId, elements } : null;
}

export function buildHomeView(input: HomeViewInput): { type: 'home'; blocks: unknown[] } {
  const { counts } = input;
  const byStage = Object.entries(counts.byStage).sort(
    (a, b) => stageRank(b[0] as Stage) - stageRank(a[0] as Stage),
  );
  const byProduct = Object.entries(counts.byProduct).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: 'Yeastar renewals' } }];
  if (input.notice) blocks.push(section(`:information_source: ${input.notice}`));
  const cycle =
    input.lastCycleAt === null
      ? 'No completed poll cycle yet.'
      : `As of the poll cycle of ${slackDate(input.lastCycleAt)}.`;
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cycle }] });
  blocks.push({
    type: 'section',
    fields: [
      {
        type: 'mrkdwn',
        text: truncate(
          `*Open alerts by stage* (${counts.total})\n${countLines(byStage, (s) => stageTitle(s as Stage))}`,
          SLACK_LIMITS.fieldText,
        ),
      },
      {
        type: 'mrkdwn',
        text: truncate(
          `*By product line*\n${countLines(byProduct, (p) => productNameOf(p))}`,
          SLACK_LIMITS.fieldText,
        ),
      },
    ],
  });
  blocks.push({ type: 'divider' });
  if (input.forecastStrip) blocks.push(...input.forecastStrip, { type: 'divider' });
  const records = input.records.slice(0, HOME_ALERT_LIMIT);
  if (records.length === 0) {
    blocks.push(section('Nothing is expiring. :tada:'));
    return { type: 'home', blocks };
  }
  blocks.push(section(`*Next ${records.length} expirations*`));
  for (const record of records) {
    // Two blocks per alert and a closing line must fit under the limit.
    if (blocks.length + 3 > HOME_BLOCK_LIMIT) break;
    blocks.push(section(truncate(alertLine(record, input), 1_500)));
    const actions = actionsFor(record, input);
    if (actions) blocks.push(actions);
  }
  if (counts.total > records.length) {
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `…and ${counts.total - records.length} more: \`/yeastar expiring\`` },
      ],
    });
  }
  return { type: 'home', blocks };
}
