// Connects Claude Desktop to our stdio MCP server by editing its claude_desktop_config.json:
// adds (or replaces) mcpServers["mem0-tray"] with a fresh token, keeps every other server and key,
// backs the old file up next to it, and writes atomically. Disconnect removes the entry and
// revokes the token it carried.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { fileSystemError, writeFileAtomic } from '../fs-atomic.js';
import type { TokenInfo, TokenStore } from '../mcp/tokens.js';

export const SERVER_KEY = 'mem0-tray';
export const DESKTOP_TOKEN_PURPOSE = 'claude-desktop';

export interface DesktopLocation {
  platform?: NodeJS.Platform;
  /** HOME, APPDATA, XDG_CONFIG_HOME are read from here (tests inject a temp HOME). */
  env?: NodeJS.ProcessEnv;
}

export function claudeDesktopConfigPath(location: DesktopLocation = {}): string {
  const platform = location.platform ?? process.platform;
  const env = location.env ?? process.env;
  const home = env.HOME || env.USERPROFILE || os.homedir();
  if (platform === 'darwin') {
    return path.join(home, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json');
  }
  if (platform === 'win32') {
    const appData = env.APPDATA || path.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, 'Claude', 'claude_desktop_config.json');
  }
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'Claude', 'claude_desktop_config.json');
}

export interface LaunchCommand {
  command: string;
  args: string[];
  /** Extra environment for the server process (e.g. ELECTRON_RUN_AS_NODE). */
  env?: Record<string, string>;
}

/**
 * How Claude Desktop should start `mem0-tray mcp stdio`: the `mem0-tray` command if it is on PATH
 * (an absolute path: Claude Desktop does not get the shell's PATH on macOS), otherwise this Node
 * with the CLI script that is running now.
 */
export function defaultLaunchCommand(env: NodeJS.ProcessEnv = process.env): LaunchCommand {
  const names = process.platform === 'win32' ? ['mem0-tray.cmd', 'mem0-tray.exe'] : ['mem0-tray'];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        return { command: candidate, args: ['mcp', 'stdio'] };
      } catch {
        // not here; keep looking
      }
    }
  }
  if (process.versions.electron) {
    // Inside the tray app: its own executable runs the bundled CLI as plain Node (the app's native
    // modules are built for this runtime). dist/main/electron/main.js → dist/cli.js.
    const cli = env.MEM0_TRAY_CLI_SCRIPT || fileURLToPath(new URL('../../cli.js', import.meta.url));
    return { command: process.execPath, args: [cli, 'mcp', 'stdio'], env: { ELECTRON_RUN_AS_NODE: '1' } };
  }
  const script = process.argv[1];
  if (script && /\.(c|m)?js$/.test(script)) {
    return { command: process.execPath, args: [path.resolve(script), 'mcp', 'stdio'] };
  }
  return { command: process.execPath, args: ['mcp', 'stdio'] };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function readConfig(file: string): { config: Json; raw: string | null } {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { config: {}, raw: null };
    throw fileSystemError(err, file);
  }
  if (raw.trim() === '') return { config: {}, raw };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new UserError(
      'invalid_input',
      `Claude Desktop's config ${file} is not valid JSON (${(err as Error).message}); it was left untouched. Fix it or move it away, then try again.`,
    );
  }
  if (!isObject(parsed)) {
    throw new UserError(
      'invalid_input',
      `Claude Desktop's config ${file} must hold a JSON object; it was left untouched.`,
    );
  }
  if (parsed.mcpServers !== undefined && !isObject(parsed.mcpServers)) {
    throw new UserError('invalid_input', `"mcpServers" in ${file} must be an object; it was left untouched.`);
  }
  return { config: parsed, raw };
}

function backup(file: string, raw: string | null): string | null {
  if (raw === null) return null;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = `${file}.mem0-tray-backup-${stamp}`;
  writeFileAtomic(target, raw, 0o600);
  return target;
}

function entryToken(entry: unknown): string | null {
  if (!isObject(entry) || !isObject(entry.env)) return null;
  const t = entry.env.MEM0_TRAY_TOKEN;
  return typeof t === 'string' ? t : null;
}

export interface DesktopDeps extends DesktopLocation {
  tokens: TokenStore;
  /** Overrides where the config is (default: the per-OS path). */
  configPath?: string;
}

export interface ConnectOptions {
  userId: string;
  launch?: LaunchCommand;
  /** MEM0_TRAY_HOME to pass on, when the data directory is not the default one. */
  dataDir?: string | null;
  expiresDays?: number;
}

export interface ConnectResult {
  configPath: string;
  backupPath: string | null;
  token: TokenInfo;
  /** A previous mem0-tray entry was replaced (and its token revoked). */
  replaced: boolean;
}

export function connectClaudeDesktop(deps: DesktopDeps, options: ConnectOptions): ConnectResult {
  const file = deps.configPath ?? claudeDesktopConfigPath(deps);
  const { config, raw } = readConfig(file);
  const servers: Json = isObject(config.mcpServers) ? { ...config.mcpServers } : {};
  const previous = entryToken(servers[SERVER_KEY]);
  const created = deps.tokens.create({
    userId: options.userId,
    name: 'Claude Desktop',
    expiresDays: options.expiresDays,
    createdBy: 'claude-desktop connect',
    purpose: DESKTOP_TOKEN_PURPOSE,
  });
  const launch = options.launch ?? defaultLaunchCommand(deps.env);
  const env: Record<string, string> = { ...launch.env, MEM0_TRAY_TOKEN: created.token };
  if (options.dataDir) env.MEM0_TRAY_HOME = options.dataDir;
  servers[SERVER_KEY] = { command: launch.command, args: launch.args, env };
  const next = { ...config, mcpServers: servers };
  let backupPath: string | null;
  try {
    backupPath = backup(file, raw);
    writeFileAtomic(file, JSON.stringify(next, null, 2) + '\n', 0o600);
  } catch (err) {
    deps.tokens.delete(created.record.id);
    throw err;
  }
  if (previous) {
    const old = deps.tokens.findByValue(previous);
    if (old && !old.revoked) deps.tokens.revoke(old.id);
  }
  return { configPath: file, backupPath, token: created.record, replaced: previous !== null };
}

export interface DisconnectResult {
  configPath: string;
  removed: boolean;
  backupPath: string | null;
  revokedTokenId: string | null;
}

export function disconnectClaudeDesktop(deps: DesktopDeps): DisconnectResult {
  const file = deps.configPath ?? claudeDesktopConfigPath(deps);
  const { config, raw } = readConfig(file);
  const servers = isObject(config.mcpServers) ? { ...config.mcpServers } : {};
  if (!(SERVER_KEY in servers))
    return { configPath: file, removed: false, backupPath: null, revokedTokenId: null };
  const value = entryToken(servers[SERVER_KEY]);
  delete servers[SERVER_KEY];
  const backupPath = backup(file, raw);
  writeFileAtomic(file, JSON.stringify({ ...config, mcpServers: servers }, null, 2) + '\n', 0o600);
  let revokedTokenId: string | null = null;
  const token = value ? deps.tokens.findByValue(value) : null;
  if (token) {
    if (!token.revoked) deps.tokens.revoke(token.id);
    revokedTokenId = token.id;
  }
  return { configPath: file, removed: true, backupPath, revokedTokenId };
}

export interface DesktopStatus {
  connected: boolean;
  configPath: string;
  configExists: boolean;
  command: string | null;
  args: string[] | null;
  /** The token in the config, if it is one of ours; its state tells whether the entry works. */
  token: TokenInfo | null;
  /** connected, and the token is known, not revoked and not expired. */
  working: boolean;
}

export function claudeDesktopStatus(deps: DesktopDeps): DesktopStatus {
  const file = deps.configPath ?? claudeDesktopConfigPath(deps);
  const exists = fs.existsSync(file);
  const { config } = readConfig(file);
  const entry = isObject(config.mcpServers) ? config.mcpServers[SERVER_KEY] : undefined;
  const value = entryToken(entry);
  const token = value ? deps.tokens.findByValue(value) : null;
  return {
    connected: entry !== undefined,
    configPath: file,
    configExists: exists,
    command: isObject(entry) && typeof entry.command === 'string' ? entry.command : null,
    args: isObject(entry) && Array.isArray(entry.args) ? entry.args.map(String) : null,
    token,
    working: entry !== undefined && token !== null && !token.revoked && !token.expired,
  };
}
