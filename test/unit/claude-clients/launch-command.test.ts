// The command Claude Desktop gets for `mem0-tray mcp stdio`, in each layout the code runs in: the
// packaged CLI (app.asar/dist/cli.js under the app's Electron as Node), the tray app's main bundle
// (app.asar/dist/main/electron/main.js), plain Node, and the TypeScript sources with a deb-installed
// tray app on PATH (/usr/bin/mem0-tray is the Electron GUI, not the CLI).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledCliScript, defaultLaunchCommand } from '../../../main/core/claude-clients/claude-desktop.js';
import { tempDir } from '../../support/tmp.js';

const APP = '/opt/Mem0 Tray';
const ASAR = `${APP}/resources/app.asar`;
const SOURCE = path.resolve('main/core/claude-clients/claude-desktop.ts');

/** A deb-like install in a temp dir: the Electron executable, its app.asar, and a PATH link to it. */
function debInstall(): { bin: string; exe: string; asar: string } {
  const root = tempDir('deb-');
  const app = path.join(root, 'opt', 'Mem0 Tray');
  fs.mkdirSync(path.join(app, 'resources'), { recursive: true });
  const exe = path.join(app, 'mem0-tray');
  fs.writeFileSync(exe, '#!/bin/sh\necho the GUI\n', { mode: 0o755 });
  fs.writeFileSync(path.join(app, 'resources', 'app.asar'), 'asar');
  const bin = path.join(root, 'usr', 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(exe, path.join(bin, 'mem0-tray'));
  return { bin, exe, asar: path.join(app, 'resources', 'app.asar') };
}

describe('bundledCliScript', () => {
  it('is the CLI bundle itself when the code runs in dist/cli.js', () => {
    expect(bundledCliScript(`${ASAR}/dist/cli.js`)).toBe(`${ASAR}/dist/cli.js`);
  });
  it('is dist/cli.js beside the Electron main bundle', () => {
    expect(bundledCliScript(`${ASAR}/dist/main/electron/main.js`)).toBe(`${ASAR}/dist/cli.js`);
  });
  it('is null from the TypeScript sources', () => {
    expect(bundledCliScript(SOURCE)).toBeNull();
    expect(bundledCliScript('/x/dist/other.js')).toBeNull();
  });
});

describe('defaultLaunchCommand', () => {
  it('packaged CLI (resources/bin/mem0-tray claude-desktop connect): the app executable runs app.asar/dist/cli.js as Node', () => {
    const deb = debInstall();
    const launch = defaultLaunchCommand(
      { PATH: deb.bin },
      { electron: '45.4.1', execPath: `${APP}/mem0-tray`, moduleFile: `${ASAR}/dist/cli.js` },
    );
    expect(launch).toEqual({
      command: `${APP}/mem0-tray`,
      args: [`${ASAR}/dist/cli.js`, 'mcp', 'stdio'],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
  });

  it('tray app (Connect Claude Desktop in the menu): the same command from the main bundle', () => {
    const launch = defaultLaunchCommand(
      { PATH: debInstall().bin },
      {
        electron: '45.4.1',
        execPath: `${APP}/mem0-tray`,
        moduleFile: `${ASAR}/dist/main/electron/main.js`,
      },
    );
    expect(launch).toEqual({
      command: `${APP}/mem0-tray`,
      args: [`${ASAR}/dist/cli.js`, 'mcp', 'stdio'],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
  });

  it('plain Node: this Node with the bundled CLI, never a mem0-tray on PATH (it may be the GUI)', () => {
    const launch = defaultLaunchCommand(
      { PATH: debInstall().bin },
      { execPath: '/usr/local/bin/node', moduleFile: '/home/me/mem0-tray/dist/cli.js', electron: null },
    );
    expect(launch).toEqual({
      command: '/usr/local/bin/node',
      args: ['/home/me/mem0-tray/dist/cli.js', 'mcp', 'stdio'],
    });
  });

  it('MEM0_TRAY_CLI_SCRIPT names the script explicitly', () => {
    const launch = defaultLaunchCommand(
      { MEM0_TRAY_CLI_SCRIPT: '/elsewhere/cli.js' },
      { execPath: '/n', moduleFile: SOURCE, electron: null },
    );
    expect(launch.args).toEqual(['/elsewhere/cli.js', 'mcp', 'stdio']);
  });

  it('from sources: the script that was run, through an npm link without an extension', () => {
    const dir = tempDir('npm-bin-');
    const script = path.join(dir, 'mem0-tray.js');
    fs.writeFileSync(script, '');
    fs.symlinkSync(script, path.join(dir, 'mem0-tray'));
    const launch = defaultLaunchCommand(
      { PATH: '' },
      { execPath: '/n', moduleFile: SOURCE, electron: null, argvScript: path.join(dir, 'mem0-tray') },
    );
    expect(launch).toEqual({ command: '/n', args: [fs.realpathSync(script), 'mcp', 'stdio'] });
  });

  it.skipIf(process.platform === 'win32')(
    'from sources with the deb GUI on PATH: runs the GUI executable as Node with its app.asar CLI',
    () => {
      const deb = debInstall();
      const launch = defaultLaunchCommand(
        { PATH: deb.bin },
        { execPath: '/n', moduleFile: SOURCE, electron: null, argvScript: '/usr/bin/not-a-script' },
      );
      expect(launch).toEqual({
        command: fs.realpathSync(deb.exe),
        args: [
          path.join(fs.realpathSync(path.dirname(deb.asar)), 'app.asar', 'dist', 'cli.js'),
          'mcp',
          'stdio',
        ],
        env: { ELECTRON_RUN_AS_NODE: '1' },
      });
    },
  );
});
