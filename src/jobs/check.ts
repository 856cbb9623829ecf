import { destination } from 'pino';
import { type Config, type RequiredSetting, requireSettings } from '../config.js';
import { createLogger } from '../logger.js';
import { OperatorError } from '../operator-error.js';
import { abandonWork, type StopSignals, settlesWithin, stopSignals } from '../ops/shutdown.js';
import type { CycleProgress, CycleSummary } from './cycle-summary.js';
import { createPipeline, type Pipeline, type PipelineDeps } from './pipeline.js';
import { type Wired, type WiringOverrides, wirePipeline } from './production-deps.js';

/**
 * `npm run check`: one full cycle now, on the same queues and state as `npm start`, with its workers
 * in this process. Shows pages done per product line on a terminal, prints one summary line, and
 * returns the exit code: 0 when every job of the cycle succeeded, 1 otherwise.
 */

export type CheckOptions = WiringOverrides & {
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown; isTTY?: boolean };
  /** Stop cleanly on SIGINT/SIGTERM (default true; tests turn it off). */
  handleSignals?: boolean;
};

const count = (n: number) => n.toLocaleString('en-US');

export function formatSummary(summary: CycleSummary, seconds: number): string {
  const at = new Date(summary.startedAt || Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const parts = [
    `${count(summary.instances)} instances`,
    `${count(summary.posted)} posted`,
    `${count(summary.escalated)} escalated`,
    `${count(summary.updated)} updated`,
    `${count(summary.resolved)} resolved`,
    `${count(summary.apiCalls)} API calls`,
    `${count(summary.errors)} ${summary.errors === 1 ? 'error' : 'errors'}`,
  ];
  if (summary.reminded > 0) parts.push(`${count(summary.reminded)} reminded`);
  if (summary.held > 0) parts.push(`${count(summary.held)} held for quiet hours`);
  if (summary.enrichErrors > 0) parts.push(`${count(summary.enrichErrors)} without renewal options`);
  if (summary.skipped > 0) parts.push(`${count(summary.skipped)} malformed records skipped`);
  parts.push(`${seconds.toFixed(1)} s`);
  const failed = summary.ok ? '' : summary.error ? ` — FAILED: ${summary.error}` : ' — FAILED';
  return `cycle ${at}: ${parts.join(', ')}${failed}`;
}

export function formatProgress(progress: CycleProgress): string {
  const lines = progress.productLines.map(
    (p, i) =>
      `${p.productId}: ${p.done}/${p.pages || '?'}${i === 0 ? ' pages' : ''}${p.failed ? ` (${p.failed} failed)` : ''}`,
  );
  const scan = lines.join(' · ');
  return progress.phase === 'scan'
    ? `scan ${scan}`
    : `${progress.phase}: ${progress.pending} jobs left · scan ${scan}`;
}

/** The pipeline, or (a bad routes file) the error after closing what the wiring opened. */
export async function createOrClose(wired: Wired, extra: Partial<PipelineDeps> = {}): Promise<Pipeline> {
  try {
    return createPipeline({ ...wired.deps, ...extra });
  } catch (error) {
    await wired.close(0);
    throw error;
  }
}

/**
 * Lets the pipeline close (the jobs in hand finish, a cycle is handed back) within `graceMs`; resolves
 * whether it did. Not at all when Redis is gone: nothing can finish or be handed back without it, and
 * BullMQ, closing a queue whose connection never got through, reports that connection's late failure
 * on an emitter it has already stripped of listeners (an uncaught error). The connections are dropped
 * instead (`Wired.close`).
 */
export async function closeInTime(
  pipeline: Pick<Pipeline, 'close'>,
  wired: Wired,
  graceMs: number,
): Promise<boolean> {
  const clean = wired.link.status().up && (await settlesWithin(pipeline.close(), graceMs, wired.link.down()));
  if (!clean) abandonWork();
  return clean;
}

/** `closeInTime`, then every connection. */
export async function closeWithin(
  pipeline: Pick<Pipeline, 'close'>,
  wired: Wired,
  graceMs: number,
): Promise<boolean> {
  const clean = await closeInTime(pipeline, wired, graceMs);
  await wired.close(clean ? 2_000 : 0);
  return clean;
}

/** The settings a check cannot do without (fewer when a test hands it its API client or Slack). */
export function checkSettings(options: Pick<CheckOptions, 'client' | 'slack'> = {}): RequiredSetting[] {
  const needed: RequiredSetting[] = [];
  if (!options.client) needed.push('YEASTAR_CLIENT_ID', 'YEASTAR_CLIENT_SECRET');
  if (!options.slack) needed.push('SLACK_BOT_TOKEN');
  needed.push('SLACK_ALERT_CHANNEL');
  return needed;
}

export async function runCheck(config: Config, options: CheckOptions = {}): Promise<number> {
  requireSettings(config, checkSettings(options));

  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  // Logs go to stderr so that stdout carries the one summary line a script can read.
  const logger =
    options.logger ??
    createLogger({ level: config.logLevel, destination: destination({ dest: 2, sync: false }) });
  // Before any connection: a signal from here on is ours to handle, never Node's default.
  const signals =
    options.handleSignals === false
      ? null
      : stopSignals((signal) => stderr.write(`\n${signal} again: exiting now\n`));
  const wired = wirePipeline(config, { ...options, logger });
  const pipeline = await createOrClose(wired).catch((error: unknown) => {
    signals?.dispose();
    throw error;
  });
  const started = performance.now();
  const stopped = signals ? stopWhenAsked(signals, pipeline, wired, config.stopGraceMs, stderr) : NEVER;
  const watchdog = wired.link.watchdog(config.redisConnectTimeoutMs);
  let tty = false;
  try {
    await Promise.race([wired.link.ready(config.redisConnectTimeoutMs), stopped]);
    await pipeline.startWorkers();
    const cycle = pipeline.runCycleNow({
      onProgress: (progress) => {
        if (!stderr.isTTY) return;
        tty = true;
        stderr.write(`\r\x1b[K${formatProgress(progress)}`);
      },
    });
    const summary = await Promise.race([cycle, watchdog.failed, stopped]);
    if (tty) stderr.write('\r\x1b[K');
    stdout.write(`${formatSummary(summary, (performance.now() - started) / 1000)}\n`);
    return summary.ok ? 0 : 1;
  } finally {
    if (tty) stderr.write('\r\x1b[K');
    watchdog.stop();
    signals?.dispose();
    await closeWithin(pipeline, wired, config.stopGraceMs);
  }
}

const NEVER = new Promise<never>(() => {});

/**
 * On SIGTERM/SIGINT: the pipeline stops taking jobs and lets the ones in hand finish (the cycle is handed
 * back; the next run resumes it). The cycle's own wait then ends with an interrupted summary; when it
 * cannot (Redis gone, or the grace period over), this rejects with the one line to print instead.
 */
function stopWhenAsked(
  signals: StopSignals,
  pipeline: Pipeline,
  wired: Wired,
  graceMs: number,
  stderr: { write(text: string): unknown },
): Promise<never> {
  const stopped = signals.received.then(async (signal) => {
    if (wired.link.status().up) stderr.write('\nstopping: waiting for the jobs in hand…\n');
    const clean = await closeInTime(pipeline, wired, graceMs);
    const link = wired.link.status();
    if (!link.up && !link.started) throw new OperatorError(`stopped by ${signal} before Redis answered`);
    throw new OperatorError(
      clean
        ? `stopped by ${signal}; the cycle resumes in the next run`
        : `stopped by ${signal} before the jobs in hand were done (Redis gone, or STOP_GRACE over): ` +
            'they go back to the queue when their locks expire',
    );
  });
  // Raced by the caller, which sees the rejection; until then it must not count as unhandled.
  stopped.catch(() => undefined);
  return stopped;
}
