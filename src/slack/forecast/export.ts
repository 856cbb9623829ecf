import type { App } from '@slack/bolt';
import { forecastCsv } from '../../forecast/csv.js';
import type { Forecast } from '../../forecast/model.js';

/**
 * `/yeastar export`: the forecast's CSV, uploaded for the user who asked only, in the bot's direct
 * message with them (`conversations.open`, then `files.uploadV2`, which Bolt's client runs as
 * `files.getUploadURLExternal`, a POST of the bytes, `files.completeUploadExternal`). Sharing it in the
 * channel the command came from would show every customer's renewals to everyone there.
 */

export type SlackClient = Parameters<Parameters<App['command']>[1]>[0]['client'];

export type Upload = { filename: string; rows: number; bytes: number; channel: string };

export function exportFilename(forecast: Forecast): string {
  return `renewal-forecast-${forecast.today}-${forecast.days}d.csv`;
}

export async function uploadForecastCsv(
  client: SlackClient,
  userId: string,
  forecast: Forecast,
): Promise<Upload> {
  const file = Buffer.from(forecastCsv(forecast.rows, forecast.timeZone), 'utf8');
  const opened = await client.conversations.open({ users: userId });
  const channel = opened.channel?.id;
  if (!channel) throw new Error('conversations.open returned no channel');
  const filename = exportFilename(forecast);
  await client.files.uploadV2({
    channel_id: channel,
    file,
    filename,
    title: `Renewal forecast, ${forecast.today} to ${forecast.lastDay}`,
    initial_comment: `Renewal forecast: ${forecast.rows.length} plans and services expiring by ${forecast.lastDay} or overdue, one per row.`,
  });
  return { filename, rows: forecast.rows.length, bytes: file.length, channel };
}
