import { createServer, type RequestListener, type Server } from 'node:http';
import type { App, HTTPReceiver, Receiver } from '@slack/bolt';
import { HTTPModuleFunctions } from '@slack/bolt';
import type { Logger } from '../logger.js';
import { boltLogger } from './bolt-logger.js';
import { limitSlackRequests } from './request-limits.js';

/**
 * Bolt's HTTPReceiver behind our own HTTP server: Bolt routes and verifies as always (its public
 * `requestListener`, the entry Bolt offers for servers of one's own), and the server runs the request
 * limits first (request-limits.ts). Being ours, the server also stops promptly: idle keep-alive
 * connections are closed at once and busy ones after `closeAfterMs`, where Bolt's own `stop` waited for
 * every connection a client kept open.
 */
export class LimitedHttpReceiver implements Receiver {
  private server: Server | undefined;
  private readonly listener: RequestListener;

  constructor(
    private readonly inner: HTTPReceiver,
    private readonly options: { path: string; logger: Logger; closeAfterMs?: number },
  ) {
    const slackLogger = boltLogger(options.logger);
    const dispatch: RequestListener = (req, res) => {
      try {
        inner.requestListener(req, res);
      } catch (error) {
        // What Bolt's own server does with a request no route takes (404) or a listener that threw (500).
        HTTPModuleFunctions.defaultDispatchErrorHandler({
          error: error as never,
          logger: slackLogger,
          request: req,
          response: res,
        });
      }
    };
    this.listener = limitSlackRequests(dispatch, { path: options.path, logger: options.logger });
  }

  init(app: App): void {
    this.inner.init(app);
  }

  async start(port: number): Promise<Server> {
    const server = createServer(this.listener);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.options.logger.error({ err: error }, 'HTTP server error'));
    this.server = server;
    return server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), this.options.closeAfterMs ?? 3_000);
    await closed;
    clearTimeout(timer);
  }
}
