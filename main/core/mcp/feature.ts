// The MCP feature: tokens, the audit log, the REST API and MCP over Streamable HTTP on the API
// port. Its handle is what the UI, the tray and the CLI use to manage tokens, read the audit log
// and connect Claude Desktop / Claude Code.
import type { Feature } from '../feature.js';
import { mountRestApi } from '../api/rest.js';
import { mountRecallHook } from '../recall/hook-route.js';
import { Recall } from '../recall/recall.js';
import { RecallLog, type Injection } from '../recall/recall-log.js';
import {
  claudeDesktopStatus,
  connectClaudeDesktop,
  disconnectClaudeDesktop,
  type ConnectResult,
  type DesktopStatus,
  type DisconnectResult,
  type LaunchCommand,
} from '../claude-clients/claude-desktop.js';
import {
  claudeCodeAddCommand,
  claudeCodeStatus,
  connectClaudeCode,
  defaultHookLaunch,
  disconnectClaudeCode,
  mcpUrl,
  type ClaudeCodeStatus,
  type ConnectCodeResult,
  type DisconnectCodeResult,
} from '../claude-clients/claude-code.js';
import { describeError } from '../errors.js';
import { AuditLog } from '../access/audit-log.js';
import type { AuditEntry, AuditQuery } from '../access/audit-query.js';
import type { TokenStats } from '../access/audit-stats.js';
import { Authenticator } from '../access/authenticate.js';
import { mountMcpHttp } from './http-transport.js';
import type { IsolationSettings } from '../access/isolation.js';
import { FailureLimiter, type FailureLimiterOptions } from '../access/rate-limit.js';
import { TokenStore, type CreateTokenInput, type CreatedToken, type TokenInfo } from '../access/tokens.js';

export interface McpHandle {
  readonly tokens: TokenStore;
  readonly auditLog: AuditLog;
  /** http://127.0.0.1:PORT/mcp */
  readonly mcpUrl: string;
  createToken(input: CreateTokenInput): CreatedToken;
  listTokens(filter?: { userId?: string }): TokenInfo[];
  /** By id or unambiguous prefix. */
  revokeToken(ref: string): TokenInfo;
  enableToken(ref: string): TokenInfo;
  deleteToken(ref: string): TokenInfo;
  revokeAllTokens(userId?: string): number;
  audit(query?: AuditQuery): { entries: AuditEntry[]; total: number };
  stats(userId: string): TokenStats;
  claudeDesktopStatus(): DesktopStatus;
  /** Adds our server to Claude Desktop with a new token for the configured user. */
  connectClaudeDesktop(): ConnectResult;
  disconnectClaudeDesktop(): DisconnectResult;
  /** The `claude mcp add` command for a token (default: a "<TOKEN>" placeholder). */
  claudeCodeCommand(token?: string): string;
  /** What Claude Code's hooks last gave the configured user (ids and sizes), if anything. */
  lastRecall(): Injection | null;
  /** Whether Claude Code has our MCP server and recall hooks, and which token they use. */
  claudeCodeStatus(): ClaudeCodeStatus;
  /** One step: this machine's token, our MCP server in ~/.claude.json, the recall hooks (user scope). */
  connectClaudeCode(): ConnectCodeResult;
  disconnectClaudeCode(): DisconnectCodeResult;
}

export interface McpFeatureOptions {
  limiter?: FailureLimiterOptions;
  /** Claude Desktop's config location (tests use a temp HOME). */
  desktopEnv?: NodeJS.ProcessEnv;
  desktopLaunch?: LaunchCommand;
  /** HOME for Claude Code's files (tests use a temp one); default: the core's environment. */
  claudeCodeEnv?: NodeJS.ProcessEnv;
}

const DAY_MS = 86_400_000;

export function createMcpFeature(options: McpFeatureOptions = {}): Feature<McpHandle> {
  return {
    name: 'mcp',
    async start(ctx) {
      const tokens = new TokenStore(ctx.db, { defaultExpiryDays: () => ctx.settings().tokenExpiryDays });
      const audit = new AuditLog(ctx.db, { log: ctx.log });
      const detach = audit.attach(ctx.events, 'http');
      const prune = () => {
        try {
          const removed = audit.prune(ctx.settings().auditRetentionDays);
          if (removed)
            ctx.log.info('audit.pruned', { rows: removed, days: ctx.settings().auditRetentionDays });
        } catch (err) {
          ctx.log.error('audit.prune_failed', { error: describeError(err) });
        }
      };
      prune();
      const daily = setInterval(prune, DAY_MS);
      daily.unref();

      const auth = new Authenticator(tokens, audit, new FailureLimiter(options.limiter));
      const settings = (): IsolationSettings => {
        const s = ctx.settings();
        return { isolationMode: s.isolationMode, manualProjectId: s.manualProjectId, userId: s.userId };
      };
      mountRestApi(ctx.api.router, {
        auth,
        tokens,
        audit,
        memories: ctx.memories,
        backend: ctx.backend,
        settings,
      });
      const recallLog = new RecallLog(ctx.db);
      recallLog.prune();
      mountRecallHook(ctx.api.router, {
        auth,
        recall: new Recall({ memories: ctx.memories, log: recallLog, settings: ctx.settings }),
      });
      mountMcpHttp(ctx.api.router, {
        auth,
        memories: ctx.memories,
        settings,
        log: ctx.log,
        port: ctx.api.port,
      });
      ctx.log.info('mcp.listening', { port: ctx.api.port });

      const desktop = { tokens, env: options.desktopEnv ?? ctx.env };
      const code = { tokens, tokenFile: ctx.paths.claudeCodeToken, env: options.claudeCodeEnv ?? ctx.env };
      const handle: McpHandle = {
        tokens,
        auditLog: audit,
        mcpUrl: mcpUrl(ctx.api.port),
        createToken: (input) => tokens.create({ createdBy: 'ui', ...input }),
        listTokens: (filter) => tokens.list(filter),
        revokeToken: (ref) => tokens.revoke(ref),
        enableToken: (ref) => tokens.enable(ref),
        deleteToken: (ref) => tokens.delete(ref),
        revokeAllTokens: (userId) => tokens.revokeAll(userId),
        audit: (query) => audit.query(query),
        stats: (userId) => audit.userStats(tokens, userId),
        claudeDesktopStatus: () => claudeDesktopStatus(desktop),
        connectClaudeDesktop: () =>
          connectClaudeDesktop(desktop, {
            userId: ctx.settings().userId,
            launch: options.desktopLaunch,
            dataDir: ctx.env.MEM0_TRAY_HOME ? ctx.paths.dataDir : null,
          }),
        disconnectClaudeDesktop: () => disconnectClaudeDesktop(desktop),
        claudeCodeCommand: (token = '<TOKEN>') => claudeCodeAddCommand(ctx.api.port, token),
        lastRecall: () => recallLog.last(ctx.settings().userId),
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
        status: () => ({
          mcpUrl: handle.mcpUrl,
          activeTokens: tokens.list().filter((t) => !t.revoked && !t.expired).length,
          failedLogins: audit.failedSince(new Date(Date.now() - 3_600_000)),
        }),
        async stop() {
          clearInterval(daily);
          detach();
          audit.close();
        },
      };
    },
  };
}

export const mcpFeature: Feature<McpHandle> = createMcpFeature();
