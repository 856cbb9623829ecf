import type { Redis } from 'ioredis';
import { createAlertStore } from '../alerts/alert-store.js';
import type { AlertStore } from '../alerts/types.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import { createRedisLink, type RedisLink } from '../ops/redis-connection.js';
import { createRedisFactory } from '../ops/redis-factory.js';
import { createSlackWebClient, type SlackWebClient } from '../slack/web-client.js';
import { createYeastarClient } from '../yeastar/client.js';
import type { YeastarClient } from '../yeastar/types.js';
import type { PipelineTuning } from './context.js';
import type { PipelineDeps } from './pipeline.js';

/** What `check` and `start` may be handed instead of building it from the config (tests, the demo). */
export type WiringOverrides = {
  redis?: () => Redis;
  client?: YeastarClient;
  store?: AlertStore;
  slack?: SlackWebClient;
  logger?: Logger;
  clock?: Clock;
  tuning?: Partial<PipelineTuning>;
};

export type Wired = {
  deps: PipelineDeps;
  /** Every Redis connection of the process, and whether Redis answers. */
  link: RedisLink;
  /** Closes every connection made through the link; those that do not answer within `graceMs` are dropped. */
  close: (graceMs?: number) => Promise<void>;
};

/**
 * The production dependency set from the config, with any override kept. Every Redis connection goes
 * through one link (src/ops/redis-connection.ts), which `close` ends.
 */
export function wirePipeline(config: Config, overrides: WiringOverrides = {}): Wired {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const link = createRedisLink({
    url: config.redisUrl,
    logger,
    connect:
      overrides.redis ??
      createRedisFactory({ url: config.redisUrl, mode: config.redisMode, tlsCaFile: config.redisTlsCaFile }),
  });
  const connect = () => link.connect();
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
      watch: link.watch,
      ...(overrides.clock ? { clock: overrides.clock } : {}),
      ...(overrides.tuning ? { tuning: overrides.tuning } : {}),
    },
    link,
    close: (graceMs) => link.close(graceMs),
  };
}
