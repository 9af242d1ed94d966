// Where intercepted Anthropic traffic really goes: https://api.anthropic.com, or the override
// (MEM0_TRAY_UPSTREAM + MEM0_TRAY_UPSTREAM_CA) for corporate gateways and tests. One keep-alive
// undici pool per upstream, so a Claude session reuses its connections. undici rather than
// http.request: forwarding a call costs markedly less CPU without http.request's ClientRequest
// and agent bookkeeping (measured with the capture-gateway benchmark).
import { Pool } from 'undici';
import type { Settings } from '../../config/settings.js';
import { ANTHROPIC_ORIGIN, upstreamSecureContext } from './upstream-settings.js';

export interface Upstream {
  url: URL;
  /** Value for the Host header sent upstream. */
  host: string;
  /** Keep-alive connections to `url`'s origin. */
  pool: Pool;
  /** Takes no new requests; closes once those in flight have finished. */
  close(): void;
}

export function createUpstream(settings: Pick<Settings, 'upstream' | 'upstreamCa'>): Upstream {
  const url = new URL(settings.upstream ?? ANTHROPIC_ORIGIN);
  const secureContext = upstreamSecureContext(settings);
  const pool = new Pool(url.origin, {
    // No socket limit that a few Claude sessions could reach.
    connections: 256,
    // A proxy adds no deadlines of its own: a long non-streaming answer or a quiet stream is the
    // client's to time out, as it would be on a direct connection.
    headersTimeout: 0,
    bodyTimeout: 0,
    // undici presents the origin's name for TLS (SNI), none for an IP address.
    connect: { timeout: 30_000, ...(secureContext ? { secureContext } : {}) },
  });
  return {
    url,
    host: url.host,
    pool,
    close: () => void pool.close().catch(() => {}),
  };
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) are never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export function forwardableHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    out[name] = value;
  }
  return out;
}
