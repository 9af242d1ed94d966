// `mem0-tray shell install|uninstall|status [--shell …]`: a marked block in the shell profile that
// applies `mem0-tray env` in every new terminal. Reversible; a backup of the profile is kept.
import os from 'node:os';
import type { Command } from 'commander';
import {
  SHELLS,
  detectShell,
  installShell,
  isShellKind,
  shellStatus,
  uninstallShell,
  type ShellKind,
  type ShellOptions,
} from '../core/shell-integration/shell-profiles.js';
import { UserError } from '../core/errors.js';
import type { CliEnv } from './env.js';

export interface ShellCliDeps {
  home(cli: CliEnv): string;
  platform: NodeJS.Platform;
}

export const defaultShellCliDeps: ShellCliDeps = {
  home: () => os.homedir(),
  platform: process.platform,
};

function collect(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

export function registerShellCommands(
  program: Command,
  cli: CliEnv,
  deps: ShellCliDeps = defaultShellCliDeps,
): void {
  const shell = program
    .command('shell')
    .description('apply "mem0-tray env" in every new terminal (a marked block in your shell profile)');
  const options = (): ShellOptions => ({ home: deps.home(cli), platform: deps.platform, env: cli.env });

  const pick = (asked: string[]): ShellKind[] => {
    if (asked.length === 0) {
      const detected = detectShell(cli.env, deps.platform);
      if (!detected)
        throw new UserError('usage', `Cannot tell your shell from $SHELL: say --shell ${SHELLS.join('|')}.`);
      return [detected];
    }
    if (asked.includes('all')) return [...SHELLS];
    for (const s of asked)
      if (!isShellKind(s))
        throw new UserError('usage', `Unknown shell "${s}": use ${SHELLS.join(', ')} or all.`);
    return asked as ShellKind[];
  };

  shell
    .command('install')
    .description('add the block (idempotent; the previous profile is kept as <file>.mem0-tray-backup)')
    .option('--shell <name>', `${SHELLS.join(', ')} or all (default: from $SHELL)`, collect, [])
    .action((opts: { shell: string[] }) => {
      for (const kind of pick(opts.shell)) {
        for (const change of installShell(kind, options())) {
          cli.out(
            change.changed
              ? `${kind}: added the mem0-tray block to ${change.file}${change.backup ? ` (backup: ${change.backup})` : ''}.`
              : `${kind}: ${change.file} already has the block.`,
          );
        }
      }
      cli.out('Open a new terminal (or source the profile) to use it.');
    });

  shell
    .command('uninstall')
    .description('remove the block (idempotent; a backup is kept)')
    .option('--shell <name>', `${SHELLS.join(', ')} or all (default: all)`, collect, [])
    .action((opts: { shell: string[] }) => {
      const kinds = opts.shell.length === 0 ? [...SHELLS] : pick(opts.shell);
      let any = false;
      for (const kind of kinds) {
        for (const change of uninstallShell(kind, options())) {
          if (!change.changed) continue;
          any = true;
          cli.out(
            `${kind}: ${change.deleted ? 'removed' : 'removed the mem0-tray block from'} ${change.file} (backup: ${change.backup}).`,
          );
        }
      }
      if (!any) cli.out('No mem0-tray block was found in any shell profile.');
    });

  shell
    .command('status')
    .description('which profiles hold the block')
    .option('--shell <name>', `${SHELLS.join(', ')} or all (default: all)`, collect, [])
    .option('--json', 'machine-readable output')
    .action((opts: { shell: string[]; json?: boolean }) => {
      const kinds = opts.shell.length === 0 ? [...SHELLS] : pick(opts.shell);
      const states = kinds.flatMap((k) => shellStatus(k, options()));
      if (opts.json) return cli.out(JSON.stringify(states, null, 2));
      for (const s of states) {
        cli.out(
          `${s.shell.padEnd(11)} ${s.installed ? (s.outdated ? 'installed (outdated: run "mem0-tray shell install")' : 'installed') : 'not installed'}  ${s.file}`,
        );
      }
    });
}
