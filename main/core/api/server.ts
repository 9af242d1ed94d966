// The HTTP server on 127.0.0.1:apiPort. It owns what every route shares: the Host and Origin
// checks against DNS rebinding, JSON body limits, no CORS, JSON errors. Features mount their
// routes on `router` (REST, MCP, the headless UI).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { jsonErrorHandler } from './http-errors.js';
import { allowedHosts, allowedOrigins } from './loopback.js';

export interface ApiServer {
  router: Router;
  port: number;
  baseUrl: string;
  /** Adds a route for GET /health's body. */
  setHealth(fn: () => Record<string, unknown>): void;
  close(): Promise<void>;
}

export const API_BODY_LIMIT = '1mb';

export async function startApiServer(options: {
  port: number;
  log: Logger;
  envVar?: string;
}): Promise<ApiServer> {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const router = express.Router();
  let port = options.port;
  let health: () => Record<string, unknown> = () => ({ status: 'ok' });

  // A web page on another site can resolve its own name to 127.0.0.1 (DNS rebinding) and reach us
  // with its Host header, or make a cross-site request with its Origin: refuse both.
  app.use((req, res, next) => {
    if (!allowedHosts(port).has(req.headers.host ?? '')) {
      res.status(403).json({ detail: 'Forbidden: invalid Host header.' });
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins(port).has(origin)) {
      res.status(403).json({ detail: 'Forbidden: cross-origin requests are not allowed.' });
      return;
    }
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.get('/health', (_req, res) => {
    res.json(health());
  });
  app.use(router);
  app.use((_req, res) => {
    res.status(404).json({ detail: 'Not found.' });
  });
  app.use(jsonErrorHandler(options.log));

  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new UserError(
            'conflict',
            `API port ${options.port} is in use: set ${options.envVar ?? 'MEM0_TRAY_API_PORT'} (0 = any free port) or stop the other process.`,
          ),
        );
      } else reject(err);
    });
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  options.log.info('api.listening', { port });

  return {
    router,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    setHealth: (fn) => {
      health = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Long-lived streams (MCP, live UI updates) would hold close() open: end them after a grace period.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}
