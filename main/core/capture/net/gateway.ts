// The gateway: plain HTTP on 127.0.0.1 that Claude clients reach with
// ANTHROPIC_BASE_URL=http://127.0.0.1:PORT. It forwards every request to the upstream as it
// arrives and streams the answer back chunk by chunk; the tap copies Messages calls on the side.
// The capture route that needs no certificate.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { allowedHosts } from '../../api/loopback.js';
import { UserError, describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ExchangeSink } from '../exchange.js';
import { zeroCounters, type Counters } from './shared-counters.js';
import { GATEWAY_STAT_NAMES } from './net-messages.js';
import { ExchangeTap, copyHeaders, shouldTap, tappableAcceptEncoding } from './tap.js';
import { forwardableHeaders, type Upstream } from './upstream.js';

export interface GatewayOptions {
  port: number;
  upstream: () => Upstream;
  /** The host clients believe they talk to (recorded in captures). */
  clientHost: string;
  sink: ExchangeSink;
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
  close(): Promise<void>;
}

/** The Anthropic API's own error shape, so clients show a readable message. */
function sendError(res: http.ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ type: 'error', error: { type, message } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
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
  const onTapError = (stage: string, err: unknown) =>
    log.warn('gateway.tap_error', { stage, error: describeError(err) });

  const server = http.createServer((req, res) => {
    stats.requests++;
    const refused = refusal(req, port);
    if (refused) {
      stats.refused++;
      req.resume();
      sendError(res, 403, 'permission_error', `Mem0 Tray gateway: ${refused}.`);
      return;
    }
    const upstream = options.upstream();
    const path = req.url ?? '/';
    const tapped = (options.capturing?.() ?? true) && shouldTap(req.method, path);
    const headers = forwardableHeaders(req.headers);
    headers.host = upstream.host;
    if (tapped) {
      const accept = tappableAcceptEncoding(req.headers['accept-encoding']);
      if (accept) headers['accept-encoding'] = accept;
    }
    let tap: ExchangeTap | null = null;
    try {
      if (tapped) {
        tap = new ExchangeTap(
          'gateway',
          options.clientHost,
          req.method ?? 'POST',
          path,
          copyHeaders(req.headers),
          options.sink,
          stats,
          onTapError,
        );
      }
    } catch (err) {
      onTapError('start', err);
    }
    const safe = (fn: () => void) => {
      try {
        fn();
      } catch (err) {
        stats.tapErrors++;
        onTapError('copy', err);
        tap = null;
      }
    };

    const upstreamReq = upstream.request({ method: req.method, path, headers });
    upstreamReq.on('response', (upstreamRes) => {
      safe(() => tap?.responseStart(upstreamRes.statusCode ?? 0, upstreamRes.headers));
      res.writeHead(
        upstreamRes.statusCode ?? 502,
        upstreamRes.statusMessage,
        forwardableHeaders(upstreamRes.headers),
      );
      // Headers go out now: an SSE client sees the stream open before the first event.
      res.flushHeaders();
      upstreamRes.on('data', (chunk: Buffer) => {
        safe(() => tap?.responseChunk(chunk));
        if (!res.write(chunk)) {
          upstreamRes.pause();
          res.once('drain', () => upstreamRes.resume());
        }
      });
      upstreamRes.on('end', () => {
        res.end();
        safe(() => tap?.finish(true));
      });
      upstreamRes.on('error', () => {
        safe(() => tap?.finish(false));
        res.destroy();
      });
      upstreamRes.on('aborted', () => safe(() => tap?.finish(false)));
    });
    upstreamReq.on('error', (err) => {
      stats.upstreamErrors++;
      safe(() => tap?.finish(false));
      log.warn('gateway.upstream_error', {
        error: describeError(err),
        code: (err as NodeJS.ErrnoException).code,
      });
      sendError(
        res,
        502,
        'api_error',
        `Mem0 Tray gateway could not reach ${upstream.url.origin}: ${describeError(err)}`,
      );
    });
    req.on('data', (chunk: Buffer) => safe(() => tap?.requestChunk(chunk)));
    req.pipe(upstreamReq);
    // The client went away: stop the upstream call too, and record the exchange as not captured.
    res.on('close', () => {
      if (!res.writableFinished) {
        safe(() => tap?.finish(false));
        upstreamReq.destroy();
      }
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}
