// The capture proxy (HTTPS_PROXY=http://127.0.0.1:PORT), on http-mitm-proxy's server. A CONNECT to
// an intercepted host (api.anthropic.com) is decrypted with a leaf from our CA, and each request in
// it is forwarded to that host or the upstream override and streamed back as it arrives, the tap
// copying Messages calls on the side (forward.ts, as the gateway does). A CONNECT to any other host
// is a byte tunnel; plain-HTTP proxy requests go through the library's pipeline as they are.
// Capture never changes what the client gets.
import https from 'node:https';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { LEAF_RENEW_BEFORE_MS, type LeafIssuer } from '../../certs/leaf-certs.js';
import { UserError, describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { AcceptedRequest, ExchangeSink } from '../exchange.js';
import { ActiveStreams, refuseStopping } from './active-streams.js';
import { forwardRequest } from './forward.js';
import { MitmProxy } from './mitm-proxy.js';
import { zeroCounters, type Counters } from './shared-counters.js';
import { PROXY_STAT_NAMES } from './net-messages.js';
import { openTunnel, parseAuthority, type HostPort } from './tunnel.js';
import { createUpstream, type Upstream } from './upstream.js';

export interface ProxyOptions {
  port: number;
  /** Hosts decrypted; read per connection so a settings change applies to new connections. */
  interceptHosts: () => readonly string[];
  /** Our CA's leaf issuer; read per new host, so a regenerated CA applies at once. */
  issuer: () => Pick<LeafIssuer, 'leafFor'>;
  /** The upstream override, or null to talk to the host the client asked for. */
  upstream: () => Upstream | null;
  sink: ExchangeSink;
  /** Records a tapped request as accepted for capture (see forward.ts). */
  accept?: (request: AcceptedRequest) => Promise<void>;
  /** Pause: keep forwarding, copy nothing. */
  capturing: () => boolean;
  log: Logger;
  /** Counters to count into (the network thread's shared ones); default: a fresh set. */
  stats?: ProxyStats;
}

export type ProxyStats = Counters<(typeof PROXY_STAT_NAMES)[number]>;

export interface CaptureProxy {
  port: number;
  stats(): ProxyStats;
  /** Forget per-host TLS servers (after a CA change); open connections keep theirs. */
  resetCertificates(): void;
  /** As the gateway's: no new request, replies in flight finish (up to graceMs); returns how many were cut. */
  close(graceMs?: number): Promise<number>;
}

interface HostServer {
  server: https.Server;
  notAfter: number;
  renewing?: Promise<void>;
}

export async function startProxy(options: ProxyOptions): Promise<CaptureProxy> {
  const log = options.log;
  const stats = options.stats ?? zeroCounters(PROXY_STAT_NAMES);
  const failure = (kind: string, err: Error) => {
    if (kind.startsWith('PROXY_TO_SERVER')) stats.upstreamErrors++;
    log.warn('proxy.failure', {
      kind,
      error: describeError(err),
      code: (err as NodeJS.ErrnoException).code,
    });
  };
  const active = new ActiveStreams();
  const proxy = new MitmProxy({
    onFailure: failure,
    leafFor: (host) => options.issuer().leafFor(host),
  });

  // Without an upstream override a decrypted request goes to the host the client CONNECTed to (never
  // one named by a Host header inside the tunnel): one keep-alive pool per host and port.
  const direct = new Map<string, Upstream>();
  const upstreamFor = (authority: string): Upstream => {
    const override = options.upstream();
    if (override) return override;
    let upstream = direct.get(authority);
    if (!upstream) direct.set(authority, (upstream = createUpstream({ upstream: `https://${authority}` })));
    return upstream;
  };

  // One never-listening TLS server per intercepted host and port; its requests are ours to forward.
  const decryptingServer = (
    target: HostPort,
    authority: string,
    leaf: { certPem: string; keyPem: string },
  ) => {
    const server = https.createServer(
      { cert: leaf.certPem, key: leaf.keyPem },
      (req: http.IncomingMessage, res: http.ServerResponse) => {
        stats.requests++;
        if (active.draining) {
          stats.refusedStopping++;
          refuseStopping(req, res, 'proxy');
          return;
        }
        stats.intercepted++;
        forwardRequest(req, res, {
          route: 'proxy',
          clientHost: target.host,
          upstream: upstreamFor(authority),
          capturing: options.capturing(),
          sink: options.sink,
          accept: options.accept,
          active,
          counters: stats,
          log,
        });
      },
    );
    // Longer than a client's idle pool, so the proxy is never the side that drops a reused socket.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.on('tlsClientError', (err: Error) => failure('TLS_CLIENT_ERROR', err));
    return server;
  };

  // Leaves last days, the tray runs for weeks: a server whose leaf nears expiry gets the issuer's
  // renewed leaf (open connections keep theirs).
  let tlsServers = new Map<string, Promise<HostServer>>();
  const tlsServerFor = async (target: HostPort): Promise<https.Server> => {
    const key = `${target.host}:${target.port}`;
    let entry = tlsServers.get(key);
    if (!entry) {
      entry = options
        .issuer()
        .leafFor(target.host)
        .then((leaf) => ({
          server: decryptingServer(target, key, leaf),
          notAfter: leaf.notAfter.getTime(),
        }));
      const map = tlsServers;
      entry.catch(() => map.delete(key));
      map.set(key, entry);
    }
    const hs = await entry;
    if (hs.notAfter - Date.now() < LEAF_RENEW_BEFORE_MS) {
      hs.renewing ??= options
        .issuer()
        .leafFor(target.host)
        .then((leaf) => {
          hs.server.setSecureContext({ cert: leaf.certPem, key: leaf.keyPem });
          hs.notAfter = leaf.notAfter.getTime();
          log.info('proxy.leaf_renewed', { host: target.host, notAfter: leaf.notAfter.toISOString() });
        })
        .finally(() => {
          hs.renewing = undefined;
        });
      await hs.renewing;
    }
    return hs.server;
  };
  const isIntercepted = (host: string) => options.interceptHosts().includes(host);

  // Every CONNECT socket, so close() can end them (the HTTP server forgets upgraded sockets).
  const sockets = new Set<Duplex>();

  proxy.onConnect((req, socket, head: Buffer, _callback) => {
    // We never call the library's callback: its CONNECT path would create its own certificates.
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const target = parseAuthority(req.url);
    if (!target) {
      socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    if (!isIntercepted(target.host)) {
      openTunnel(socket, head, target, stats, (stage, err) =>
        log.debug('proxy.tunnel_error', { stage, error: describeError(err) }),
      );
      return;
    }
    stats.decryptedConnections++;
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    tlsServerFor(target).then(
      (server) => {
        if (socket.destroyed) return;
        // Handed over in process (the library would open a loopback TCP hop to its own server).
        if (head.length > 0) socket.unshift(head);
        server.emit('connection', socket);
      },
      (err: Error) => {
        log.error('proxy.leaf_failed', { host: target.host, error: describeError(err) });
        socket.destroy();
      },
    );
  });

  // Only plain-HTTP proxy requests reach the library's pipeline: forwarded as they are.
  proxy.onRequest((_ctx, callback) => {
    stats.requests++;
    callback();
  });

  let port: number;
  try {
    port = await proxy.listenLoopback(options.port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UserError(
        'conflict',
        `Proxy port ${options.port} is in use: set MEM0_TRAY_PROXY_PORT (0 = any free port) or stop the other process.`,
      );
    }
    throw err;
  }
  log.info('proxy.listening', { port });
  return {
    port,
    stats: () => ({ ...stats }),
    resetCertificates: () => {
      tlsServers = new Map();
    },
    close: async (graceMs = 0) => {
      // No new CONNECT from now on; decrypted connections already open stay until their replies end.
      const stopping = proxy.stop();
      const cut = await active.drain(graceMs);
      stats.streamsCut += cut;
      for (const socket of sockets) socket.destroy();
      await stopping;
      proxy.httpAgent.destroy();
      proxy.httpsAgent.destroy();
      for (const upstream of direct.values()) upstream.close();
      return cut;
    },
  };
}
