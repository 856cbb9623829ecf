import { TZDate } from '@date-fns/tz';
import { format as formatDate } from 'date-fns';

export function isValidTime(epochMs: number): boolean {
  return Number.isFinite(epochMs) && !Number.isNaN(new Date(epochMs).getTime());
}

/**
 * A date Slack shows in each reader's own time zone (`<!date^…>`), with a UTC fallback for clients that
 * cannot format it. Its own file so that the alert rendering and the snooze menu can both use it without
 * importing each other.
 */
export function slackDate(epochMs: number, format = '{date_short_pretty} {time}'): string {
  if (!isValidTime(epochMs)) return 'date unknown';
  // Several per render: the ISO string is the same text as date-fns' UTC pattern, without Intl.
  const date = new Date(epochMs);
  const year = date.getUTCFullYear();
  const fallback =
    year >= 1 && year <= 9999
      ? `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 16)} UTC`
      : formatDate(new TZDate(epochMs, 'UTC'), "yyyy-MM-dd HH:mm 'UTC'");
  return `<!date^${Math.floor(epochMs / 1000)}^${format}|${fallback}>`;
}
