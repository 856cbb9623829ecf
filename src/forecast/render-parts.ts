import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { SLACK_LIMITS, truncate } from '../alerts/block-limits.js';
import { plural } from '../alerts/render.js';
import { clean } from '../alerts/render-plain.js';
import type { Counts, Forecast, WeekBucket } from './model.js';

/** Words and Block Kit pieces the forecast's Slack and terminal renderings share. */

/** `2027-03-29` → `Mar 29`. The day is a calendar date of the zone already: no zone applies here. */
export function dayLabel(day: string): string {
  const at = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(at) ? day : format(new TZDate(at, 'UTC'), 'MMM d');
}

/**
 * `W13 · Mar 29 – Apr 4`, the days cut to the window's (`W12 · Mar 24 – Mar 28` when today is the 24th),
 * so that a part week's count is not read as the whole week's. A window of more than 52 weeks names
 * the year too (`2027-W13`): the same week number comes back.
 */
export function weekLabel(week: WeekBucket, forecast: Pick<Forecast, 'today' | 'lastDay' | 'weeks'>): string {
  // `yyyy-MM-dd` sorts as text in time order.
  const [, first] = [week.firstDay, forecast.today].sort();
  const [last] = [week.lastDay, forecast.lastDay].sort();
  const name = forecast.weeks.length > 52 ? week.key : `W${String(week.isoWeek).padStart(2, '0')}`;
  return `${name} · ${dayLabel(first!)} – ${dayLabel(last!)}`;
}

/** "12 renewals · 8 auto-renew · 4 need action", or "none". */
export function countsText(counts: Counts, bold = (n: number) => String(n)): string {
  if (counts.count === 0) return 'none';
  return `${bold(counts.count)} ${counts.count === 1 ? 'renewal' : 'renewals'} · ${counts.autoRenew} auto-renew · ${bold(counts.needAction)} need action`;
}

/** "3 plans or services without an expiry date are not listed" (the contract leaves them out). */
export function undatedText(undated: number): string {
  return undated === 1
    ? '1 plan or service without an expiry date is not listed'
    : `${undated} plans or services without an expiry date are not listed`;
}

/** The upcoming part of a forecast: everything but the overdue bucket. */
export function upcoming(forecast: Pick<Forecast, 'total' | 'overdue'>): Counts {
  const { total, overdue } = forecast;
  return {
    count: total.count - overdue.count,
    autoRenew: total.autoRenew - overdue.autoRenew,
    needAction: total.needAction - overdue.needAction,
  };
}

/**
 * The demo's last line and a message's notification text: "Forecast: 40 renewals in the next 90 days,
 * 25 auto-renew, 15 need action", then overdue and undated counts when there are any.
 */
export function forecastLine(forecast: Forecast): string {
  const ahead = upcoming(forecast);
  const who =
    forecast.customerFilter === null ? '' : ` for customers matching "${clean(forecast.customerFilter)}"`;
  const extra = [
    forecast.overdue.count > 0 ? `${forecast.overdue.count} overdue` : '',
    forecast.undated > 0 ? `${forecast.undated} without an expiry date` : '',
  ].filter(Boolean);
  return (
    `Forecast: ${plural(ahead.count, 'renewal')} in the next ${plural(forecast.days, 'day')}${who}, ` +
    `${ahead.autoRenew} auto-renew, ${ahead.needAction} need action` +
    (extra.length > 0 ? ` (${extra.join(', ')})` : '')
  );
}

type Section = { type: 'section'; text: { type: 'mrkdwn'; text: string } };

/**
 * Lines under a title in as many sections as `maxSections` allow (a section holds 3,000 characters),
 * then "…and N more" and the hint counting what did not fit.
 */
export function sectionsOf(
  title: string,
  lines: readonly string[],
  options: { maxSections: number; moreWord?: string; hint?: string },
): Section[] {
  const budget = SLACK_LIMITS.sectionText;
  const more = (hidden: number) =>
    hidden > 0
      ? `\n…and ${hidden} ${options.moreWord ?? 'more'}${options.hint ? ` ${options.hint}` : ''}`
      : '';
  const texts: string[] = [];
  let text = title;
  let shown = 0;
  for (const raw of lines) {
    // Any one line fits an empty section with room left for the "…and N more" line.
    const line = truncate(raw, budget - 300);
    const lastSection = texts.length >= options.maxSections - 1;
    const reserve = lastSection ? more(lines.length - shown - 1).length : 0;
    if (text.length + 1 + line.length + reserve > budget) {
      if (lastSection) break;
      texts.push(text);
      text = '';
    }
    text += (text === '' ? '' : '\n') + line;
    shown += 1;
  }
  texts.push(text + more(lines.length - shown));
  return texts.map((t) => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(t, budget) } }));
}
