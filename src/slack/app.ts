import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, type Receiver, SocketModeReceiver } from '@slack/bolt';
import type { Redis } from 'ioredis';
import type { AlertStore } from '../alerts/types.js';
import { type Config, requireSettings } from '../config.js';
import type { Logger } from '../logger.js';
import { type OpsRoute, type OpsServer, startOpsServer } from '../ops/http.js';
import type { YeastarClient } from '../yeastar/types.js';
import { createActivationService } from './activation.js';
import { createActivationAudit } from './audit.js';
import { boltLogger } from './bolt-logger.js';
import { createDeduper } from './dedupe.js';
import { LimitedHttpReceiver } from './limited-receiver.js';
import { registerListeners } from './listeners/index.js';
import { socketModeStartError } from './socket-mode-errors.js';

/**
 * The Slack app: Bolt over HTTP (`POST /slack/events`, signatures checked by Bolt after our request
 * limits, limited-receiver.ts; extra routes such as `/healthz` beside it) or over Socket Mode when `SLACK_APP_TOKEN` is set (the extra routes then get a
 * small HTTP server of their own on `PORT`). Both run the same listeners (listeners/).
 */

export type SlackRoute = OpsRoute;

export type SlackAppDeps = {
  config: Config;
  store: AlertStore;
  client: YeastarClient;
  redis: Redis;
  logger: Logger;
  clock?: () => number;
  /** Served beside the Slack endpoint; one with the same method and path replaces the default `/healthz`. */
  routes?: SlackRoute[];
  /** `yeastar_renew_orders_total{result}`. */
  renewCount?: (result: string) => void;
};

export type SlackApp = {
  app: App;
  /** Resolves with the port actually bound (PORT 0 picks a free one). */
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
};

export const EVENTS_PATH = '/slack/events';

/** Until the operator's health check is plugged in: the process is up and serving. */
const DEFAULT_ROUTES: SlackRoute[] = [
  {
    path: '/healthz',
    method: 'GET',
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    },
  },
];

function mergeRoutes(extra: SlackRoute[] = []): SlackRoute[] {
  const key = (r: SlackRoute) => `${r.method} ${r.path}`;
  const given = new Set(extra.map(key));
  return [...DEFAULT_ROUTES.filter((r) => !given.has(key(r))), ...extra];
}

export function createSlackApp(deps: SlackAppDeps): SlackApp {
  const { config, logger } = deps;
  const socketMode = config.slack.appToken !== undefined;
  requireSettings(config, socketMode ? ['SLACK_BOT_TOKEN'] : ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']);
  const botToken = config.slack.botToken!;
  const clock = deps.clock ?? Date.now;
  const routes = mergeRoutes(deps.routes);
  const slackLogger = boltLogger(logger);
  const clientOptions = { slackApiUrl: config.slack.apiUrl, retryConfig: { retries: 2 } };

  const receiver: Receiver = socketMode
    ? new SocketModeReceiver({
        appToken: config.slack.appToken!,
        logger: slackLogger,
        installerOptions: { clientOptions },
      })
    : new LimitedHttpReceiver(
        new HTTPReceiver({
          signingSecret: config.slack.signingSecret!,
          endpoints: EVENTS_PATH,
          customRoutes: routes,
          logger: slackLogger,
          // Answer Slack the moment a listener acks; the work continues after the response.
          processBeforeResponse: false,
        }),
        { path: EVENTS_PATH, logger },
      );

  const app = new App({
    receiver,
    // One workspace, one bot token: no auth.test round trip before the first ack.
    authorize: async () => ({ botToken }),
    clientOptions,
    logger: slackLogger,
    ignoreSelf: false,
  });

  const audit = createActivationAudit({ redis: deps.redis, prefix: config.queuePrefix, clock });
  registerListeners(app, {
    config,
    store: deps.store,
    client: deps.client,
    redis: deps.redis,
    logger,
    clock,
    audit,
    activation: createActivationService({
      client: deps.client,
      audit,
      allowedUsers: config.slack.activationAllowedUsers,
      logger,
    }),
    dedupe: createDeduper({ redis: deps.redis, prefix: config.queuePrefix }),
    ...(deps.renewCount ? { renewCount: deps.renewCount } : {}),
  });

  // Socket Mode opens no port of its own, so the routes get a plain server.
  let routeServer: OpsServer | undefined;
  let started = false;
  return {
    app,
    async start() {
      if (socketMode) {
        routeServer = await startOpsServer(routes, config.port);
        await app.start().catch(async (error: unknown) => {
          await routeServer?.close();
          routeServer = undefined;
          throw socketModeStartError(error, config.slack.apiUrl);
        });
        started = true;
        const port = routeServer.port;
        logger.info({ port, mode: 'socket' }, 'slack app running');
        return { port };
      }
      const server = (await app.start(config.port)) as Server;
      started = true;
      const address = server.address() as AddressInfo | string | null;
      const port = typeof address === 'object' && address ? address.port : config.port;
      logger.info({ port, mode: 'http', path: EVENTS_PATH }, 'slack app running');
      return { port };
    },
    async stop() {
      if (started) {
        started = false;
        await app.stop();
      }
      if (routeServer) {
        await routeServer.close();
        routeServer = undefined;
      }
    },
  };
}
