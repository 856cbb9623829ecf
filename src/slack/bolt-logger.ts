import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../logger.js';

/**
 * Bolt's logger interface over ours, so that what Bolt and its Web API client write is JSON, leveled
 * and redacted like every other line. Bolt's own level filter is left wide open: ours decides.
 */
export function boltLogger(logger: Logger): SlackLogger {
  const child = logger.child({ source: 'bolt' });
  const text = (msg: unknown[]) =>
    msg
      .map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m)))
      .join(' ');
  let level = LogLevel.DEBUG;
  return {
    debug: (...msg) => child.debug(text(msg)),
    info: (...msg) => child.info(text(msg)),
    warn: (...msg) => child.warn(text(msg)),
    error: (...msg) => child.error(text(msg)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
