// One Anthropic API request forwarded to the upstream and its answer streamed back chunk by chunk,
// with the tap copying Messages calls on the side: what the gateway does for every request and the
// proxy for every request it decrypted. Backpressure is the client's: a slow reader pauses the
// upstream response instead of making us buffer it. Nothing the tap does can reach the bytes.
import type http from 'node:http';
import { describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { CaptureRoute, ExchangeSink } from '../exchange.js';
import type { FORWARD_COUNTER_NAMES } from './net-messages.js';
import type { Counters } from './shared-counters.js';
import { ExchangeTap, copyHeaders, shouldTap, tappableAcceptEncoding } from './tap.js';
import { forwardableHeaders, type Upstream } from './upstream.js';

export type ForwardCounters = Counters<(typeof FORWARD_COUNTER_NAMES)[number]>;

export interface ForwardOptions {
  route: CaptureRoute;
  /** The host the client believes it talks to (recorded in the capture). */
  clientHost: string;
  upstream: Upstream;
  /** Capture on (not paused); only Messages calls are copied either way. */
  capturing: boolean;
  sink: ExchangeSink;
  counters: ForwardCounters;
  /** Logs as `<route>.upstream_error` and `<route>.tap_error`, never with content. */
  log: Logger;
}

/** The Anthropic API's own error shape, so clients show a readable message. */
export function sendApiError(res: http.ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent) {
    // Mid-stream: the client must see a broken stream, not a truncated-but-complete one.
    res.destroy();
    return;
  }
  const body = JSON.stringify({ type: 'error', error: { type, message } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function forwardRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  options: ForwardOptions,
): void {
  const { route, upstream, counters, log } = options;
  const onTapError = (stage: string, err: unknown) =>
    log.warn(`${route}.tap_error`, { stage, error: describeError(err) });
  const path = req.url ?? '/';
  const method = req.method ?? 'GET';
  const tapped = options.capturing && shouldTap(method, path);
  const headers = forwardableHeaders(req.headers);
  headers.host = upstream.host;
  let tap: ExchangeTap | null = null;
  if (tapped) {
    // Never offer the upstream an encoding the tap cannot read (Claude Code offers zstd).
    const accept = tappableAcceptEncoding(req.headers['accept-encoding']);
    if (accept) headers['accept-encoding'] = accept;
    try {
      tap = new ExchangeTap(
        route,
        options.clientHost,
        method,
        path,
        copyHeaders(req.headers),
        options.sink,
        counters,
        onTapError,
      );
    } catch (err) {
      counters.tapErrors++;
      onTapError('start', err);
    }
  }
  const safe = (fn: (t: ExchangeTap) => void) => {
    if (!tap) return;
    try {
      fn(tap);
    } catch (err) {
      counters.tapErrors++;
      onTapError('copy', err);
      tap = null;
    }
  };

  const upstreamReq = upstream.request({ method, path, headers });
  upstreamReq.on('response', (upstreamRes) => {
    safe((t) => t.responseStart(upstreamRes.statusCode ?? 0, upstreamRes.headers));
    res.writeHead(
      upstreamRes.statusCode ?? 502,
      upstreamRes.statusMessage,
      forwardableHeaders(upstreamRes.headers),
    );
    // An event stream opens at once, before its first event; any other answer sends its headers with
    // its first bytes (one TLS record and one write fewer per request).
    if (/^text\/event-stream/i.test(String(upstreamRes.headers['content-type'] ?? ''))) res.flushHeaders();
    upstreamRes.on('data', (chunk: Buffer) => {
      counters.bytesFromUpstream += chunk.length;
      safe((t) => t.responseChunk(chunk));
      if (!res.write(chunk)) {
        upstreamRes.pause();
        res.once('drain', () => upstreamRes.resume());
      }
    });
    upstreamRes.on('end', () => {
      res.end();
      safe((t) => t.finish(true));
    });
    upstreamRes.on('error', () => {
      safe((t) => t.finish(false));
      res.destroy();
    });
    upstreamRes.on('aborted', () => safe((t) => t.finish(false)));
  });
  upstreamReq.on('error', (err) => {
    counters.upstreamErrors++;
    safe((t) => t.finish(false));
    log.warn(`${route}.upstream_error`, {
      error: describeError(err),
      code: (err as NodeJS.ErrnoException).code,
    });
    sendApiError(
      res,
      502,
      'api_error',
      `Mem0 Tray ${route} could not reach ${upstream.url.origin}: ${describeError(err)}`,
    );
  });
  if (tap) req.on('data', (chunk: Buffer) => safe((t) => t.requestChunk(chunk)));
  req.pipe(upstreamReq);
  // The client went away: stop the upstream call too, and record the exchange as not captured.
  res.on('close', () => {
    if (!res.writableFinished) {
      safe((t) => t.finish(false));
      upstreamReq.destroy();
    }
  });
}
