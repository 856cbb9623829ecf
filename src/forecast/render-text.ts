import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { truncate } from '../alerts/block-limits.js';
import { clean } from '../alerts/render-plain.js';
import type { Counts, Forecast } from './model.js';
import { forecastLine, undatedText, upcoming, weekLabel } from './render-parts.js';

/**
 * The forecast as terminal text, for `npm run forecast` (and the demo's last line, `forecastLine`): the
 * same counts as the Slack summary, in columns, with no Slack markup and no control characters from
 * the API's names.
 */

export type ForecastTextOptions = { takenAt?: number | null };

const LABEL_WIDTH = 28;
const NAME_WIDTH = 40;

function readableTime(at: number, timeZone: string): string {
  return `${format(new TZDate(at, timeZone), 'yyyy-MM-dd HH:mm')} ${timeZone}`;
}

function countsRow(label: string, counts: Counts): string {
  const cells = [counts.count, counts.autoRenew, counts.needAction].map((n, i) =>
    String(n).padStart(i === 0 ? 8 : 12),
  );
  return `  ${label.padEnd(LABEL_WIDTH)}${cells.join('')}`;
}

function heading(forecast: Forecast, options: ForecastTextOptions): string[] {
  const ahead = upcoming(forecast);
  const when =
    options.takenAt != null ? `, from the cycle of ${readableTime(options.takenAt, forecast.timeZone)}` : '';
  const lines = [`Renewal forecast: next ${forecast.days} days in ${forecast.timeZone}${when}`];
  if (forecast.customerFilter !== null)
    lines.push(`  Customers matching "${clean(forecast.customerFilter)}"`);
  lines.push(`  ${ahead.count} renewals: ${ahead.autoRenew} auto-renew, ${ahead.needAction} need action`);
  if (forecast.overdue.count > 0) {
    lines.push(
      `  ${forecast.overdue.count} overdue, ${forecast.overdue.needAction} of them without auto-renewal`,
    );
  }
  if (forecast.undated > 0) lines.push(`  ${undatedText(forecast.undated)}`);
  if (forecast.incomplete) {
    lines.push('  Warning: the last complete cycle is too old to cover the last days of this window');
  }
  return lines;
}

function nameCell(raw: string): string {
  return truncate(clean(raw), NAME_WIDTH).padEnd(NAME_WIDTH);
}

export function renderForecastText(forecast: Forecast, options: ForecastTextOptions = {}): string {
  const lines = heading(forecast, options);
  lines.push(
    '',
    `  ${'Week'.padEnd(LABEL_WIDTH)}${'Renewals'.padStart(8)}${'Auto-renew'.padStart(12)}${'Need action'.padStart(12)}`,
  );
  if (forecast.overdue.count > 0) lines.push(countsRow('Overdue', forecast.overdue));
  for (const week of forecast.weeks) lines.push(countsRow(weekLabel(week, forecast), week));
  if (forecast.topCustomers.length > 0) {
    const of =
      forecast.customerCount > forecast.topCustomers.length
        ? ` (top ${forecast.topCustomers.length} of ${forecast.customerCount})`
        : '';
    lines.push('', `  Customers with the most renewals${of}`);
    forecast.topCustomers.forEach((c, i) => {
      lines.push(
        `  ${String(i + 1).padStart(3)}. ${nameCell(c.customer)}${String(c.count).padStart(6)} (${c.needAction} need action)`,
      );
    });
  }
  if (forecast.productLines.length > 0) {
    lines.push('', '  Product lines');
    for (const p of forecast.productLines) {
      lines.push(
        `       ${nameCell(p.productLine)}${String(p.count).padStart(6)} (${p.needAction} need action)`,
      );
    }
  }
  lines.push('', forecastLine(forecast));
  return lines.join('\n');
}

export { forecastLine };
