import { parseArgs } from 'node:util';
import { destination } from 'pino';
import { createAlertStore } from '../alerts/alert-store.js';
import type { Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import { createRedisLink } from '../ops/redis-connection.js';
import { createRedisFactory } from '../ops/redis-factory.js';
import { forecastCsv } from './csv.js';
import { createForecastReader } from './reader.js';
import { renderForecastText } from './render-text.js';

/**
 * `npm run forecast`: the forecast summary from the last complete cycle (Redis only, no API call);
 * `npm run forecast -- --csv [--days N]`: the full list as CSV on stdout, for a file or a pipe.
 * Exit codes: 0 printed, 1 no complete cycle yet (or Redis unreachable), 2 bad arguments.
 */

export type ForecastCliOptions = {
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
  logger?: Logger;
  clock?: () => number;
};

export const FORECAST_USAGE = 'usage: npm run forecast [-- [--csv] [--days N] [--customer TEXT]]';

type Parsed =
  | { ok: true; csv: boolean; days: number; customer: string | null }
  | { ok: false; error: string };

export function parseForecastArgs(args: string[], maxDays: number): Parsed {
  let values: { csv?: boolean; days?: string; customer?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { csv: { type: 'boolean' }, days: { type: 'string' }, customer: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  let days = maxDays;
  if (values.days !== undefined) {
    days = /^\d{1,4}$/.test(values.days) ? Number(values.days) : Number.NaN;
    if (!(days >= 1 && days <= maxDays)) {
      return { ok: false, error: `--days must be a whole number from 1 to ${maxDays} (FORECAST_DAYS)` };
    }
  }
  const customer = values.customer?.trim() || null;
  return { ok: true, csv: values.csv === true, days, customer };
}

export async function runForecast(
  config: Config,
  args: string[],
  options: ForecastCliOptions = {},
): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const parsed = parseForecastArgs(args, config.forecast.days);
  if (!parsed.ok) {
    stderr.write(`${parsed.error}\n${FORECAST_USAGE}\n`);
    return 2;
  }
  const logger =
    options.logger ??
    createLogger({ level: config.logLevel, destination: destination({ dest: 2, sync: false }) });
  const link = createRedisLink({
    url: config.redisUrl,
    logger,
    connect: createRedisFactory({
      url: config.redisUrl,
      mode: config.redisMode,
      tlsCaFile: config.redisTlsCaFile,
    }),
  });
  try {
    const redis = link.connect();
    await link.ready(config.redisConnectTimeoutMs);
    const reader = createForecastReader({
      redis,
      prefix: config.queuePrefix,
      store: createAlertStore({ redis, prefix: config.queuePrefix }),
      timeZone: config.timeZone,
      clock: options.clock ?? Date.now,
    });
    const loaded = await reader.load({ days: parsed.days, customer: parsed.customer });
    if (loaded === null) {
      stderr.write('No forecast yet: it is made at the end of a complete poll cycle (npm run check).\n');
      return 1;
    }
    if (parsed.csv) stdout.write(forecastCsv(loaded.forecast.rows, config.timeZone));
    else stdout.write(`${renderForecastText(loaded.forecast, { takenAt: loaded.snapshot.takenAt })}\n`);
    return 0;
  } finally {
    await link.close(1_000);
  }
}
