// Where intercepted Anthropic traffic really goes: https://api.anthropic.com, or the override
// (MEM0_TRAY_UPSTREAM + MEM0_TRAY_UPSTREAM_CA) for corporate gateways and tests. One keep-alive
// agent per upstream, so a Claude session reuses its connections.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Settings } from '../../config/settings.js';
import { UserError } from '../../errors.js';

export const ANTHROPIC_ORIGIN = 'https://api.anthropic.com';

export interface Upstream {
  url: URL;
  /** Value for the Host header sent upstream. */
  host: string;
  request(options: http.RequestOptions): http.ClientRequest;
  /** Where and how to connect, for code that builds its own request (the proxy's pipeline). */
  target: {
    protocol: 'http:' | 'https:';
    hostname: string;
    port: number;
    agent: http.Agent;
    servername: string | undefined;
  };
  close(): void;
}

export function createUpstream(settings: Pick<Settings, 'upstream' | 'upstreamCa'>): Upstream {
  const url = new URL(settings.upstream ?? ANTHROPIC_ORIGIN);
  // One secure context for every connection. Passing `ca` to the agent instead costs, per request,
  // a pool key built from ~150 root certificates (Agent.getName) and, per connection, parsing them
  // all again: a third of the proxy's CPU in the benchmark.
  let secureContext: tls.SecureContext | undefined;
  if (settings.upstreamCa) {
    try {
      secureContext = tls.createSecureContext({
        ca: [...tls.rootCertificates, fs.readFileSync(settings.upstreamCa, 'utf8')],
      });
    } catch (err) {
      throw new UserError(
        'invalid_settings',
        `Cannot read the upstream CA ${settings.upstreamCa} (MEM0_TRAY_UPSTREAM_CA): ${(err as Error).message}`,
      );
    }
  }
  const secure = url.protocol === 'https:';
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: 256, secureContext })
    : new http.Agent({ keepAlive: true, maxSockets: 256 });
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const servername = secure && !net.isIP(url.hostname) ? url.hostname : undefined;
  return {
    url,
    host: url.host,
    target: { protocol: secure ? 'https:' : 'http:', hostname: url.hostname, port, agent, servername },
    request: (options) =>
      (secure ? https : http).request({
        ...options,
        protocol: url.protocol,
        hostname: url.hostname,
        port,
        agent,
        // Present the upstream's own name for TLS (SNI) whatever the client addressed.
        servername: secure ? url.hostname : undefined,
      }),
    close: () => agent.destroy(),
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

export function forwardableHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
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
