// Claude Code and Mem0 Tray in one step: `mem0-tray claude-code connect` gives this machine one token
// for Claude Code (kept, mode 0600, in the data directory for the hooks), registers our HTTP MCP
// server in ~/.claude.json as `claude mcp add --scope user` would (whether or not `claude` is on
// PATH), and installs the recall hooks; disconnect revokes the token and removes both.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../fs-atomic.js';
import type { TokenInfo, TokenStore } from '../access/tokens.js';
import { bundledCliScript, SERVER_KEY } from './claude-desktop.js';
import {
  HOOK_SCRIPT,
  hooksStatus,
  installHooks,
  uninstallHooks,
  type HookLaunch,
  type HookScope,
  type HooksStatus,
} from './claude-code-hooks.js';
import { HOOK_PATH } from '../recall/hook-route-path.js';
import { readMcpServers, writeMcpServer } from './json-config.js';

const LABEL = "Claude Code's config";

export const CLAUDE_CODE_TOKEN_PURPOSE = 'claude-code';

export function mcpUrl(apiPort: number): string {
  return `http://127.0.0.1:${apiPort}/mcp`;
}

/** Where Claude Code's prompt hook posts (recall/hook-route.ts). */
export function hookUrl(apiPort: number): string {
  return `http://127.0.0.1:${apiPort}${HOOK_PATH}`;
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
    purpose: CLAUDE_CODE_TOKEN_PURPOSE,
  });
  return {
    command: claudeCodeAddCommand(options.apiPort, created.token),
    token: created.token,
    tokenId: created.record.id,
  };
}

/** ~/.claude.json: Claude Code's own state, where `claude mcp add --scope user` puts servers. */
export function claudeUserConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.HOME || env.USERPROFILE || os.homedir(), '.claude.json');
}

/**
 * The hook runs the small bundle beside the CLI's (dist/claude-hook.js) with the runtime running
 * now: Node, or the tray app's Electron as Node.
 */
export function defaultHookLaunch(dataDir: string, env: NodeJS.ProcessEnv = process.env): HookLaunch {
  const cli = env.MEM0_TRAY_CLI_SCRIPT || bundledCliScript(fileURLToPath(import.meta.url));
  const script = cli ? path.join(path.dirname(cli), HOOK_SCRIPT) : path.resolve('dist', HOOK_SCRIPT);
  return { execPath: process.execPath, script, dataDir, electron: process.versions.electron !== undefined };
}

/**
 * The hooks' launch for `hooks install`: the prompt hook over http when this machine has a working
 * token for Claude Code and the API port is fixed; otherwise both as commands.
 */
export function hookLaunchFor(deps: ClaudeCodeDeps, dataDir: string, apiPort: number): HookLaunch {
  const launch = defaultHookLaunch(dataDir, deps.env);
  const current = currentToken(deps);
  return current && apiPort > 0
    ? { ...launch, http: { url: hookUrl(apiPort), token: current.token } }
    : launch;
}

export interface ClaudeCodeDeps {
  tokens: TokenStore;
  /** The data directory's claude-code-token.json. */
  tokenFile: string;
  /** HOME (tests use a temp one). */
  env?: NodeJS.ProcessEnv;
}

/** The token the hooks and the MCP entry use, if it is still ours and usable. */
function currentToken(deps: ClaudeCodeDeps): { token: string; info: TokenInfo } | null {
  const saved = machineToken(deps);
  return saved && !saved.info.revoked && !saved.info.expired ? saved : null;
}

/** This machine's token for Claude Code (claude-code-token.json), in whatever state the store has it. */
export function machineToken(deps: ClaudeCodeDeps): { token: string; info: TokenInfo } | null {
  try {
    const { token } = JSON.parse(fs.readFileSync(deps.tokenFile, 'utf8')) as { token?: unknown };
    const info = typeof token === 'string' ? deps.tokens.findByValue(token) : null;
    return info ? { token: token as string, info } : null;
  } catch {
    // no token file yet: not connected
    return null;
  }
}

/** Makes a token this machine's token for Claude Code (file mode 0600). */
export function saveMachineToken(deps: ClaudeCodeDeps, token: string, tokenId: string): void {
  writeFileAtomic(deps.tokenFile, JSON.stringify({ tokenId, token }) + '\n', 0o600);
}

export interface ConnectCodeOptions {
  userId: string;
  apiPort: number;
  scope?: HookScope;
  cwd?: string;
  launch: HookLaunch;
  /** A new token even when this machine's still works. */
  newToken?: boolean;
  expiresDays?: number;
}

export interface ConnectCodeResult {
  token: TokenInfo;
  /** The machine's token was reused. */
  reused: boolean;
  mcpConfigPath: string;
  settingsPath: string;
  backupPaths: string[];
}

export function connectClaudeCode(deps: ClaudeCodeDeps, options: ConnectCodeOptions): ConnectCodeResult {
  let current = options.newToken ? null : currentToken(deps);
  if (current && current.info.userId !== options.userId) current = null;
  let created: { token: string; info: TokenInfo } | null = null;
  if (!current) {
    const setup = deps.tokens.create({
      userId: options.userId,
      name: 'Claude Code',
      expiresDays: options.expiresDays,
      createdBy: 'claude-code connect',
      purpose: CLAUDE_CODE_TOKEN_PURPOSE,
    });
    created = { token: setup.token, info: setup.record };
  }
  const use = current ?? created!;
  const backupPaths: string[] = [];
  try {
    const mcpConfigPath = claudeUserConfigPath(deps.env);
    const { backupPath } = writeMcpServer(mcpConfigPath, LABEL, SERVER_KEY, {
      type: 'http',
      url: mcpUrl(options.apiPort),
      headers: { Authorization: `Bearer ${use.token}` },
    });
    if (backupPath) backupPaths.push(backupPath);
    saveMachineToken(deps, use.token, use.info.id);
    const hooks = installHooks(
      { scope: options.scope ?? 'user', env: deps.env, cwd: options.cwd },
      { ...options.launch, http: { url: hookUrl(options.apiPort), token: use.token } },
    );
    if (hooks.backupPath) backupPaths.push(hooks.backupPath);
    if (created) revokeOthers(deps.tokens, options.userId, created.info.id);
    return {
      token: use.info,
      reused: created === null,
      mcpConfigPath,
      settingsPath: hooks.settingsPath,
      backupPaths,
    };
  } catch (err) {
    if (created) deps.tokens.delete(created.info.id);
    throw err;
  }
}

/** A new Claude Code token replaces the earlier ones of its user. */
function revokeOthers(tokens: TokenStore, userId: string, keep: string): void {
  for (const t of tokens.list({ userId }))
    if (t.purpose === CLAUDE_CODE_TOKEN_PURPOSE && t.id !== keep && !t.revoked) tokens.revoke(t.id);
}

export interface DisconnectCodeResult {
  revokedTokenId: string | null;
  mcpRemoved: boolean;
  hooksRemoved: boolean;
}

export function disconnectClaudeCode(
  deps: ClaudeCodeDeps,
  options: { scope?: HookScope; cwd?: string; dataDir: string },
): DisconnectCodeResult {
  const current = currentToken(deps);
  const removed = writeMcpServer(claudeUserConfigPath(deps.env), LABEL, SERVER_KEY, null);
  const mcpRemoved = removed.previous !== undefined;
  const hooks = uninstallHooks(
    { scope: options.scope ?? 'user', env: deps.env, cwd: options.cwd },
    options.dataDir,
  );
  if (current && !current.info.revoked) deps.tokens.revoke(current.info.id);
  fs.rmSync(deps.tokenFile, { force: true });
  return { revokedTokenId: current?.info.id ?? null, mcpRemoved, hooksRemoved: hooks.removed };
}

export interface ClaudeCodeStatus {
  /** Our server is in ~/.claude.json. */
  mcpRegistered: boolean;
  hooks: HooksStatus[];
  /** The token the hooks use: its id and user, and whether it still works. */
  token: { id: string; userId: string; working: boolean } | null;
}

export function claudeCodeStatus(deps: ClaudeCodeDeps, cwd = process.cwd()): ClaudeCodeStatus {
  let mcpRegistered = false;
  try {
    mcpRegistered = SERVER_KEY in readMcpServers(claudeUserConfigPath(deps.env), LABEL).servers;
  } catch {
    // an unreadable config is not a registration
  }
  const hooks = (['user', 'project'] as const).map((scope) => hooksStatus({ scope, env: deps.env, cwd }));
  const saved = machineToken(deps)?.info;
  const token = saved
    ? { id: saved.id, userId: saved.userId, working: !saved.revoked && !saved.expired }
    : null;
  return { mcpRegistered, hooks, token };
}
