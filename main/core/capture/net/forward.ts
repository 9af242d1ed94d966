// One Anthropic API request forwarded to the upstream and its answer streamed back chunk by chunk,
// with the tap copying Messages calls on the side: what the gateway does for every request and the
// proxy for every request it decrypted. Backpressure is the client's: a slow reader pauses the
// upstream response instead of making us buffer it. Nothing the tap does can reach the bytes.
import type http from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { AcceptedRequest, CaptureRoute, ExchangeSink } from '../exchange.js';
import type { ActiveStreams } from './active-streams.js';
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
  /**
   * Records a tapped request as accepted for capture (in the core's database); the end of its reply
   * waits for that, at most ACCEPT_WAIT_MS, so a turn whose reply completed can be recovered.
   */
  accept?: (request: AcceptedRequest) => Promise<void>;
  /** Streams in flight, for a shutdown that lets them finish. */
  active?: ActiveStreams;
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

/**
 * How long the end of a reply waits for the core to confirm that its request was recorded. It is
 * confirmed within a turn of the core's event loop, long before a streamed answer ends; only a
 * stalled core makes a client wait, and never longer than this (fail open, counted as unconfirmed).
 */
export const ACCEPT_WAIT_MS = 1_000;

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

  // The client sends `Expect: 100-continue` to us, and our server has already answered it.
  delete headers.expect;
  // A request without a body is sent without one (a stream, even an empty one, would go chunked).
  const hasBody =
    Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) req.resume();

  options.active?.add(res);
  // The request's acceptance (see ForwardOptions.accept): pending until the core has it committed.
  let accepted: Promise<void> | null = null;
  let acceptedDone = false;
  const onRequestBodyEnd = () => {
    if (!tap || !options.accept) return;
    const accept = options.accept;
    const t = tap;
    accepted = t
      .acceptedRequest()
      .then((r) => (r ? accept(r) : undefined))
      .catch((err: unknown) => onTapError('accept', err))
      .finally(() => {
        acceptedDone = true;
      });
  };

  let controller: Dispatcher.DispatchController | null = null;
  let clientGone = false;
  const failed = (err: Error) => {
    safe((t) => t.finish(false));
    if (clientGone) return;
    counters.upstreamErrors++;
    log.warn(`${route}.upstream_error`, {
      error: describeError(err),
      code: (err as NodeJS.ErrnoException).code ?? (err.cause as NodeJS.ErrnoException | undefined)?.code,
    });
    sendApiError(
      res,
      502,
      'api_error',
      `Mem0 Tray ${route} could not reach ${upstream.url.origin}: ${describeError(err)}`,
    );
  };
  const handler: Dispatcher.DispatchHandler = {
    onRequestStart: (c) => {
      controller = c;
    },
    onResponseStart: (_c, status, responseHeaders, statusMessage) => {
      if (status < 200) return; // 100 Continue, 103 Early Hints: the final answer follows
      safe((t) => t.responseStart(status, responseHeaders));
      res.writeHead(status, statusMessage, forwardableHeaders(responseHeaders));
      // An event stream opens at once, before its first event; any other answer sends its headers
      // with its first bytes (one TLS record and one write fewer per request).
      if (/^text\/event-stream/i.test(String(responseHeaders['content-type'] ?? ''))) res.flushHeaders();
    },
    onResponseData: (c, chunk) => {
      counters.bytesFromUpstream += chunk.length;
      safe((t) => t.responseChunk(chunk));
      if (!res.write(chunk) && !c.paused) {
        c.pause();
        res.once('drain', () => c.resume());
      }
    },
    onResponseEnd: () => {
      const end = () => {
        res.end();
        safe((t) => t.finish(true));
      };
      if (!accepted || acceptedDone) {
        end();
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          counters.unconfirmed++;
          resolve();
        }, ACCEPT_WAIT_MS);
      });
      void Promise.race([accepted, bound]).then(() => {
        clearTimeout(timer);
        end();
      });
    },
    onResponseError: (_c, err) => failed(err),
  };
  try {
    upstream.pool.dispatch(
      {
        origin: upstream.url.origin,
        method,
        path,
        headers,
        // The tap reads the body as undici sends it (a listener of its own would race undici's).
        body: !hasBody
          ? null
          : tap
            ? (tappedBody(
                req,
                (chunk) => safe((t) => t.requestChunk(chunk)),
                onRequestBodyEnd,
              ) as unknown as Readable)
            : req,
      },
      handler,
    );
  } catch (err) {
    failed(err as Error);
  }
  // The client went away: stop the upstream call too, and record the exchange as not captured.
  res.on('close', () => {
    if (!res.writableFinished) {
      clientGone = true;
      safe((t) => t.finish(false));
      controller?.abort(new Error('the client closed the connection'));
    }
  });
}

/** The request body as undici reads it, each chunk shown to `copy` on its way (an async iterable). */
async function* tappedBody(
  req: Readable,
  copy: (chunk: Buffer) => void,
  ended: () => void,
): AsyncGenerator<Buffer> {
  for await (const chunk of req as AsyncIterable<Buffer>) {
    copy(chunk);
    yield chunk;
  }
  ended();
}
