import { stringify } from 'csv-stringify/sync';
import { isoFormatter } from './iso-time.js';
import type { ForecastRow } from './model.js';

/**
 * The forecast as a CSV file, columns as the contract fixes them. RFC 4180: CRLF between records, a
 * field quoted when it holds a comma, a quote or any line break (a bare `\n` or `\r` in a customer name
 * too), quotes doubled; UTF-8 with a byte order mark so spreadsheet programs read the accents right.
 * Every overdue and due row is written; undated items are not rows (the summary counts them). Names
 * that a spreadsheet would run as formulas are written as text (spreadsheetText).
 */

export const FORECAST_CSV_COLUMNS = [
  'sn',
  'product_line',
  'customer',
  'item',
  'kind',
  'expires_at',
  'days_left',
  'auto_renew',
  'alert_state',
  'portal_url',
] as const;

export const BOM = '\uFEFF';

/**
 * A name from the partner's data as a spreadsheet cell that stays text: one starting with `=`, `+`, `-`,
 * `@`, a tab or a carriage return would be run as a formula (CSV injection, OWASP), so it gets a leading
 * `'`, which spreadsheet programs read as "text" and do not show. Only the free-text columns: `days_left`
 * is a number and keeps its minus sign.
 */
export function spreadsheetText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The text of the file, BOM first; write it as UTF-8. */
export function forecastCsv(rows: readonly ForecastRow[], timeZone: string): string {
  const iso = isoFormatter(timeZone);
  const records = rows.map((row) => [
    row.sn,
    spreadsheetText(row.productLine),
    spreadsheetText(row.customer),
    spreadsheetText(row.name),
    row.kind,
    iso(row.expiresAt),
    String(row.daysLeft),
    row.autoRenew ? 'yes' : 'no',
    row.alert.state,
    row.portalUrl,
  ]);
  return stringify(records, {
    bom: true,
    header: true,
    columns: [...FORECAST_CSV_COLUMNS],
    record_delimiter: 'windows',
    // Given a record delimiter, csv-stringify quotes only fields holding that one (`\r\n`); a lone `\n`
    // or `\r` left bare would split the record in most readers.
    quote_record_delimiter: true,
  });
}
