import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HealthCheck } from './health.js';
import type { Metrics } from './metrics.js';

/** A route in the shape Bolt's `customRoutes` takes, so HTTP mode serves these beside /slack/events. */
export type OpsRoute = {
  path: string;
  method: 'GET' | 'POST';
  handler: (req: IncomingMessage, res: ServerResponse) => void;
};

export function opsRoutes(deps: { health: HealthCheck; metrics: Metrics }): OpsRoute[] {
  return [
    {
      path: '/healthz',
      method: 'GET',
      handler: (_req, res) => {
        deps.health().then(
          ({ statusCode, report }) => {
            res.writeHead(statusCode, { 'content-type': 'application/json' });
            res.end(JSON.stringify(report));
          },
          (error: unknown) => {
            res.writeHead(503, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ status: 'unhealthy', reasons: [String((error as Error).message)] }));
          },
        );
      },
    },
    {
      path: '/metrics',
      method: 'GET',
      handler: (_req, res) => {
        deps.metrics.render().then(
          ({ contentType, body }) => {
            res.writeHead(200, { 'content-type': contentType });
            res.end(body);
          },
          (error: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`metrics unavailable: ${(error as Error).message}\n`);
          },
        );
      },
    },
  ];
}

/**
 * The ops routes on their own HTTP server: for Socket Mode (rather than Bolt's `customRoutes` there: README,
 * "Why Socket Mode gets an HTTP server of ours") and for tests.
 * Resolves with the port actually bound (pass 0 for a free one).
 */
export type OpsServer = { server: Server; port: number; close(): Promise<void> };

export async function startOpsServer(routes: OpsRoute[], port: number, host?: string): Promise<OpsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
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
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
