// "Start at login" reaches the OS: Electron's login items on macOS and Windows, an XDG autostart
// entry on Linux (where Electron's call does nothing), honouring XDG_CONFIG_HOME; applied at
// startup and again only when the setting changes.
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../support/tmp.js';

const app = {
  isPackaged: true,
  getAppPath: vi.fn(() => '/src/mem0-tray'),
  setLoginItemSettings: vi.fn(),
};
vi.mock('electron', () => ({ app }));

const { applyStartAtLogin, autostartFile, desktopEntry, execArgument, startAtLoginSync } =
  await import('../../../main/electron/start-at-login.js');

beforeEach(() => {
  app.setLoginItemSettings.mockClear();
  app.isPackaged = true;
});

function execLine(file: string): string {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Exec='))!
    .slice('Exec='.length);
}

describe('start at login on Linux', () => {
  it('writes the autostart entry under XDG_CONFIG_HOME and removes it again', () => {
    const xdg = tempDir('xdg-');
    const env = { XDG_CONFIG_HOME: xdg, HOME: '/nonexistent' };
    const file = path.join(xdg, 'autostart', 'mem0-tray.desktop');
    expect(autostartFile(env)).toBe(file);

    applyStartAtLogin(true, { platform: 'linux', env, execPath: '/opt/Mem0 Tray/mem0-tray' });
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/^\[Desktop Entry\]\nType=Application\nName=Mem0 Tray\n/);
    expect(execLine(file)).toBe('"/opt/Mem0 Tray/mem0-tray"');
    expect(text).toContain('X-GNOME-Autostart-enabled=true');
    expect(app.setLoginItemSettings).not.toHaveBeenCalled();

    applyStartAtLogin(false, { platform: 'linux', env });
    expect(fs.existsSync(file)).toBe(false);
    // Removing what is not there is not an error.
    expect(() => applyStartAtLogin(false, { platform: 'linux', env })).not.toThrow();
  });

  it('uses ~/.config without XDG_CONFIG_HOME', () => {
    const home = tempDir('home-');
    applyStartAtLogin(true, { platform: 'linux', env: { HOME: home }, execPath: '/usr/bin/x' });
    expect(fs.existsSync(path.join(home, '.config', 'autostart', 'mem0-tray.desktop'))).toBe(true);
  });

  it('starts an AppImage from its file (the mount point changes every run), an unpackaged app with its directory', () => {
    const xdg = tempDir('xdg-');
    const file = path.join(xdg, 'autostart', 'mem0-tray.desktop');
    applyStartAtLogin(true, {
      platform: 'linux',
      env: { XDG_CONFIG_HOME: xdg, APPIMAGE: '/home/me/Apps/Mem0-Tray.AppImage' },
      execPath: '/tmp/.mount_Mem0Xy/mem0-tray',
    });
    expect(execLine(file)).toBe('/home/me/Apps/Mem0-Tray.AppImage');

    app.isPackaged = false;
    applyStartAtLogin(true, {
      platform: 'linux',
      env: { XDG_CONFIG_HOME: xdg },
      execPath: '/src/mem0-tray/node_modules/electron/dist/electron',
    });
    expect(execLine(file)).toBe('/src/mem0-tray/node_modules/electron/dist/electron /src/mem0-tray');
  });

  it('quotes Exec arguments as the Desktop Entry spec asks', () => {
    expect(execArgument('/usr/bin/plain')).toBe('/usr/bin/plain');
    expect(execArgument('/a b/$x')).toBe('"/a b/\\\\$x"');
    expect(execArgument('/100%/app')).toBe('/100%%/app');
    expect(desktopEntry(['/x'])).toContain('Exec=/x\n');
  });
});

describe('start at login on macOS and Windows', () => {
  it("uses Electron's login item and writes no file", () => {
    const xdg = tempDir('xdg-');
    for (const platform of ['darwin', 'win32'] as const) {
      applyStartAtLogin(true, { platform, env: { XDG_CONFIG_HOME: xdg } });
      applyStartAtLogin(false, { platform, env: { XDG_CONFIG_HOME: xdg } });
    }
    expect(app.setLoginItemSettings.mock.calls).toEqual([
      [{ openAtLogin: true }],
      [{ openAtLogin: false }],
      [{ openAtLogin: true }],
      [{ openAtLogin: false }],
    ]);
    expect(fs.existsSync(path.join(xdg, 'autostart'))).toBe(false);
  });
});

describe('startAtLoginSync', () => {
  it('applies at the first call (startup) and then only on a change', () => {
    const sync = startAtLoginSync({ platform: 'darwin' });
    sync(false);
    sync(false);
    sync(true);
    sync(true);
    sync(false);
    expect(app.setLoginItemSettings.mock.calls).toEqual([
      [{ openAtLogin: false }],
      [{ openAtLogin: true }],
      [{ openAtLogin: false }],
    ]);
  });

  it('tries again after a failure', () => {
    const xdg = tempDir('xdg-');
    // A file where the autostart directory should be: the write fails.
    fs.writeFileSync(path.join(xdg, 'autostart'), '');
    const sync = startAtLoginSync({ platform: 'linux', env: { XDG_CONFIG_HOME: xdg }, execPath: '/x' });
    expect(() => sync(true)).toThrow();
    fs.rmSync(path.join(xdg, 'autostart'));
    sync(true);
    expect(fs.existsSync(path.join(xdg, 'autostart', 'mem0-tray.desktop'))).toBe(true);
  });
});
