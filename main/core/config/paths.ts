// Where Mem0 Tray keeps its data. MEM0_TRAY_HOME wins; otherwise the OS app-data directory.
import os from 'node:os';
import path from 'node:path';

export const APP_DIR_NAME = { linux: 'mem0-tray', other: 'Mem0 Tray' } as const;

export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_DIR_NAME.other);
  if (platform === 'win32') {
    return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_DIR_NAME.other);
  }
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_DIR_NAME.linux);
}

export function resolveDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.MEM0_TRAY_HOME?.trim();
  return fromEnv ? path.resolve(fromEnv) : defaultDataDir(process.platform, env);
}

/** Every file the app owns inside the data directory, named in one place. */
export function dataPaths(dataDir: string) {
  return {
    dataDir,
    settings: path.join(dataDir, 'settings.json'),
    database: path.join(dataDir, 'mem0-tray.db'),
    runtime: path.join(dataDir, 'runtime.json'),
    caDir: path.join(dataDir, 'ca'),
    caCert: path.join(dataDir, 'ca', 'ca.pem'),
    caKey: path.join(dataDir, 'ca', 'ca.key.pem'),
    logsDir: path.join(dataDir, 'logs'),
    log: path.join(dataDir, 'logs', 'mem0-tray.log'),
    backupsDir: path.join(dataDir, 'backups'),
    /** The token Claude Code's hooks and MCP entry use (mode 0600): mem0-tray claude-code connect. */
    claudeCodeToken: path.join(dataDir, 'claude-code-token.json'),
    /**
     * The running core's key for new review-UI links (mode 0600, removed when it stops): only
     * who can read the data directory can ask for one (`mem0-tray ui`).
     */
    uiLinkKey: path.join(dataDir, 'ui-link.key'),
  };
}

export type DataPaths = ReturnType<typeof dataPaths>;
