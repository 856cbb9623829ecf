import { truncate } from '../alerts/block-limits.js';
import { fitMrkdwn, header, listSection, oneLine, plural } from '../alerts/render.js';
import { slackDate } from '../alerts/slack-date.js';
import type { Forecast } from './model.js';
import { countsText, forecastLine, sectionsOf, undatedText, upcoming, weekLabel } from './render-parts.js';

/**
 * The forecast in Slack: the ephemeral answer to `/yeastar forecast [days] [customer text]` and the App
 * Home's "next 12 weeks" strip. Pure; every name from the API is escaped and cut, and every message
 * stays inside Block Kit's limits (the tests hold them to `validateMessage`).
 */

export type SlackMessage = { text: string; blocks: unknown[] };

export type ForecastViewOptions = {
  /** When the snapshot was taken (the last complete cycle's end), shown as the data's age. */
  takenAt?: number | null;
};

/** How many weeks the App Home strip shows. */
export const HOME_STRIP_WEEKS = 12;

const NAME_MAX = 120;
const FALLBACK_MAX = 1_000;
const bold = (n: number) => `*${n}*`;

export function customerName(raw: string): string {
  return fitMrkdwn(oneLine(raw), NAME_MAX);
}

/** A context line with the data's age, the undated count and a warning when the snapshot ends early. */
export function forecastNotes(forecast: Forecast, options: ForecastViewOptions, hint: string): unknown {
  const parts = [
    options.takenAt != null ? `From the last complete cycle, ${slackDate(options.takenAt)}.` : '',
    forecast.undated > 0 ? `${undatedText(forecast.undated)}.` : '',
    forecast.incomplete
      ? ':warning: The last complete cycle is too old to cover the last days of this window: run a cycle.'
      : '',
    hint,
  ];
  // Built from our own words and mrkdwn (dates), so it is not escaped: only cut to fit.
  return {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: truncate(parts.filter(Boolean).join(' '), 2_000) }],
  };
}

export function totalsText(forecast: Forecast): string {
  const ahead = upcoming(forecast);
  const lines = [
    ahead.count === 0
      ? `No renewals in the next ${plural(forecast.days, 'day')}.`
      : `${bold(ahead.count)} ${ahead.count === 1 ? 'renewal' : 'renewals'} in the next ${plural(forecast.days, 'day')}: ${ahead.autoRenew} renew by themselves, ${bold(ahead.needAction)} need action.`,
  ];
  if (forecast.overdue.count > 0) {
    lines.push(
      `:red_circle: ${bold(forecast.overdue.count)} overdue (expired, not renewed), ${forecast.overdue.needAction} without auto-renewal.`,
    );
  }
  return lines.join('\n');
}

export function weekLines(forecast: Forecast, weeks = forecast.weeks): string[] {
  const lines = forecast.overdue.count > 0 ? [`• *Overdue*: ${countsText(forecast.overdue, bold)}`] : [];
  for (const week of weeks) lines.push(`• ${weekLabel(week, forecast)}: ${countsText(week, bold)}`);
  return lines;
}

export function customerLines(forecast: Forecast): string[] {
  return forecast.topCustomers.map(
    (c, i) => `${i + 1}. *${customerName(c.customer)}*: ${c.count} (${c.needAction} need action)`,
  );
}

function filterTitle(forecast: Forecast): string {
  return forecast.customerFilter === null ? '' : ` · “${oneLine(forecast.customerFilter)}”`;
}

/** The ephemeral answer to `/yeastar forecast [days] [customer text]`. */
export function renderForecastSummary(forecast: Forecast, options: ForecastViewOptions = {}): SlackMessage {
  const blocks: unknown[] = [
    header(`:calendar: Renewal forecast · next ${plural(forecast.days, 'day')}${filterTitle(forecast)}`),
    { type: 'section', text: { type: 'mrkdwn', text: totalsText(forecast) } },
  ];
  if (forecast.total.count > 0) {
    blocks.push(...sectionsOf('*By week*', weekLines(forecast), { maxSections: 3, moreWord: 'more weeks' }));
    const hidden = forecast.customerCount - forecast.topCustomers.length;
    const title = `*Customers with the most renewals*${hidden > 0 ? ` (top ${forecast.topCustomers.length} of ${forecast.customerCount})` : ''}`;
    blocks.push(listSection(title, customerLines(forecast), 'more customers'));
  }
  blocks.push(
    forecastNotes(
      forecast,
      options,
      `\`/yeastar export ${forecast.days}\` sends the full list as a CSV file.`,
    ),
  );
  return { text: fitMrkdwn(forecastLine(forecast), FALLBACK_MAX), blocks };
}

/** The App Home's strip: this week and the next eleven, with the overdue count above them. */
export function renderForecastHomeStrip(forecast: Forecast, options: ForecastViewOptions = {}): unknown[] {
  const weeks = forecast.weeks.slice(0, HOME_STRIP_WEEKS);
  return [
    header(`:calendar: Renewals, next ${HOME_STRIP_WEEKS} weeks`),
    ...sectionsOf(totalsText(forecast), weekLines(forecast, weeks), {
      maxSections: 1,
      moreWord: 'more weeks',
    }),
    forecastNotes(forecast, options, '`/yeastar forecast` for customers, `/yeastar export` for the list.'),
  ];
}
