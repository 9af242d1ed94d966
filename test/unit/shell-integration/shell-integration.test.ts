// Shell integration in a throwaway HOME: idempotent install and uninstall for every shell, backups,
// byte-identical round trip, symlinked dotfiles, and the bash block really applying `mem0-tray env`
// (only while a core runs).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BEGIN_MARKER, END_MARKER } from '../../../main/core/shell-integration/marked-block.js';
import {
  BACKUP_SUFFIX,
  SHELLS,
  detectShell,
  installShell,
  profileFiles,
  shellStatus,
  uninstallShell,
  type ShellOptions,
} from '../../../main/core/shell-integration/shell-profiles.js';
import { writeRuntimeFile } from '../../../main/core/runtime-file.js';
import { CLI } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';

function options(extra: Partial<ShellOptions> = {}): ShellOptions {
  return { home: tempDir('mem0-tray-home-'), platform: 'linux', env: {}, ...extra };
}

describe('shell profiles', () => {
  it.each(SHELLS)(
    '%s: install twice changes the file once; uninstall twice removes once; backups kept',
    (shell) => {
      const o = options();
      const [file] = profileFiles(shell, o);
      const original = shell === 'fish' ? null : `# my own ${shell} settings\nalias ll='ls -l'\n`;
      if (original !== null) {
        fs.mkdirSync(path.dirname(file!), { recursive: true });
        fs.writeFileSync(file!, original, { mode: 0o640 });
      }

      const first = installShell(shell, o);
      expect(first).toEqual([
        { shell, file, changed: true, backup: original === null ? null : file + BACKUP_SUFFIX },
      ]);
      const installed = fs.readFileSync(file!, 'utf8');
      expect(installed.match(new RegExp(BEGIN_MARKER, 'g'))).toHaveLength(1);
      expect(installed).toContain(END_MARKER);
      expect(installed).toContain('mem0-tray env');
      if (original !== null) {
        expect(installed.startsWith(original)).toBe(true);
        expect(fs.readFileSync(file + BACKUP_SUFFIX, 'utf8')).toBe(original);
        expect(fs.statSync(file!).mode & 0o777).toBe(0o640);
      }
      expect(shellStatus(shell, o)).toEqual([{ shell, file, installed: true, outdated: false }]);

      expect(installShell(shell, o)).toEqual([{ shell, file, changed: false, backup: null }]);
      expect(fs.readFileSync(file!, 'utf8')).toBe(installed);

      const removed = uninstallShell(shell, o);
      expect(removed[0]).toMatchObject({ changed: true, backup: file + BACKUP_SUFFIX });
      expect(fs.readFileSync(file + BACKUP_SUFFIX, 'utf8')).toBe(installed);
      if (original === null) {
        // fish's conf.d snippet held only our block: the file goes away.
        expect(removed[0]!.deleted).toBe(true);
        expect(fs.existsSync(file!)).toBe(false);
      } else {
        expect(fs.readFileSync(file!, 'utf8')).toBe(original);
      }
      expect(uninstallShell(shell, o)).toEqual([{ shell, file, changed: false, backup: null }]);
      expect(shellStatus(shell, o)[0]!.installed).toBe(false);
    },
  );

  it.each([
    ['LF', "export EDITOR=vi\nalias ll='ls -l'"],
    ['CRLF', "export EDITOR=vi\r\nalias ll='ls -l'"],
  ])('a profile without a final newline (%s) comes back byte for byte', (_eol, original) => {
    const o = options();
    const [file] = profileFiles('bash', o);
    fs.writeFileSync(file!, original);
    installShell('bash', o);
    const installed = fs.readFileSync(file!, 'utf8');
    expect(installed.startsWith(original)).toBe(true);
    expect(shellStatus('bash', o)).toEqual([{ shell: 'bash', file, installed: true, outdated: false }]);
    expect(installShell('bash', o)[0]!.changed).toBe(false);
    expect(uninstallShell('bash', o)[0]).toMatchObject({ changed: true });
    expect(fs.readFileSync(file!, 'utf8')).toBe(original);
  });

  it.each(['bash', 'zsh', 'powershell'] as const)(
    '%s: a profile that did not exist is removed again; an empty one the user made stays',
    (shell) => {
      const o = options();
      const [file] = profileFiles(shell, o);
      expect(installShell(shell, o)[0]).toMatchObject({ changed: true, backup: null });
      expect(shellStatus(shell, o)[0]).toMatchObject({ installed: true, outdated: false });
      expect(installShell(shell, o)[0]!.changed).toBe(false);
      expect(uninstallShell(shell, o)[0]).toMatchObject({ changed: true, deleted: true });
      expect(fs.existsSync(file!)).toBe(false);

      fs.mkdirSync(path.dirname(file!), { recursive: true });
      fs.writeFileSync(file!, '');
      installShell(shell, o);
      expect(uninstallShell(shell, o)[0]!.deleted).toBeUndefined();
      expect(fs.readFileSync(file!, 'utf8')).toBe('');

      // Made by install, then the user wrote in it: their lines stay.
      fs.rmSync(file!);
      installShell(shell, o);
      fs.appendFileSync(file!, 'export MINE=1\n');
      uninstallShell(shell, o);
      expect(fs.readFileSync(file!, 'utf8')).toBe('export MINE=1\n');
    },
  );

  it('an older block is replaced in place, the user’s lines around it untouched', () => {
    const o = options();
    const [file] = profileFiles('zsh', o);
    fs.writeFileSync(file!, `before\n${BEGIN_MARKER}\nold stuff\n${END_MARKER}\nafter\n`);
    expect(shellStatus('zsh', o)[0]).toMatchObject({ installed: true, outdated: true });
    installShell('zsh', o);
    const text = fs.readFileSync(file!, 'utf8');
    expect(text.startsWith(`before\n${BEGIN_MARKER}\n`)).toBe(true);
    expect(text.endsWith(`${END_MARKER}\nafter\n`)).toBe(true);
    expect(text).not.toContain('old stuff');
    uninstallShell('zsh', o);
    expect(fs.readFileSync(file!, 'utf8')).toBe('before\nafter\n');
  });

  it('writes through a symlinked dotfile and keeps the link', () => {
    const o = options();
    const repo = path.join(o.home, 'dotfiles');
    fs.mkdirSync(repo);
    fs.writeFileSync(path.join(repo, 'bashrc'), 'export EDITOR=vi\n');
    fs.symlinkSync(path.join(repo, 'bashrc'), path.join(o.home, '.bashrc'));
    installShell('bash', o);
    expect(fs.lstatSync(path.join(o.home, '.bashrc')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(repo, 'bashrc'), 'utf8')).toContain(BEGIN_MARKER);
    uninstallShell('bash', o);
    expect(fs.readFileSync(path.join(repo, 'bashrc'), 'utf8')).toBe('export EDITOR=vi\n');
  });

  it('keeps CRLF line endings of a Windows PowerShell profile, in both profile locations', () => {
    const o = options({ platform: 'win32', home: tempDir('mem0-tray-winhome-') });
    const files = profileFiles('powershell', o);
    expect(files.map((f) => path.relative(o.home, f).split(path.sep).join('/'))).toEqual([
      'Documents/PowerShell/Microsoft.PowerShell_profile.ps1',
      'Documents/WindowsPowerShell/Microsoft.PowerShell_profile.ps1',
    ]);
    fs.mkdirSync(path.dirname(files[0]!), { recursive: true });
    fs.writeFileSync(files[0]!, 'Set-Alias ll Get-ChildItem\r\n');
    installShell('powershell', o);
    const text = fs.readFileSync(files[0]!, 'utf8');
    expect(text.split('\r\n').length).toBeGreaterThan(4);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(text).toContain('Invoke-Expression');
    expect(fs.readFileSync(files[1]!, 'utf8')).toContain(BEGIN_MARKER);
  });

  it('profile locations follow ZDOTDIR, XDG_CONFIG_HOME and macOS login shells', () => {
    expect(profileFiles('zsh', { home: '/h', platform: 'linux', env: { ZDOTDIR: '/z' } })).toEqual([
      '/z/.zshrc',
    ]);
    expect(profileFiles('fish', { home: '/h', platform: 'linux', env: { XDG_CONFIG_HOME: '/c' } })).toEqual([
      '/c/fish/conf.d/mem0-tray.fish',
    ]);
    expect(profileFiles('bash', { home: '/h', platform: 'darwin' })).toEqual(['/h/.bash_profile']);
    expect(profileFiles('powershell', { home: '/h', platform: 'darwin' })).toEqual([
      '/h/.config/powershell/Microsoft.PowerShell_profile.ps1',
    ]);
    expect(detectShell({ SHELL: '/usr/bin/zsh' }, 'linux')).toBe('zsh');
    expect(detectShell({ SHELL: '/bin/sh' }, 'linux')).toBeNull();
    expect(detectShell({}, 'win32')).toBe('powershell');
  });

  it('refuses a command name that would be shell code', () => {
    expect(() => installShell('bash', options({ command: 'mem0-tray; rm -rf ~' }))).toThrow(
      /Unusable command name/,
    );
  });

  it('the bash block is silent without mem0-tray on PATH', () => {
    const o = options();
    installShell('bash', o);
    const out = execFileSync('bash', ['-c', `source "$HOME/.bashrc"; printf '%s|' "$HTTPS_PROXY"`], {
      env: { HOME: o.home, PATH: '/usr/bin:/bin' },
      encoding: 'utf8',
    });
    expect(out).toBe('|');
  });

  it('the bash block (real mem0-tray): no proxy while Mem0 Tray is down, the live core’s proxy when up', () => {
    const o = options();
    installShell('bash', o);
    const data = tempDir('mem0-tray-data-');
    const bin = path.join(o.home, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'mem0-tray'), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`, {
      mode: 0o755,
    });
    // $SHELL says fish: the block must still get bash syntax.
    const env = { HOME: o.home, PATH: `${bin}:/usr/bin:/bin`, MEM0_TRAY_HOME: data, SHELL: '/usr/bin/fish' };
    const run = () =>
      execFileSync(
        'bash',
        ['-c', `source "$HOME/.bashrc"; printf '%s|%s|%s' "$?" "$HTTPS_PROXY" "$NODE_EXTRA_CA_CERTS"`],
        { env, encoding: 'utf8' },
      );
    const runtime = path.join(data, 'runtime.json');
    const info = (pid: number) => ({
      pid,
      proxyPort: 40001,
      gatewayPort: 40002,
      apiPort: 40003,
      uiUrl: null,
      caPath: '/home/x/My CA/ca.pem',
    });

    expect(run()).toBe('0||');
    // A crash left runtime.json behind: its pid is gone, so still nothing.
    const gone = spawnSync('true').pid!;
    writeRuntimeFile(runtime, info(gone));
    expect(run()).toBe('0||');
    // A live core (this test process stands in for it).
    writeRuntimeFile(runtime, info(process.pid));
    expect(run()).toBe('0|http://127.0.0.1:40001|/home/x/My CA/ca.pem');
    // The core is up but its proxy was stopped: nothing rather than a dead port.
    writeRuntimeFile(runtime, { ...info(process.pid), proxyPort: null });
    expect(run()).toBe('0||');
  });

  it('the bash block starts no process while Mem0 Tray is down: the shell reads the pid itself', () => {
    const o = options();
    installShell('bash', o);
    const data = path.join(o.home, 'data dir');
    fs.mkdirSync(data);
    const bin = path.join(o.home, 'bin');
    fs.mkdirSync(bin);
    const calls = path.join(o.home, 'calls');
    // A stand-in that counts its runs and answers as a live core would.
    fs.writeFileSync(
      path.join(bin, 'mem0-tray'),
      `#!/bin/sh\necho "$*" >> '${calls}'\necho "export HTTPS_PROXY=http://127.0.0.1:40001"\n`,
      { mode: 0o755 },
    );
    const run = (env: Record<string, string>) =>
      // --norc: bash would read ~/.bashrc by itself too, its standard input being a socket.
      execFileSync('bash', ['--norc', '-c', `source "$HOME/.bashrc"; printf '%s|%s' "$?" "$HTTPS_PROXY"`], {
        env: { HOME: o.home, PATH: `${bin}:/usr/bin:/bin`, ...env },
        encoding: 'utf8',
      });
    const runs = () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n').length : 0);
    const runtime = path.join(data, 'runtime.json');
    const info = (pid: number) => ({
      pid,
      proxyPort: 40001,
      gatewayPort: 1,
      apiPort: 2,
      uiUrl: null,
      caPath: null,
    });

    expect(run({ MEM0_TRAY_HOME: data })).toBe('0|');
    writeRuntimeFile(runtime, info(spawnSync('true').pid!));
    expect(run({ MEM0_TRAY_HOME: data })).toBe('0|');
    expect(runs()).toBe(0);

    writeRuntimeFile(runtime, info(process.pid));
    expect(run({ MEM0_TRAY_HOME: data })).toBe('0|http://127.0.0.1:40001');
    expect(runs()).toBe(1);
    expect(fs.readFileSync(calls, 'utf8')).toBe('env --if-running --shell bash\n');
    // One line, no final newline, is read too.
    fs.writeFileSync(runtime, JSON.stringify(info(process.pid)));
    expect(run({ MEM0_TRAY_HOME: data })).toBe('0|http://127.0.0.1:40001');
    // Without MEM0_TRAY_HOME: the default data directory, under XDG_CONFIG_HOME when set.
    const xdg = path.join(o.home, 'xdg');
    writeRuntimeFile(path.join(xdg, 'mem0-tray', 'runtime.json'), info(process.pid));
    expect(run({ XDG_CONFIG_HOME: xdg })).toBe('0|http://127.0.0.1:40001');
    expect(run({})).toBe('0|');
    expect(runs()).toBe(3);
  });

  it.each(SHELLS)('%s: the block asks for its own syntax, only while Mem0 Tray runs', (shell) => {
    const o = options();
    installShell(shell, o);
    const text = fs.readFileSync(profileFiles(shell, o)[0]!, 'utf8');
    expect(text).toContain(`mem0-tray env --if-running --shell ${shell}`);
  });
});
