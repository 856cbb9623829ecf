import type { Redis } from 'ioredis';
import type { AlertStore } from '../../alerts/types.js';
import type { Config } from '../../config.js';
import { createForecastReader } from '../../forecast/reader.js';
import { renderForecastSummary } from '../../forecast/render-slack.js';
import type { Logger } from '../../logger.js';
import type { Command } from '../commands.js';
import { type Reply, textReply, usageReply } from '../replies.js';
import { type SlackClient, uploadForecastCsv } from './export.js';

/**
 * `/yeastar forecast [days] [customer text]` and `/yeastar export [days]`, answered from the last
 * complete cycle's snapshot (no API call). The command dispatcher hands these two kinds here.
 */

export type ForecastCommand = Extract<Command, { kind: 'forecast' | 'export' }>;

export type ForecastCommandDeps = {
  config: Config;
  store: AlertStore;
  redis: Redis;
  logger: Logger;
  clock: () => number;
};

export const NO_SNAPSHOT_TEXT =
  ':hourglass: No forecast yet: it is made at the end of a complete poll cycle, and none has finished ' +
  'since the forecast was set up. Ask again after the next cycle (or run `npm run check`).';

function slackErrorName(error: unknown): string {
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === 'string' ? data.error : error instanceof Error ? error.name : 'error';
}

export function createForecastCommands(deps: ForecastCommandDeps) {
  const { config, logger } = deps;
  const reader = createForecastReader({
    redis: deps.redis,
    prefix: config.queuePrefix,
    store: deps.store,
    timeZone: config.timeZone,
    clock: deps.clock,
  });
  const limit = config.forecast.days;

  async function exportFor(days: number, userId: string, client: SlackClient): Promise<Reply> {
    const loaded = await reader.load({ days });
    if (loaded === null) return textReply(NO_SNAPSHOT_TEXT);
    try {
      const upload = await uploadForecastCsv(client, userId, loaded.forecast);
      logger.info({ user: userId, rows: upload.rows, bytes: upload.bytes }, 'forecast exported');
      return textReply(
        `:page_facing_up: Sent you *${upload.filename}* (${upload.rows} rows) in a direct message from this app.`,
      );
    } catch (error) {
      const reason = slackErrorName(error);
      logger.warn({ user: userId, err: reason }, 'forecast export upload failed');
      return textReply(
        `:warning: Slack did not take the CSV file (\`${reason}\`). The app needs the \`files:write\` and ` +
          '`im:write` scopes (slack/manifest.yml); `npm run forecast -- --csv` writes the same file.',
      );
    }
  }

  return async function answer(
    command: ForecastCommand,
    context: { userId: string; client: SlackClient },
  ): Promise<Reply> {
    const days = command.days ?? limit;
    if (days > limit) {
      return usageReply(
        `The forecast looks at most ${limit} days ahead (FORECAST_DAYS); ask for ${limit} or fewer.`,
      );
    }
    if (command.kind === 'export') return exportFor(days, context.userId, context.client);
    const loaded = await reader.load({ days, customer: command.customer });
    if (loaded === null) return textReply(NO_SNAPSHOT_TEXT);
    const message = renderForecastSummary(loaded.forecast, { takenAt: loaded.snapshot.takenAt });
    return message as Reply;
  };
}
