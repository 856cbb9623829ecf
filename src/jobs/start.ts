import { type Config, requireSettings } from '../config.js';
import { createPipeline } from './pipeline.js';
import { type WiringOverrides, wirePipeline } from './wiring.js';

/**
 * `npm start`, the pipeline half: workers and the poll schedule, until SIGTERM/SIGINT, then a graceful
 * stop (no new jobs taken, the ones in hand finished or handed back, Redis closed).
 */
export async function runStart(
  config: Config,
  options: WiringOverrides & { until?: Promise<unknown> } = {},
): Promise<number> {
  const needed: Parameters<typeof requireSettings>[1][number][] = [];
  if (!options.client) needed.push('YEASTAR_CLIENT_ID', 'YEASTAR_CLIENT_SECRET');
  if (!options.slack) needed.push('SLACK_BOT_TOKEN');
  needed.push('SLACK_ALERT_CHANNEL');
  requireSettings(config, needed);

  const wired = wirePipeline(config, options);
  const logger = wired.deps.logger!;
  const pipeline = createPipeline(wired.deps);
  await pipeline.start();
  logger.info('pipeline running');
  const stop =
    options.until ??
    new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
  const reason = await stop;
  logger.info({ reason }, 'stopping: finishing the jobs in hand');
  await pipeline.close();
  await wired.close();
  logger.info('stopped');
  return 0;
}
