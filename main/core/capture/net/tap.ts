// The tap: a copy of one exchange's bytes, taken on the side while the real bytes flow to the
// client untouched. Only Messages calls are copied. The copy is decoded (gzip, br, deflate) after
// the exchange ends and handed to the capture sink. Nothing here may throw into the network path.
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import type { AcceptedRequest, CaptureRoute, CapturedExchange, ExchangeSink } from '../exchange.js';
import type { TAP_COUNTER_NAMES } from './net-messages.js';
import type { Counters } from './shared-counters.js';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

/** A Messages exchange bigger than this is forwarded in full but not captured. */
export const MAX_TAP_BYTES = 64 * 1024 * 1024;

/** Request headers never copied to the capture: credentials stay between client and upstream. */
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'x-api-key',
  'cookie',
  'set-cookie',
  'proxy-authorization',
]);

/** Encodings the tap can decode. Node 20 has no zstd. */
const DECODABLE = new Set(['gzip', 'x-gzip', 'deflate', 'br', 'identity']);

/** Only the calls that may become memories are copied; everything else just flows. */
export function shouldTap(method: string | undefined, path: string | undefined): boolean {
  return method === 'POST' && /^\/v1\/messages(\?|$)/.test(path ?? '');
}

/**
 * The accept-encoding to send upstream for a tapped request: what the client offered, minus what
 * the tap cannot decode (Claude Code offers zstd). The client still gets one it asked for.
 */
export function tappableAcceptEncoding(offered: string | undefined): string | undefined {
  if (!offered) return offered;
  const kept = offered
    .split(',')
    .map((part) => part.trim())
    .filter((part) => DECODABLE.has(part.split(';')[0]!.trim().toLowerCase()));
  return kept.length > 0 ? kept.join(', ') : 'identity';
}

export function copyHeaders(headers: NodeJS.Dict<string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || CREDENTIAL_HEADERS.has(name.toLowerCase())) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function decode(body: Buffer, encoding: string | undefined): Promise<Buffer> {
  const codings = (encoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity')
    .reverse();
  let out = body;
  for (const coding of codings) {
    if (coding === 'gzip' || coding === 'x-gzip') out = await gunzip(out);
    else if (coding === 'br') out = await brotli(out);
    else if (coding === 'deflate') {
      // "deflate" is zlib-wrapped by the standard, raw by some servers.
      out = await inflate(out).catch(() => inflateRaw(out));
    } else throw new Error(`cannot decode content-encoding ${coding}`);
  }
  return out;
}

export type TapCounters = Counters<(typeof TAP_COUNTER_NAMES)[number]>;

/** Tap ids are unique across restarts of the network thread (tapId in exchange.ts). */
const TAP_ID_PREFIX = `${process.pid}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}.`;
let tapSeq = 0;

export class ExchangeTap {
  private readonly tapId = TAP_ID_PREFIX + (tapSeq++).toString(36);
  private readonly request: Buffer[] = [];
  private readonly response: Buffer[] = [];
  private bytes = 0;
  private overflow = false;
  private finished = false;
  private status = 0;
  private responseHeaders: Record<string, string> = {};
  private readonly startedAt = new Date().toISOString();

  constructor(
    private readonly route: CaptureRoute,
    private readonly host: string,
    private readonly method: string,
    private readonly path: string,
    private readonly requestHeaders: Record<string, string>,
    private readonly sink: ExchangeSink,
    private readonly counters: TapCounters,
    private readonly onError: (stage: string, err: unknown) => void,
  ) {}

  private keep(into: Buffer[], chunk: Buffer): void {
    if (this.overflow) return;
    this.bytes += chunk.length;
    if (this.bytes > MAX_TAP_BYTES) {
      this.overflow = true;
      this.request.length = 0;
      this.response.length = 0;
      return;
    }
    into.push(chunk);
  }

  requestChunk(chunk: Buffer): void {
    this.keep(this.request, chunk);
  }

  /** The request as it arrived in full (decoded), for recording it as accepted; null if too large. */
  async acceptedRequest(): Promise<AcceptedRequest | null> {
    if (this.overflow) return null;
    return {
      route: this.route,
      host: this.host,
      method: this.method,
      path: this.path,
      requestHeaders: this.requestHeaders,
      tapId: this.tapId,
      requestBody: await decode(Buffer.concat(this.request), this.requestHeaders['content-encoding']),
    };
  }

  responseStart(status: number, headers: NodeJS.Dict<string | string[]>): void {
    this.status = status;
    this.responseHeaders = copyHeaders(headers);
  }

  responseChunk(chunk: Buffer): void {
    this.keep(this.response, chunk);
  }

  /** Ends the tap once; complete = both sides ended normally. Decoding happens off the hot path. */
  finish(complete: boolean): void {
    if (this.finished) return;
    this.finished = true;
    if (this.overflow) {
      this.counters.tooLarge++;
      return;
    }
    const endedAt = new Date().toISOString();
    void (async () => {
      let requestBody: Buffer;
      let responseBody: Buffer;
      let ok = complete;
      try {
        requestBody = await decode(Buffer.concat(this.request), this.requestHeaders['content-encoding']);
      } catch {
        requestBody = Buffer.alloc(0);
        ok = false;
      }
      try {
        responseBody = await decode(Buffer.concat(this.response), this.responseHeaders['content-encoding']);
      } catch {
        responseBody = Buffer.alloc(0);
        ok = false;
      }
      const exchange: CapturedExchange = {
        route: this.route,
        host: this.host,
        method: this.method,
        path: this.path,
        requestHeaders: this.requestHeaders,
        requestBody,
        status: this.status,
        responseHeaders: this.responseHeaders,
        responseBody,
        complete: ok,
        startedAt: this.startedAt,
        endedAt,
        tapId: this.tapId,
      };
      this.counters.tapped++;
      this.sink(exchange);
    })().catch((err: unknown) => {
      this.counters.tapErrors++;
      this.onError('tap', err);
    });
  }
}
