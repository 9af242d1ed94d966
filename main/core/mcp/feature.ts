// MCP as a front door of the core: MCP over Streamable HTTP on the API port, behind the access
// feature's tokens. Its handle connects Claude Desktop and Claude Code to this server.
import { requirePeer, type Feature } from '../feature.js';
import {
  claudeDesktopStatus,
  connectClaudeDesktop,
  disconnectClaudeDesktop,
  type LaunchCommand,
} from '../claude-clients/claude-desktop.js';
import {
  claudeCodeAddCommand,
  claudeCodeStatus,
  connectClaudeCode,
  defaultHookLaunch,
  disconnectClaudeCode,
  mcpUrl,
} from '../claude-clients/claude-code.js';
import { mountMcpHttp } from './http-transport.js';
import type { McpHandle } from './mcp-handle.js';

export interface McpFeatureOptions {
  /** Claude Desktop's config location (tests use a temp HOME). */
  desktopEnv?: NodeJS.ProcessEnv;
  desktopLaunch?: LaunchCommand;
  /** HOME for Claude Code's files (tests use a temp one); default: the core's environment. */
  claudeCodeEnv?: NodeJS.ProcessEnv;
}

export function createMcpFeature(options: McpFeatureOptions = {}): Feature<'mcp'> {
  return {
    id: 'mcp',
    async start(ctx) {
      const access = requirePeer(ctx, 'access', 'mcp');
      mountMcpHttp(ctx.api.router, {
        auth: access.authenticator,
        memories: ctx.memories,
        settings: access.isolation,
        log: ctx.log,
        port: ctx.api.port,
      });
      ctx.log.info('mcp.listening', { port: ctx.api.port });

      const tokens = access.tokens;
      const desktop = { tokens, env: options.desktopEnv ?? ctx.env };
      const code = { tokens, tokenFile: ctx.paths.claudeCodeToken, env: options.claudeCodeEnv ?? ctx.env };
      const handle: McpHandle = {
        mcpUrl: mcpUrl(ctx.api.port),
        claudeDesktopStatus: () => claudeDesktopStatus(desktop),
        connectClaudeDesktop: () =>
          connectClaudeDesktop(desktop, {
            userId: ctx.settings().userId,
            launch: options.desktopLaunch,
            dataDir: ctx.env.MEM0_TRAY_HOME ? ctx.paths.dataDir : null,
          }),
        disconnectClaudeDesktop: () => disconnectClaudeDesktop(desktop),
        claudeCodeCommand: (token = '<TOKEN>') => claudeCodeAddCommand(ctx.api.port, token),
        claudeCodeStatus: () => claudeCodeStatus(code),
        connectClaudeCode: () =>
          connectClaudeCode(code, {
            userId: ctx.settings().userId,
            apiPort: ctx.api.port,
            launch: defaultHookLaunch(ctx.paths.dataDir, ctx.env),
          }),
        disconnectClaudeCode: () => disconnectClaudeCode(code, { dataDir: ctx.paths.dataDir }),
      };
      return {
        handle,
        status: () => ({ mcpUrl: handle.mcpUrl }),
        async stop() {},
      };
    },
  };
}

export const mcpFeature: Feature<'mcp'> = createMcpFeature();
