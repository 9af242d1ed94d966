// http-mitm-proxy 1.1.0 with its pitfalls taken out. We use its proxy server, its CONNECT hook and
// its pipeline for plain-HTTP proxy requests; we replace what it does unsafely or slowly:
// - listen() always loads or CREATES its own CA (forge's JavaScript keygen, key files written to
//   ./.http-mitm-proxy): our listen() builds the same HTTP server without touching any CA;
// - per-host leaves come from forge's synchronous keygen (a blocked event loop for every new host)
//   and are written to disk: we never reach that code (onConnect takes every CONNECT) and give it a
//   leaf from our async issuer if it ever asks;
// - it binds "localhost" unless told: we always bind 127.0.0.1;
// - it hands decrypted connections to its per-host HTTPS servers over an extra loopback TCP hop to
//   "0.0.0.0" (fails on Windows, costs a connection per tunnel): proxy.ts decrypts in process;
// - its per-request pipeline keeps the whole exchange (both requests, both responses) reachable from
//   a context object that outlives the request: under load V8 moved every request's objects to the
//   old generation and freed them only in full collections (CPU spent by the thread and V8's GC
//   helpers on every request), and its response filters ignore backpressure: decrypted requests
//   are forwarded by proxy.ts (forward.ts), not by it;
// - it reports every error with console.error/console.debug (stdout): we log through our logger,
//   without content, and answer upstream failures in the Anthropic error shape.
import http from 'node:http';
import https from 'node:https';
import { Proxy, type ErrorCallback, type ICertficateContext, type IContext } from 'http-mitm-proxy';

export interface MitmProxyHooks {
  /** Logs one library-level failure (never content). */
  onFailure(kind: string, err: Error): void;
  /** A certificate for a host, should the library ever ask (it should not: see above). */
  leafFor(host: string): Promise<{ certPem: string; keyPem: string }>;
}

export class MitmProxy extends Proxy {
  constructor(private readonly hooks: MitmProxyHooks) {
    super();
  }

  /** Same servers as the library's listen(), without its CA; resolves with the bound port. */
  listenLoopback(port: number): Promise<number> {
    this.options = { host: '127.0.0.1', port, keepAlive: true };
    this.httpHost = '127.0.0.1';
    this.httpPort = port;
    this.timeout = 0;
    this.keepAlive = true;
    // Keep-alive towards servers; no socket limit per host (a Claude session opens several).
    this.httpAgent = new http.Agent({ keepAlive: true });
    this.httpsAgent = new https.Agent({ keepAlive: true });
    this.forceSNI = false;
    this.sslServers = {};
    this.sslSemaphores = {};
    this.connectRequests = {};
    const server = http.createServer();
    // Longer than a client's idle pool, so the proxy is never the side that drops a reused socket.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.on('connect', this._onHttpServerConnect.bind(this));
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      // A proxy request names its target in absolute form. Anything else is someone talking to the
      // port as if it were a web server (a browser, a DNS-rebinding page): the library would
      // forward it to whatever its Host header says, this port included.
      if (!/^http:\/\//i.test(req.url ?? '')) {
        req.resume();
        const body = 'This is the Mem0 Tray capture proxy. Use it as HTTPS_PROXY (see "mem0-tray env").\n';
        res.writeHead(400, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      this._onHttpServerRequest(false, req, res);
    });
    this.httpServer = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, () => {
        server.off('error', reject);
        this.httpPort = (server.address() as { port: number }).port;
        resolve(this.httpPort);
      });
    });
  }

  override onCertificateRequired(
    hostname: string,
    callback: (error: Error | null, files: { keyFile: string; certFile: string; hosts: string[] }) => void,
  ): void {
    // Paths that never exist: the library then asks onCertificateMissing, which never writes files.
    callback(null, { keyFile: '', certFile: '', hosts: [hostname] });
  }

  override onCertificateMissing(ctx: ICertficateContext, _files: unknown, callback: ErrorCallback): void {
    this.hooks.leafFor(ctx.hostname).then(
      (leaf) =>
        callback(null, { certFileData: leaf.certPem, keyFileData: leaf.keyPem, hosts: [ctx.hostname] }),
      (err: Error) => callback(err),
    );
  }

  override _onSocketError(socketDescription: string, err: NodeJS.ErrnoException): void {
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return;
    this.hooks.onFailure(socketDescription, err);
  }

  override _onError(kind: string, ctx: IContext | null, err: Error): void {
    this.hooks.onFailure(kind, err);
    this.onErrorHandlers.forEach((handler) => handler(ctx, err, kind));
    if (!ctx) return;
    ctx.onErrorHandlers.forEach((handler) => handler(ctx, err, kind));
    const res = ctx.proxyToClientResponse;
    if (res.headersSent || res.writableEnded) {
      // Mid-stream: the client must see a broken stream, not a truncated-but-complete one.
      res.destroy();
      return;
    }
    const body = JSON.stringify({
      type: 'error',
      error: {
        type: 'api_error',
        message: `Mem0 Tray proxy could not complete the request (${kind}): ${err.message}`,
      },
    });
    res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  async stop(): Promise<void> {
    const server = this.httpServer;
    if (!server) return;
    delete this.httpServer;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
