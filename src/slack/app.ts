import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, type Receiver, SocketModeReceiver } from '@slack/bolt';
import type { Redis } from 'ioredis';
import type { AlertStore } from '../alerts/types.js';
import { type Config, requireSettings } from '../config.js';
import type { Logger } from '../logger.js';
import type { YeastarClient } from '../yeastar/types.js';
import { createActivationService } from './activation.js';
import { createActivationAudit } from './audit.js';
import { boltLogger } from './bolt-logger.js';
import { createDeduper } from './dedupe.js';
import { registerHandlers } from './handlers.js';

/**
 * The Slack app: Bolt over HTTP (`POST /slack/events`, signatures checked by Bolt, extra routes such as
 * `/healthz` beside it) or over Socket Mode when `SLACK_APP_TOKEN` is set (the extra routes then get a
 * small HTTP server of their own on `PORT`). Both run the same handlers.
 */

export type SlackRoute = {
  path: string;
  method: 'GET' | 'POST';
  handler: (req: IncomingMessage, res: ServerResponse) => void;
};

export type SlackAppDeps = {
  config: Config;
  store: AlertStore;
  client: YeastarClient;
  redis: Redis;
  logger: Logger;
  clock?: () => number;
  /** Served beside the Slack endpoint; one with the same method and path replaces the default `/healthz`. */
  routes?: SlackRoute[];
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

/** Socket Mode opens no port of its own, so the routes get a plain server. */
async function serveRoutes(routes: SlackRoute[], port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes.find((r) => r.path === path && r.method === req.method);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    route.handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return server;
}

function boundPort(server: Server, fallback: number): number {
  const address = server.address() as AddressInfo | string | null;
  return typeof address === 'object' && address ? address.port : fallback;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
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
    : new HTTPReceiver({
        signingSecret: config.slack.signingSecret!,
        endpoints: EVENTS_PATH,
        customRoutes: routes,
        logger: slackLogger,
        // Answer Slack the moment a listener acks; the work continues after the response.
        processBeforeResponse: false,
      });

  const app = new App({
    receiver,
    // One workspace, one bot token: no auth.test round trip before the first ack.
    authorize: async () => ({ botToken }),
    clientOptions,
    logger: slackLogger,
    ignoreSelf: false,
  });

  const audit = createActivationAudit({ redis: deps.redis, prefix: config.queuePrefix, clock });
  registerHandlers(app, {
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
  });

  let routeServer: Server | undefined;
  let started = false;
  return {
    app,
    async start() {
      if (socketMode) {
        routeServer = await serveRoutes(routes, config.port);
        await app.start();
        started = true;
        const port = boundPort(routeServer, config.port);
        logger.info({ port, mode: 'socket' }, 'slack app running');
        return { port };
      }
      const server = (await app.start(config.port)) as Server;
      started = true;
      const port = boundPort(server, config.port);
      logger.info({ port, mode: 'http', path: EVENTS_PATH }, 'slack app running');
      return { port };
    },
    async stop() {
      if (started) {
        started = false;
        await app.stop();
      }
      if (routeServer) {
        await closeServer(routeServer);
        routeServer = undefined;
      }
    },
  };
}
