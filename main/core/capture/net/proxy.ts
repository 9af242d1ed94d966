// The capture proxy (HTTPS_PROXY=http://127.0.0.1:PORT). A CONNECT to an intercepted host
// (api.anthropic.com) is decrypted with a leaf from our CA and its requests go through
// http-mitm-proxy's pipeline to the real host or the upstream override, streamed as they arrive,
// with the tap copying Messages calls on the side. A CONNECT to any other host is a byte tunnel;
// plain-HTTP proxy requests are forwarded as they are. Capture never changes what the client gets.
import type https from 'node:https';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { IContext } from 'http-mitm-proxy';
import { LEAF_RENEW_BEFORE_MS, type LeafIssuer } from '../../certs/leaf-certs.js';
import { UserError, describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ExchangeSink } from '../exchange.js';
import { MitmProxy } from './mitm-proxy.js';
import { zeroCounters, type Counters } from './shared-counters.js';
import { PROXY_STAT_NAMES } from './net-messages.js';
import { ExchangeTap, copyHeaders, shouldTap, tappableAcceptEncoding } from './tap.js';
import { openTunnel, parseAuthority, type HostPort } from './tunnel.js';
import type { Upstream } from './upstream.js';

export interface ProxyOptions {
  port: number;
  /** Hosts decrypted; read per connection so a settings change applies to new connections. */
  interceptHosts: () => readonly string[];
  /** Our CA's leaf issuer; read per new host, so a regenerated CA applies at once. */
  issuer: () => Pick<LeafIssuer, 'leafFor'>;
  /** The upstream override, or null to talk to the host the client asked for. */
  upstream: () => Upstream | null;
  sink: ExchangeSink;
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
  close(): Promise<void>;
}

interface HostServer {
  server: https.Server;
  notAfter: number;
  renewing?: Promise<void>;
}

interface Intercepted {
  target: HostPort;
  tap: ExchangeTap | null;
}

export async function startProxy(options: ProxyOptions): Promise<CaptureProxy> {
  const log = options.log;
  const stats = options.stats ?? zeroCounters(PROXY_STAT_NAMES);
  const onTapError = (stage: string, err: unknown) => {
    log.warn('proxy.tap_error', { stage, error: describeError(err) });
  };
  const proxy = new MitmProxy({
    onFailure: (kind, err) => {
      if (kind.startsWith('PROXY_TO_SERVER')) stats.upstreamErrors++;
      log.warn('proxy.failure', {
        kind,
        error: describeError(err),
        code: (err as NodeJS.ErrnoException).code,
      });
    },
    leafFor: (host) => options.issuer().leafFor(host),
  });

  // One never-listening TLS server per intercepted host. Leaves last days, the tray runs for weeks:
  // a server whose leaf nears expiry gets the issuer's renewed leaf (open connections keep theirs).
  let tlsServers = new Map<string, Promise<HostServer>>();
  const tlsServerFor = async (host: string): Promise<https.Server> => {
    let entry = tlsServers.get(host);
    if (!entry) {
      entry = options
        .issuer()
        .leafFor(host)
        .then((leaf) => ({
          server: proxy.createTlsServer(leaf.certPem, leaf.keyPem),
          notAfter: leaf.notAfter.getTime(),
        }));
      const map = tlsServers;
      entry.catch(() => map.delete(host));
      map.set(host, entry);
    }
    const hs = await entry;
    if (hs.notAfter - Date.now() < LEAF_RENEW_BEFORE_MS) {
      hs.renewing ??= options
        .issuer()
        .leafFor(host)
        .then((leaf) => {
          hs.server.setSecureContext({ cert: leaf.certPem, key: leaf.keyPem });
          hs.notAfter = leaf.notAfter.getTime();
          log.info('proxy.leaf_renewed', { host, notAfter: leaf.notAfter.toISOString() });
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
    tlsServerFor(target.host).then(
      (server) => {
        if (socket.destroyed) return;
        // The library finds a request's CONNECT by the client's ports (ctx.connectRequest).
        const tcp = socket as net.Socket;
        const key = `${tcp.remotePort}:${tcp.localPort}`;
        proxy.connectRequests[key] = req;
        socket.once('close', () => delete proxy.connectRequests[key]);
        proxy.handOver(server, socket, head);
      },
      (err: Error) => {
        log.error('proxy.leaf_failed', { host: target.host, error: describeError(err) });
        socket.destroy();
      },
    );
  });

  proxy.onRequest((ctx, callback) => {
    stats.requests++;
    try {
      if (ctx.isSSL) intercept(ctx);
    } catch (err) {
      // Whatever went wrong here, the request still goes out as the client sent it.
      stats.tapErrors++;
      onTapError('request', err);
    }
    callback();
  });

  function intercept(ctx: IContext): void {
    const target = parseAuthority(ctx.connectRequest?.url);
    const out = ctx.proxyToServerRequestOptions!;
    if (!target) throw new Error('decrypted request without its CONNECT target');
    stats.intercepted++;
    // Always the host the client CONNECTed to (never one named by a Host header inside the tunnel).
    out.host = target.host;
    out.port = target.port;
    const upstream = options.upstream();
    if (upstream) {
      const t = upstream.target;
      Object.assign(out, {
        host: t.hostname,
        port: t.port,
        agent: t.agent,
        protocol: t.protocol,
        servername: t.servername,
      });
      out.headers.host = upstream.host;
    }
    const path = ctx.clientToProxyRequest.url ?? '/';
    const method = ctx.clientToProxyRequest.method ?? 'GET';
    const record = options.capturing() && shouldTap(method, path);
    if (record) {
      const accept = tappableAcceptEncoding(ctx.clientToProxyRequest.headers['accept-encoding']);
      if (accept) out.headers['accept-encoding'] = accept;
    }
    const state: Intercepted = {
      target,
      tap: record
        ? new ExchangeTap(
            'proxy',
            target.host,
            method,
            path,
            copyHeaders(ctx.clientToProxyRequest.headers),
            options.sink,
            stats,
            onTapError,
          )
        : null,
    };
    const safe = (fn: (tap: ExchangeTap) => void) => {
      if (!state.tap) return;
      try {
        fn(state.tap);
      } catch (err) {
        stats.tapErrors++;
        onTapError('copy', err);
        state.tap = null;
      }
    };
    // The library paused the request and resumes it when it pipes it upstream: a second reader
    // sees the same chunks, without becoming part of the forwarding path.
    if (state.tap) ctx.clientToProxyRequest.on('data', (chunk: Buffer) => safe((t) => t.requestChunk(chunk)));
    ctx.onResponse((c, done) => {
      const res = c.serverToProxyResponse!;
      safe((t) => t.responseStart(res.statusCode ?? 0, res.headers));
      res.on('data', (chunk: Buffer) => {
        stats.bytesFromUpstream += chunk.length;
        if (state.tap) safe((t) => t.responseChunk(chunk));
      });
      res.on('end', () => safe((t) => t.finish(true)));
      res.on('aborted', () => safe((t) => t.finish(false)));
      res.on('error', () => safe((t) => t.finish(false)));
      done();
    });
    ctx.onError(() => safe((t) => t.finish(false)));
    // The client went away: stop the upstream call (the library would let it run on) and record
    // the exchange as not captured.
    ctx.proxyToClientResponse.on('close', () => {
      if (!ctx.proxyToClientResponse.writableFinished) {
        safe((t) => t.finish(false));
        ctx.proxyToServerRequest?.destroy();
      }
    });
  }

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
    close: async () => {
      const stopping = proxy.stop();
      for (const socket of sockets) socket.destroy();
      await stopping;
      proxy.httpAgent.destroy();
      proxy.httpsAgent.destroy();
    },
  };
}
