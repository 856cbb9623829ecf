import type { WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import { createAlertStore } from '../alerts/state.js';
import type { AlertStore } from '../alerts/types.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import { createYeastarClient } from '../yeastar/client.js';
import type { YeastarClient } from '../yeastar/types.js';
import type { PipelineTuning } from './context.js';
import type { PipelineDeps } from './pipeline.js';
import { createSlackWebClient } from './slack-client.js';

/** What `check` and `start` may be handed instead of building it from the config (tests, the demo). */
export type WiringOverrides = {
  redis?: () => Redis;
  client?: YeastarClient;
  store?: AlertStore;
  slack?: WebClient;
  logger?: Logger;
  clock?: Clock;
  tuning?: Partial<PipelineTuning>;
};

/**
 * The production dependency set from the config, with any override kept. Returns the pipeline's
 * dependencies and a `close` for the one connection the client and the store share.
 */
export function wirePipeline(
  config: Config,
  overrides: WiringOverrides = {},
): { deps: PipelineDeps; close: () => Promise<void> } {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const connect = overrides.redis ?? (() => new Redis(config.redisUrl, { maxRetriesPerRequest: null }));
  let shared: Redis | undefined;
  const sharedConnection = () => {
    shared ??= connect();
    return shared;
  };
  const client =
    overrides.client ??
    createYeastarClient({
      baseUrl: config.yeastar.baseUrl,
      clientId: config.yeastar.clientId,
      clientSecret: config.yeastar.clientSecret,
      userAgent: config.yeastar.userAgent,
      redis: sharedConnection(),
      keyPrefix: config.queuePrefix,
      logger,
      concurrency: config.yeastar.concurrency,
      pageSize: config.yeastar.pageSize,
      ...(overrides.clock ? { clock: overrides.clock } : {}),
    });
  const store =
    overrides.store ??
    createAlertStore({
      redis: sharedConnection(),
      prefix: config.queuePrefix,
      retentionMs: config.alertRetentionMs,
    });
  const slack =
    overrides.slack ??
    createSlackWebClient({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, logger });
  return {
    deps: {
      config,
      redis: connect,
      client,
      store,
      slack,
      logger,
      ...(overrides.clock ? { clock: overrides.clock } : {}),
      ...(overrides.tuning ? { tuning: overrides.tuning } : {}),
    },
    close: async () => {
      if (shared) await shared.quit().catch(() => shared?.disconnect());
    },
  };
}
