// The gateway: plain HTTP on 127.0.0.1 that Claude clients reach with
// ANTHROPIC_BASE_URL=http://127.0.0.1:PORT. Every request it accepts is forwarded to the upstream
// and streamed back, the tap copying Messages calls on the side (forward.ts). The capture route
// that needs no certificate.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { allowedHosts } from '../../api/loopback.js';
import { UserError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { AcceptedRequest, ExchangeSink } from '../exchange.js';
import { ActiveStreams, refuseStopping } from './active-streams.js';
import { zeroCounters, type Counters } from './shared-counters.js';
import { GATEWAY_STAT_NAMES } from './net-messages.js';
import { forwardRequest, sendApiError } from './forward.js';
import type { Upstream } from './upstream.js';

export interface GatewayOptions {
  port: number;
  upstream: () => Upstream;
  /** The host clients believe they talk to (recorded in captures). */
  clientHost: string;
  sink: ExchangeSink;
  /** Records a tapped request as accepted for capture (see forward.ts). */
  accept?: (request: AcceptedRequest) => Promise<void>;
  /** Pause: keep forwarding, copy nothing (default: always capturing). */
  capturing?: () => boolean;
  log: Logger;
  /** Counters to count into (the network thread's shared ones); default: a fresh set. */
  stats?: GatewayStats;
}

export type GatewayStats = Counters<(typeof GATEWAY_STAT_NAMES)[number]>;

export interface Gateway {
  port: number;
  stats(): GatewayStats;
  /**
   * Stops taking requests at once (new connections refused, new requests on open ones answered
   * 503), lets replies in flight finish for up to graceMs, then cuts the rest; returns how many.
   */
  close(graceMs?: number): Promise<number>;
}

/**
 * Claude clients send neither an Origin nor a foreign Host. A web page does (a cross-site fetch, or
 * DNS rebinding): it could spend its own key through us and plant the answer as a memory that MCP
 * later hands to Claude. Such requests are refused before anything is forwarded or captured.
 */
function refusal(req: http.IncomingMessage, port: number): string | null {
  if (req.headers.origin !== undefined) return 'browser requests (with an Origin header) are not accepted';
  if (!allowedHosts(port).has(req.headers.host ?? ''))
    return 'the Host header must be 127.0.0.1 or localhost';
  return null;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const stats = options.stats ?? zeroCounters(GATEWAY_STAT_NAMES);
  let port = options.port;
  const log = options.log;

  const active = new ActiveStreams();
  const server = http.createServer((req, res) => {
    stats.requests++;
    if (active.draining) {
      stats.refusedStopping++;
      refuseStopping(req, res, 'gateway');
      return;
    }
    const refused = refusal(req, port);
    if (refused) {
      stats.refused++;
      req.resume();
      sendApiError(res, 403, 'permission_error', `Mem0 Tray gateway: ${refused}.`);
      return;
    }
    forwardRequest(req, res, {
      route: 'gateway',
      clientHost: options.clientHost,
      upstream: options.upstream(),
      capturing: options.capturing?.() ?? true,
      sink: options.sink,
      accept: options.accept,
      active,
      counters: stats,
      log,
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new UserError(
              'conflict',
              `Gateway port ${options.port} is in use: set MEM0_TRAY_GATEWAY_PORT (0 = any free port) or stop the other process.`,
            )
          : err,
      );
    });
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  log.info('gateway.listening', { port });
  return {
    port,
    stats: () => ({ ...stats }),
    close: async (graceMs = 0) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const cut = await active.drain(graceMs);
      stats.streamsCut += cut;
      server.closeAllConnections();
      await closed;
      return cut;
    },
  };
}
