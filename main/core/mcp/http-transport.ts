// MCP over Streamable HTTP at /mcp on the API port. Stateless: every POST is authenticated with a
// token and served by a fresh server bound to that token's identity, so a revoked token stops at
// the next request, nothing is kept between requests, and no session can outlive its token.
// Answers are plain JSON (no SSE stream): our tools reply at once and send no notifications.
import express, { type Router } from 'express';
import { allowedHosts, allowedOrigins } from '../api/loopback.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { MemoryService } from '../memory/service.js';
import type { Authenticator } from '../access/authenticate.js';
import { identityOf, requireToken } from '../access/http-auth.js';
import type { IsolationSettings } from '../access/isolation.js';
import { createMcpServer, mcpHttpTransport, mcpServerSdk } from './server.js';

export const MCP_PATH = '/mcp';
export const MCP_BODY_LIMIT = '1mb';

export interface McpHttpDeps {
  auth: Authenticator;
  memories: MemoryService;
  settings(): IsolationSettings;
  log: Logger;
  /** The API port, for the SDK's own Host/Origin check (on top of the API server's). */
  port: number;
}

export function mountMcpHttp(router: Router, deps: McpHttpDeps): void {
  const guard = requireToken(deps.auth, 'mcp');
  const hosts = [...allowedHosts(deps.port)];
  const origins = [...allowedOrigins(deps.port)];

  // The token is checked before the body is even parsed.
  router.post(MCP_PATH, guard, express.json({ limit: MCP_BODY_LIMIT }), async (req, res) => {
    try {
      const [{ StreamableHTTPServerTransport }] = await Promise.all([mcpHttpTransport(), mcpServerSdk()]);
      // The client went away while the SDK loaded (its first call): nothing to answer or close.
      if (res.closed) return;
      // From here on no event can come in between (the SDK is loaded: only microtasks) until the
      // close listener below is in place.
      const server = await createMcpServer({
        identity: identityOf(res),
        settings: deps.settings,
        memories: deps.memories,
        log: deps.log,
      });
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
        enableDnsRebindingProtection: true,
        allowedHosts: hosts,
        allowedOrigins: origins,
      });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (err) {
      deps.log.error('mcp.http_failed', { error: describeError(err) });
      if (!res.headersSent) {
        res.status(500).json({
          jsonrpc: '2.0',
          error: { code: -32603, message: 'Internal error; see the Mem0 Tray log.' },
          id: null,
        });
      }
    }
  });

  // Stateless: there is no server-to-client stream to open (GET) and no session to end (DELETE).
  const notAllowed = (_req: express.Request, res: express.Response) => {
    res.setHeader('Allow', 'POST');
    res.status(405).json({
      jsonrpc: '2.0',
      error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless, use POST.' },
      id: null,
    });
  };
  router.get(MCP_PATH, guard, notAllowed);
  router.delete(MCP_PATH, guard, notAllowed);
}
