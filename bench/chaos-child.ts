import { loadConfig } from '../src/config.js';
import { runCheck } from '../src/jobs/check.js';

/**
 * The worker `npm run chaos` kills: `npm run check` (one cycle, its workers in-process) with locks short
 * enough that the next run takes over a killed run's jobs in about two seconds rather than eight, so
 * fifty kills fit in a few minutes. Everything else is the production path.
 */
const config = loadConfig(process.env);
const code = await runCheck(config, {
  tuning: { lockDurationMs: 2_000, stalledIntervalMs: 500, backoffMs: 200, stallCheckMs: 3_000 },
});
process.exit(code);
