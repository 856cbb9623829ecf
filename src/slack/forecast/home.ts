import { createForecastReader } from '../../forecast/reader.js';
import { renderForecastHomeStrip } from '../../forecast/render-slack.js';
import type { ForecastCommandDeps } from './command.js';

/**
 * The App Home's "next 12 weeks" strip, from the same snapshot and model as `/yeastar forecast`. null
 * before the first complete cycle, and when reading it fails: the board shows its alerts either way.
 */
export function createForecastHomeStrip(deps: ForecastCommandDeps): () => Promise<unknown[] | null> {
  const reader = createForecastReader({
    redis: deps.redis,
    prefix: deps.config.queuePrefix,
    store: deps.store,
    timeZone: deps.config.timeZone,
    clock: deps.clock,
  });
  return async () => {
    try {
      const loaded = await reader.load({ days: deps.config.forecast.days });
      if (loaded === null) return null;
      return renderForecastHomeStrip(loaded.forecast, { takenAt: loaded.snapshot.takenAt });
    } catch (error) {
      deps.logger.warn({ err: (error as Error).message }, 'App Home forecast strip left out');
      return null;
    }
  };
}
