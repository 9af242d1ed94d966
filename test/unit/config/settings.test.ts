import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, resolveDataDir } from '../../../main/core/config/paths.js';
import {
  SettingsError,
  defaultUserId,
  loadSettings,
  saveSettings,
} from '../../../main/core/config/settings.js';
import { tempDir } from '../../support/tmp.js';

function settingsFile(content?: unknown): string {
  const file = path.join(tempDir(), 'settings.json');
  if (content !== undefined)
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('data directory', () => {
  it('uses MEM0_TRAY_HOME when set', () => {
    expect(resolveDataDir({ MEM0_TRAY_HOME: '/tmp/x/../y' })).toBe('/tmp/y');
  });
  it('follows each OS convention otherwise', () => {
    expect(defaultDataDir('linux', {}, '/home/a')).toBe('/home/a/.config/mem0-tray');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/a')).toBe('/xdg/mem0-tray');
    expect(defaultDataDir('darwin', {}, '/Users/a')).toBe('/Users/a/Library/Application Support/Mem0 Tray');
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'C:\\Users\\a')).toContain(
      'Mem0 Tray',
    );
  });
});

describe('settings', () => {
  it('has sane defaults without a file', () => {
    const { settings, overridden } = loadSettings(settingsFile(), {});
    expect(settings).toMatchObject({
      backend: 'local',
      proxyPort: 8877,
      gatewayPort: 8878,
      apiPort: 8879,
      captureEnabled: true,
    });
    expect(settings.interceptHosts).toEqual(['api.anthropic.com']);
    expect(settings.userId).toBe(defaultUserId());
    expect(overridden).toEqual({});
  });

  it('lets the environment override the file and says which variable did', () => {
    const file = settingsFile({ userId: 'from-file', proxyPort: 9000 });
    const { settings, overridden } = loadSettings(file, {
      MEM0_TRAY_USER_ID: 'from-env',
      MEM0_TRAY_PROXY_PORT: '0',
      MEM0_TRAY_CAPTURE: 'off',
    });
    expect(settings.userId).toBe('from-env');
    expect(settings.proxyPort).toBe(0);
    expect(settings.captureEnabled).toBe(false);
    expect(overridden).toEqual({
      userId: 'MEM0_TRAY_USER_ID',
      proxyPort: 'MEM0_TRAY_PROXY_PORT',
      captureEnabled: 'MEM0_TRAY_CAPTURE',
    });
  });

  it('names the field of an invalid value', () => {
    const file = settingsFile({ proxyPort: 70000 });
    expect(() => loadSettings(file, {})).toThrow(/"proxyPort"/);
  });

  it('names an unknown key (a typo is never ignored)', () => {
    expect(() => loadSettings(settingsFile({ proxyport: 1 }), {})).toThrow(/unknown setting "proxyport"/);
  });

  it('names the environment variable of an invalid override', () => {
    expect(() => loadSettings(settingsFile(), { MEM0_TRAY_API_PORT: 'abc' })).toThrow(/MEM0_TRAY_API_PORT/);
    expect(() => loadSettings(settingsFile(), { MEM0_TRAY_BACKEND: 'dropbox' })).toThrow(/MEM0_TRAY_BACKEND/);
  });

  it('reports broken JSON with the path and leaves the file alone', () => {
    const file = settingsFile('{ "userId": ');
    expect(() => loadSettings(file, {})).toThrow(
      new RegExp(`${file.replace(/[/.]/g, '\\$&')} is not valid JSON`),
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('{ "userId": ');
  });

  it('saves valid changes atomically and refuses invalid ones without writing', () => {
    const file = settingsFile({ userId: 'alice' });
    const { settings } = saveSettings(file, { captureEnabled: false }, {});
    expect(settings.captureEnabled).toBe(false);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ userId: 'alice', captureEnabled: false });
    expect(() => saveSettings(file, { apiPort: -1 }, {})).toThrow(/"apiPort"/);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ userId: 'alice', captureEnabled: false });
    expect(fs.readdirSync(path.dirname(file))).toEqual(['settings.json']);
  });
});

describe('settings errors', () => {
  it('reports every problem, not only the first', () => {
    const file = settingsFile({ proxyPort: 70000, captureEnabled: 'yes', proxyport: 1 });
    let err: unknown;
    try {
      loadSettings(file, { MEM0_TRAY_BACKEND: 'dropbox' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SettingsError);
    const { message, problems } = err as SettingsError;
    expect(problems).toHaveLength(4);
    expect(message).toMatch(/"proxyPort"/);
    expect(message).toMatch(/"captureEnabled"/);
    expect(message).toMatch(/unknown setting "proxyport"/);
    expect(message).toMatch(/MEM0_TRAY_BACKEND="dropbox": expected local, mem0-platform or mem0-server/);
  });

  it('names the values an environment variable accepts', () => {
    expect(() => loadSettings(settingsFile(), { MEM0_TRAY_CAPTURE: 'maybe' })).toThrow(
      /MEM0_TRAY_CAPTURE="maybe": expected on or off/,
    );
    expect(() => loadSettings(settingsFile(), { MEM0_TRAY_API_PORT: 'abc' })).toThrow(
      /MEM0_TRAY_API_PORT="abc": expected a port number from 0 to 65535/,
    );
    expect(() => loadSettings(settingsFile(), { MEM0_TRAY_ISOLATION_MODE: 'x' })).toThrow(
      /expected auto, manual or global/,
    );
  });

  it('reports every problem of a save, and writes nothing', () => {
    const file = settingsFile({});
    expect(() => saveSettings(file, { apiPort: -1, gatewayPort: 1e6 }, {})).toThrow(
      /^Invalid settings: (?=.*"apiPort")(?=.*; ).*"gatewayPort"/,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('{}');
  });
});
