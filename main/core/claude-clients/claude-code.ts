// The one command that adds our HTTP MCP server to Claude Code, with a token in the header.
import type { TokenStore } from '../mcp/tokens.js';
import { SERVER_KEY } from './claude-desktop.js';

export function mcpUrl(apiPort: number): string {
  return `http://127.0.0.1:${apiPort}/mcp`;
}

/** `claude mcp add …` for a given token (or a placeholder such as "<TOKEN>"). */
export function claudeCodeAddCommand(apiPort: number, token: string): string {
  return `claude mcp add --transport http ${SERVER_KEY} ${mcpUrl(apiPort)} --header "Authorization: Bearer ${token}"`;
}

/** Creates a token for Claude Code and returns it with the command that uses it. */
export function claudeCodeSetup(
  tokens: TokenStore,
  options: { userId: string; apiPort: number; expiresDays?: number; readOnly?: boolean },
): { command: string; token: string; tokenId: string } {
  const created = tokens.create({
    userId: options.userId,
    name: 'Claude Code',
    expiresDays: options.expiresDays,
    readOnly: options.readOnly,
    createdBy: 'claude-code',
    purpose: 'claude-code',
  });
  return {
    command: claudeCodeAddCommand(options.apiPort, created.token),
    token: created.token,
    tokenId: created.record.id,
  };
}
