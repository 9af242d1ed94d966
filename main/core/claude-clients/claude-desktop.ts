// Connects Claude Desktop to our stdio MCP server by editing its claude_desktop_config.json:
// adds (or replaces) mcpServers["mem0-tray"] with a fresh token, keeps every other server and key,
// backs the old file up next to it, and writes atomically. Disconnect removes the entry and
// revokes the token it carried.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TokenInfo, TokenStore } from '../access/tokens.js';
import { isObject, readMcpServers, writeMcpServer } from './json-config.js';

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

/** What the launch command depends on; tests inject each part, the app uses its own process. */
export interface LaunchContext {
  /**
   * process.versions.electron: set in the tray app and in its CLI run as Node (ELECTRON_RUN_AS_NODE);
   * null for plain Node.
   */
  electron?: string | null;
  /** The runtime that runs the CLI: Node, or the app's Electron executable. */
  execPath?: string;
  /** The file this code was loaded from (a bundle in dist/, or the TypeScript source in tests). */
  moduleFile?: string;
  /** process.argv[1]: the script the user ran. */
  argvScript?: string;
}

/**
 * The bundled CLI next to the bundle this code runs in. The module is bundled twice: into
 * dist/cli.js (the CLI itself, also inside the packaged app's app.asar) and into
 * dist/main/electron/main.js (the tray app). Null when running from the TypeScript sources.
 */
export function bundledCliScript(moduleFile: string): string | null {
  const dir = path.dirname(moduleFile);
  if (path.basename(dir) === 'dist' && path.basename(moduleFile) === 'cli.js') return moduleFile;
  const dist = path.dirname(path.dirname(dir));
  if (path.basename(dir) === 'electron' && path.basename(path.dirname(dir)) === 'main') {
    if (path.basename(dist) === 'dist') return path.join(dist, 'cli.js');
  }
  return null;
}

/**
 * A `mem0-tray` found on PATH may be the packaged tray app itself (the deb links /usr/bin/mem0-tray
 * to the Electron executable): that one runs the CLI only as Node, with the script in its app.asar.
 */
function fromPath(candidate: string): LaunchCommand {
  let real = candidate;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    // a dangling link: use the name as found
  }
  const asar = path.join(path.dirname(real), 'resources', 'app.asar');
  if (fs.existsSync(asar)) {
    return {
      command: real,
      args: [path.join(asar, 'dist', 'cli.js'), 'mcp', 'stdio'],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    };
  }
  return { command: candidate, args: ['mcp', 'stdio'] };
}

/**
 * How Claude Desktop should start `mem0-tray mcp stdio`. Always absolute paths: Claude Desktop does
 * not get the shell's PATH (on macOS it has no Node on it at all), so a `#!/usr/bin/env node` command
 * would not start. In order:
 * - the bundled CLI (dist/cli.js) run by the runtime running now: plain Node, or the tray app's own
 *   Electron executable as Node (its native modules are built for that runtime);
 * - from the sources (tests, a script runner): the JavaScript file the user ran, then a `mem0-tray`
 *   on PATH.
 */
export function defaultLaunchCommand(
  env: NodeJS.ProcessEnv = process.env,
  context: LaunchContext = {},
): LaunchCommand {
  const electron = context.electron !== undefined ? context.electron : process.versions.electron;
  const execPath = context.execPath ?? process.execPath;
  const script =
    env.MEM0_TRAY_CLI_SCRIPT || bundledCliScript(context.moduleFile ?? fileURLToPath(import.meta.url));
  if (script) {
    return electron
      ? { command: execPath, args: [script, 'mcp', 'stdio'], env: { ELECTRON_RUN_AS_NODE: '1' } }
      : { command: execPath, args: [script, 'mcp', 'stdio'] };
  }
  const ran = context.argvScript ?? process.argv[1];
  if (ran) {
    let real = path.resolve(ran);
    try {
      // An npm-installed command is a link without an extension to bin/mem0-tray.js.
      real = fs.realpathSync(real);
    } catch {
      // keep the resolved name
    }
    if (/\.(c|m)?js$/.test(real)) return { command: execPath, args: [real, 'mcp', 'stdio'] };
  }
  const names = process.platform === 'win32' ? ['mem0-tray.cmd', 'mem0-tray.exe'] : ['mem0-tray'];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        return fromPath(candidate);
      } catch {
        // not here; keep looking
      }
    }
  }
  return { command: execPath, args: ['mcp', 'stdio'] };
}

const LABEL = "Claude Desktop's config";

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
  let written: ReturnType<typeof writeMcpServer>;
  try {
    written = writeMcpServer(file, LABEL, SERVER_KEY, { command: launch.command, args: launch.args, env });
  } catch (err) {
    deps.tokens.delete(created.record.id);
    throw err;
  }
  const { backupPath } = written;
  const previous = entryToken(written.previous);
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
  const { previous, backupPath } = writeMcpServer(file, LABEL, SERVER_KEY, null);
  if (previous === undefined)
    return { configPath: file, removed: false, backupPath: null, revokedTokenId: null };
  const value = entryToken(previous);
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
  const entry = readMcpServers(file, LABEL).servers[SERVER_KEY];
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
