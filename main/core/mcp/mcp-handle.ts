// What the MCP feature offers the UI, the tray and the CLI: our server's URL, and connecting
// Claude Desktop and Claude Code to it.
import type {
  ClaudeCodeStatus,
  ConnectCodeResult,
  DisconnectCodeResult,
} from '../claude-clients/claude-code.js';
import type { ConnectResult, DesktopStatus, DisconnectResult } from '../claude-clients/claude-desktop.js';

export interface McpHandle {
  /** http://127.0.0.1:PORT/mcp */
  readonly mcpUrl: string;
  claudeDesktopStatus(): DesktopStatus;
  /** Adds our server to Claude Desktop with a new token for the configured user. */
  connectClaudeDesktop(): ConnectResult;
  disconnectClaudeDesktop(): DisconnectResult;
  /** The `claude mcp add` command for a token (default: a "<TOKEN>" placeholder). */
  claudeCodeCommand(token?: string): string;
  /** Whether Claude Code has our MCP server and recall hooks, and which token they use. */
  claudeCodeStatus(): ClaudeCodeStatus;
  /** One step: this machine's token, our MCP server in ~/.claude.json, the recall hooks (user scope). */
  connectClaudeCode(): ConnectCodeResult;
  disconnectClaudeCode(): DisconnectCodeResult;
}
