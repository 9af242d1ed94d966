// The Connections page's methods: Claude Desktop and Claude Code, the MCP tokens and the audit log.
import { claudeCodeAddCommand, mcpUrl } from '../claude-clients/claude-code.js';
import type { ConnectionsInfo } from './contract.js';
import type { HandlerContext, UiHandlers } from './host.js';

export type ConnectionHandlers = Pick<
  UiHandlers,
  | 'getConnections'
  | 'connectClaudeDesktop'
  | 'disconnectClaudeDesktop'
  | 'connectClaudeCode'
  | 'disconnectClaudeCode'
  | 'listTokens'
  | 'createToken'
  | 'revokeToken'
  | 'enableToken'
  | 'deleteToken'
  | 'auditLog'
>;

export function connectionHandlers({ host, services }: HandlerContext): ConnectionHandlers {
  const connections = async (): Promise<ConnectionsInfo> => {
    return {
      mcpUrl: mcpUrl(host.runtime.apiPort),
      claudeDesktop: await services.claudeDesktop(),
      claudeCode: await services.claudeCode(),
      // The CLI's own command (server name mem0-tray: Claude Code names the tools after it).
      claudeCodeCommand: claudeCodeAddCommand(host.runtime.apiPort, '<TOKEN>'),
    };
  };

  const tokenList = async () => {
    const list = await services.tokens(host.settings().userId);
    return { tokens: list.available ? list.tokens : [] };
  };

  return {
    async getConnections() {
      return connections();
    },
    async connectClaudeDesktop() {
      await services.connectClaudeDesktop();
      return connections();
    },
    async disconnectClaudeDesktop() {
      await services.disconnectClaudeDesktop();
      return connections();
    },
    async connectClaudeCode() {
      await services.connectClaudeCode();
      return connections();
    },
    async disconnectClaudeCode() {
      await services.disconnectClaudeCode();
      return connections();
    },
    async listTokens() {
      return services.tokens(host.settings().userId);
    },
    async createToken(input) {
      return services.createToken(host.settings().userId, input);
    },
    async revokeToken({ id }) {
      await services.revokeToken(host.settings().userId, id);
      return tokenList();
    },
    async enableToken({ id }) {
      await services.enableToken(host.settings().userId, id);
      return tokenList();
    },
    async deleteToken({ id }) {
      await services.deleteToken(host.settings().userId, id);
      return tokenList();
    },
    async auditLog(input) {
      // Not only this user's rows: a failed sign-in with an unknown token is stored with no user,
      // and the tray counts every failure when it says "check Connections". This is the
      // machine owner's own log (`mem0-tray token audit` shows the same).
      return services.audit(input);
    },
  };
}
