// "Start at login" in the OS, kept equal to the startAtLogin setting: applied at startup and on
// every change (from the tray or the UI API). Electron's login items exist on macOS and Windows
// only; on Linux the freedesktop way is an XDG autostart entry, which GNOME, KDE, Xfce and others
// read: $XDG_CONFIG_HOME/autostart/mem0-tray.desktop.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { app as electronApp } from 'electron';

/** What this module uses of Electron's app (tests pass their own). */
export interface LoginItemApp {
  readonly isPackaged: boolean;
  getAppPath(): string;
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
}

export interface StartAtLoginOptions {
  app?: LoginItemApp;
  platform?: NodeJS.Platform;
  /** HOME, XDG_CONFIG_HOME and APPIMAGE are read from here. */
  env?: NodeJS.ProcessEnv;
  execPath?: string;
}

export const AUTOSTART_NAME = 'mem0-tray.desktop';

export function autostartFile(env: NodeJS.ProcessEnv = process.env): string {
  const config = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(config, 'autostart', AUTOSTART_NAME);
}

/**
 * What the autostart entry runs. An AppImage runs from a temporary mount that changes on every
 * start, so the entry names the AppImage file itself; an unpackaged app (npm start) needs its
 * directory after the Electron binary.
 */
export function loginCommand(app: LoginItemApp, env: NodeJS.ProcessEnv, execPath: string): string[] {
  if (env.APPIMAGE) return [env.APPIMAGE];
  return app.isPackaged ? [execPath] : [execPath, app.getAppPath()];
}

/**
 * One Exec argument per the Desktop Entry spec: quoted when it holds a reserved character, with
 * `"`, `` ` ``, `$` and `\` escaped inside the quotes; then every `\` doubled again because Exec is
 * a string value, and `%` doubled because it starts a field code.
 */
export function execArgument(arg: string): string {
  const quoted = /[\s"'\\><~|&;$*?#()`]/.test(arg) ? `"${arg.replace(/["`$\\]/g, (c) => `\\${c}`)}"` : arg;
  return quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%');
}

export function desktopEntry(command: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Mem0 Tray',
    'Comment=Long-term memory for Claude from your own work',
    `Exec=${command.map(execArgument).join(' ')}`,
    'Icon=mem0-tray',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Makes the OS start the app at login, or stops it doing so. Throws on a file system error. */
export function applyStartAtLogin(enabled: boolean, options: StartAtLoginOptions = {}): void {
  const app = options.app ?? electronApp;
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  if (platform !== 'linux') {
    app.setLoginItemSettings({ openAtLogin: enabled });
    return;
  }
  const file = autostartFile(env);
  if (enabled) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const entry = desktopEntry(loginCommand(app, env, options.execPath ?? process.execPath));
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, entry, { mode: 0o644 });
    fs.renameSync(tmp, file);
  } else {
    fs.rmSync(file, { force: true });
  }
}

/**
 * A setter for the current setting that touches the OS only when the value differs from the last
 * one applied (settings change often; login items rarely). The first call always applies, so the
 * OS is put right at startup even if the user removed the entry or reinstalled the app.
 */
export function startAtLoginSync(options: StartAtLoginOptions = {}): (enabled: boolean) => void {
  let applied: boolean | null = null;
  return (enabled) => {
    if (enabled === applied) return;
    applyStartAtLogin(enabled, options);
    applied = enabled;
  };
}
