import { fitMrkdwn, header, listSection, oneLine, userMention } from '../alerts/render.js';
import { slackDate } from '../alerts/slack-date.js';
import type { ForecastAlert } from './alert-state.js';
import { compareText } from './items.js';
import { type Forecast, type ForecastRow, OVERDUE } from './model.js';
import { countsText, forecastLine, sectionsOf, weekLabel } from './render-parts.js';
import {
  customerLines,
  customerName,
  type ForecastViewOptions,
  forecastNotes,
  type SlackMessage,
  totalsText,
  weekLines,
} from './render-slack.js';
import { isoWeekOf } from './weeks.js';

/**
 * The weekly forecast posted to `SLACK_FORECAST_CHANNEL`: one top-level message with the counts, and in
 * its thread one reply per week that has renewals (overdue first), each listing its renewals by
 * customer, as many as fit, then "…and N more". Pure.
 */

export type ForecastReply = SlackMessage & {
  /** `overdue` or the ISO week key the reply lists. */
  bucket: string;
};

export type ForecastDigest = { message: SlackMessage; replies: ForecastReply[] };

const bold = (n: number) => `*${n}*`;
const FALLBACK_MAX = 1_000;
const ITEM_MAX = 100;
/** Sections per reply: three of 3,000 characters stay inside the ~12,000 Slack takes in one message. */
const REPLY_SECTIONS = 3;

function alertText(alert: ForecastAlert): string {
  switch (alert.state) {
    case 'none':
      return '';
    case 'open':
      return 'alert open';
    case 'acknowledged':
      return `acknowledged by ${userMention(alert.by ?? null)}`;
    case 'snoozed':
      return `snoozed by ${userMention(alert.by ?? null)}${alert.until != null ? ` until ${slackDate(alert.until, '{date_short}')}` : ''}`;
    case 'ordered':
      return `renewal ordered by ${userMention(alert.by ?? null)}`;
  }
}

/** "• *Acme Ltd* — Ultimate Plan (plan) · `SN` · Mar 30 · needs action · acknowledged by @x" */
export function rowLine(row: ForecastRow): string {
  const parts = [
    `${fitMrkdwn(oneLine(row.name), ITEM_MAX)} (${row.kind})`,
    `\`${fitMrkdwn(oneLine(row.sn), 40)}\``,
    slackDate(row.expiresAt, '{date_short_pretty}'),
    row.autoRenew ? 'auto-renew' : '*needs action*',
    alertText(row.alert),
  ];
  return `• *${customerName(row.customer)}* — ${parts.filter(Boolean).join(' · ')}`;
}

function byCustomer(a: ForecastRow, b: ForecastRow): number {
  return compareText(a.customer, b.customer) || a.expiresAt - b.expiresAt || compareText(a.sn, b.sn);
}

function replies(forecast: Forecast): ForecastReply[] {
  const rowsByBucket = new Map<string, ForecastRow[]>();
  for (const row of forecast.rows) {
    const list = rowsByBucket.get(row.bucket);
    if (list) list.push(row);
    else rowsByBucket.set(row.bucket, [row]);
  }
  const buckets = [
    { key: OVERDUE, title: 'Overdue', counts: forecast.overdue },
    ...forecast.weeks.map((w) => ({ key: w.key, title: weekLabel(w, forecast), counts: w })),
  ];
  return buckets
    .filter((b) => b.counts.count > 0)
    .map(({ key, title, counts }) => {
      const lines = (rowsByBucket.get(key) ?? []).sort(byCustomer).map(rowLine);
      return {
        bucket: key,
        text: fitMrkdwn(`${title}: ${countsText(counts)}`, FALLBACK_MAX),
        blocks: sectionsOf(`*${title}*: ${countsText(counts, bold)}`, lines, {
          maxSections: REPLY_SECTIONS,
          moreWord: 'more',
          hint: `— \`/yeastar export ${forecast.days}\` has every one`,
        }),
      };
    });
}

export function renderForecastDigest(forecast: Forecast, options: ForecastViewOptions = {}): ForecastDigest {
  const week = isoWeekOf(forecast.now, forecast.timeZone);
  const blocks: unknown[] = [
    header(`:calendar: Weekly renewal forecast · ${week.key}`),
    { type: 'section', text: { type: 'mrkdwn', text: totalsText(forecast) } },
    ...sectionsOf('*By week*', weekLines(forecast), { maxSections: 3, moreWord: 'more weeks' }),
    listSection('*Customers with the most renewals*', customerLines(forecast), 'more customers'),
  ];
  blocks.push(forecastNotes(forecast, options, 'Each week’s renewals are in the thread of this message.'));
  return {
    message: { text: fitMrkdwn(forecastLine(forecast), FALLBACK_MAX), blocks },
    replies: replies(forecast),
  };
}
