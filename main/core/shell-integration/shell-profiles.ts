// Shell integration (optional, reversible): a marked block in the user's bash, zsh, fish or
// PowerShell profile that applies `mem0-tray env`, so every new terminal routes Claude clients
// through capture. Install and uninstall are idempotent, keep a backup of the file as it was
// (<file>.mem0-tray-backup) and write through symlinks (dotfiles repositories keep their links).
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { blockBody, detectEol, findBlock, removeBlock, upsertBlock, wrapBlock } from './marked-block.js';

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
export type ShellKind = (typeof SHELLS)[number];
export const BACKUP_SUFFIX = '.mem0-tray-backup';

export interface ShellOptions {
  home: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** The command the block runs (default "mem0-tray"). */
  command?: string;
}

export interface ProfileChange {
  shell: ShellKind;
  file: string;
  changed: boolean;
  /** Set when the previous content was saved before changing the file. */
  backup: string | null;
  /** The file was removed because only our block was in it (fish conf.d snippet). */
  deleted?: boolean;
}

export interface ProfileState {
  shell: ShellKind;
  file: string;
  installed: boolean;
  /** The block is present but differs from what this version would write. */
  outdated: boolean;
}

export function isShellKind(value: string): value is ShellKind {
  return (SHELLS as readonly string[]).includes(value);
}

/** The user's login shell from $SHELL (PowerShell on Windows), or null. */
export function detectShell(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): ShellKind | null {
  if (platform === 'win32') return 'powershell';
  const base = path.basename(env.SHELL ?? '');
  if (base === 'pwsh') return 'powershell';
  return isShellKind(base) ? base : null;
}

/** Profile files a shell reads at start, where the block goes. */
export function profileFiles(shell: ShellKind, o: ShellOptions): string[] {
  const platform = o.platform ?? process.platform;
  const env = o.env ?? {};
  const home = o.home;
  // The host's own path rules: `platform` picks locations, the files live on this machine.
  const join = path.join;
  const config = env.XDG_CONFIG_HOME || join(home, '.config');
  switch (shell) {
    // Terminal.app and iTerm start login shells, which read ~/.bash_profile, not ~/.bashrc.
    case 'bash':
      return [join(home, platform === 'darwin' ? '.bash_profile' : '.bashrc')];
    case 'zsh':
      return [join(env.ZDOTDIR || home, '.zshrc')];
    // A conf.d snippet is fish's own way to add startup code without editing config.fish.
    case 'fish':
      return [join(config, 'fish', 'conf.d', 'mem0-tray.fish')];
    case 'powershell':
      if (platform === 'win32') {
        const docs = join(home, 'Documents');
        return [
          join(docs, 'PowerShell', 'Microsoft.PowerShell_profile.ps1'),
          join(docs, 'WindowsPowerShell', 'Microsoft.PowerShell_profile.ps1'),
        ];
      }
      return [join(config, 'powershell', 'Microsoft.PowerShell_profile.ps1')];
  }
}

/**
 * Said in the block of a profile that install created: uninstall removes the file again once
 * the block is all it holds (an empty profile the user made, e.g. to quiet zsh's first-run
 * wizard, stays).
 */
const CREATED_NOTE = 'which created this file';

function createdByInstall(body: string | null): boolean {
  return body !== null && body.includes(CREATED_NOTE);
}

/**
 * The block's lines: apply `mem0-tray env` if the command exists, silently otherwise. `--if-running`
 * prints nothing while Mem0 Tray is down (a new terminal then talks to the network directly instead
 * of to a closed proxy port), and `--shell` names the block's own shell: $SHELL may be another one.
 * Starting Node for that answer would hold up every new terminal, so the shell itself first
 * reads the pid in runtime.json (data directory: MEM0_TRAY_HOME, else the platform's default, as in
 * config/paths.ts) and asks only when that process is alive; `env --if-running` still decides.
 */
export function blockLines(
  shell: ShellKind,
  command = 'mem0-tray',
  createdFile = false,
  platform: NodeJS.Platform = process.platform,
): string[] {
  const note = createdFile
    ? `# Added by "mem0-tray shell install", ${CREATED_NOTE}; remove with "mem0-tray shell uninstall".`
    : '# Added by "mem0-tray shell install"; remove with "mem0-tray shell uninstall".';
  const env = `${command} env --if-running --shell ${shell}`;
  switch (shell) {
    case 'bash':
    case 'zsh': {
      const dir =
        platform === 'darwin'
          ? '$HOME/Library/Application Support/Mem0 Tray'
          : '${XDG_CONFIG_HOME:-$HOME/.config}/mem0-tray';
      // Builtins only (read, case, kill): no process starts while Mem0 Tray is down.
      return [
        note,
        `if command -v ${command} >/dev/null 2>&1; then`,
        `  __mem0_tray_pid=; __mem0_tray_rt="\${MEM0_TRAY_HOME:-${dir}}/runtime.json"`,
        '  if [ -r "$__mem0_tray_rt" ]; then',
        '    while IFS= read -r __mem0_tray_line || [ -n "$__mem0_tray_line" ]; do',
        `      case $__mem0_tray_line in *'"pid":'*)`,
        `        __mem0_tray_pid=\${__mem0_tray_line#*'"pid":'}; __mem0_tray_pid=\${__mem0_tray_pid%%,*}`,
        `        __mem0_tray_pid=\${__mem0_tray_pid//[!0-9]/}; break;;`,
        '      esac',
        '    done < "$__mem0_tray_rt"',
        '  fi',
        '  if [ -n "$__mem0_tray_pid" ] && kill -0 "$__mem0_tray_pid" 2>/dev/null; then',
        `    eval "$(${env} 2>/dev/null)"`,
        '  fi',
        '  unset __mem0_tray_pid __mem0_tray_rt __mem0_tray_line',
        'fi',
      ];
    }
    case 'fish': {
      const dir =
        platform === 'darwin'
          ? ['    set d "$HOME/Library/Application Support/Mem0 Tray"']
          : [
              '    set d $XDG_CONFIG_HOME',
              '    test -n "$d"; or set d $HOME/.config',
              '    set d $d/mem0-tray',
            ];
      return [
        note,
        `if type -q ${command}`,
        '  set -l d $MEM0_TRAY_HOME',
        '  if test -z "$d"',
        ...dir,
        '  end',
        '  set -l pid',
        '  test -r "$d/runtime.json"; and set pid (string replace -rf \'.*"pid": *([0-9]+).*\' \'$1\' < "$d/runtime.json")',
        '  if test -n "$pid[1]"; and kill -0 $pid[1] 2>/dev/null',
        `    ${env} 2>/dev/null | source`,
        '  end',
        'end',
      ];
    }
    case 'powershell': {
      const dir =
        platform === 'win32'
          ? "Join-Path $env:APPDATA 'Mem0 Tray'"
          : platform === 'darwin'
            ? "Join-Path $HOME 'Library/Application Support/Mem0 Tray'"
            : "Join-Path $(if ($env:XDG_CONFIG_HOME) { $env:XDG_CONFIG_HOME } else { Join-Path $HOME '.config' }) 'mem0-tray'";
      return [
        note,
        `if (Get-Command ${command} -ErrorAction SilentlyContinue) {`,
        `  $mem0TrayRt = Join-Path $(if ($env:MEM0_TRAY_HOME) { $env:MEM0_TRAY_HOME } else { ${dir} }) 'runtime.json'`,
        `  if ((Test-Path $mem0TrayRt) -and ((Get-Content -Raw $mem0TrayRt) -match '"pid":\\s*(\\d+)') -and (Get-Process -Id $Matches[1] -ErrorAction SilentlyContinue)) {`,
        `    (& ${env} 2>$null) -join [Environment]::NewLine | Invoke-Expression`,
        '  }',
        '  Remove-Variable mem0TrayRt -ErrorAction SilentlyContinue',
        '}',
      ];
    }
  }
}

function checkCommand(command: string): void {
  // The name is pasted into shell code: allow only what a command name needs.
  if (!/^[A-Za-z0-9._/-]+$/.test(command))
    throw new UserError('invalid_input', `Unusable command name for a shell profile: ${command}`);
}

function readIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UserError('read_only', `Cannot read ${file}: ${(err as Error).message}`);
  }
}

/** Writes through a symlink to its target, keeping the file's mode. */
function writeKeepingLink(file: string, text: string): void {
  let target = file;
  try {
    target = fs.realpathSync(file);
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }
  let mode = 0o644;
  try {
    mode = fs.statSync(target).mode & 0o777;
  } catch {
    // a new file
  }
  writeFileAtomic(target, text, mode);
}

function backup(file: string, previous: string): string {
  const to = file + BACKUP_SUFFIX;
  writeFileAtomic(to, previous, 0o600);
  return to;
}

export function installShell(shell: ShellKind, o: ShellOptions): ProfileChange[] {
  const command = o.command ?? 'mem0-tray';
  checkCommand(command);
  return profileFiles(shell, o).map((file) => {
    const previous = readIfExists(file);
    const eol = previous ? detectEol(previous) : (o.platform ?? process.platform) === 'win32' ? '\r\n' : '\n';
    // A file made by an earlier install stays marked as ours when its block is replaced.
    const created = previous === null || createdByInstall(blockBody(previous));
    const next = upsertBlock(previous ?? '', wrapBlock(blockLines(shell, command, created, o.platform), eol));
    if (next === previous) return { shell, file, changed: false, backup: null };
    const saved = previous !== null ? backup(file, previous) : null;
    writeKeepingLink(file, next);
    return { shell, file, changed: true, backup: saved };
  });
}

export function uninstallShell(shell: ShellKind, o: ShellOptions): ProfileChange[] {
  return profileFiles(shell, o).map((file) => {
    const previous = readIfExists(file);
    if (previous === null || !findBlock(previous)) return { shell, file, changed: false, backup: null };
    const saved = backup(file, previous);
    const next = removeBlock(previous);
    // fish's conf.d snippet is ours alone; another profile goes only if install made it and
    // nothing was added to it since.
    if ((shell === 'fish' && next.trim() === '') || (next === '' && createdByInstall(blockBody(previous)))) {
      fs.rmSync(file, { force: true });
      return { shell, file, changed: true, backup: saved, deleted: true };
    }
    writeKeepingLink(file, next);
    return { shell, file, changed: true, backup: saved };
  });
}

export function shellStatus(shell: ShellKind, o: ShellOptions): ProfileState[] {
  const command = o.command ?? 'mem0-tray';
  return profileFiles(shell, o).map((file) => {
    const text = readIfExists(file);
    const body = text === null ? null : blockBody(text);
    if (body === null) return { shell, file, installed: false, outdated: false };
    const eol = detectEol(text!);
    const expected = wrapBlock(blockLines(shell, command, createdByInstall(body), o.platform), eol);
    // (A block that ends a file without a final newline has none either; see upsertBlock.)
    return { shell, file, installed: true, outdated: body !== expected && body + eol !== expected };
  });
}
