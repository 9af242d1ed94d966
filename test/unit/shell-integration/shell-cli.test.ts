// `mem0-tray shell …` through commander with a throwaway HOME: default shell from $SHELL, explicit
// shells, idempotence as the user sees it, usage errors.
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliEnv } from '../../../main/cli/env.js';
import { registerShellCommands } from '../../../main/cli/shell.js';
import { UserError } from '../../../main/core/errors.js';
import { tempDir } from '../../support/tmp.js';

function harness(env: NodeJS.ProcessEnv) {
  const home = tempDir('mem0-tray-home-');
  let out: string[] = [];
  const cli = { env, out: (t: string) => out.push(t), err: (t: string) => out.push(t) } as unknown as CliEnv;
  const run = async (...args: string[]) => {
    out = [];
    const program = new Command('mem0-tray').exitOverride();
    registerShellCommands(program, cli, { home: () => home, platform: 'linux' });
    await program.parseAsync(['node', 'mem0-tray', ...args]);
    return out.join('\n');
  };
  return { home, run };
}

describe('mem0-tray shell', () => {
  it('install uses $SHELL, is idempotent, status and uninstall report it', async () => {
    const { home, run } = harness({ SHELL: '/bin/zsh' });
    fs.writeFileSync(path.join(home, '.zshrc'), 'setopt autocd\n');
    expect(await run('shell', 'install')).toContain(
      `zsh: added the mem0-tray block to ${path.join(home, '.zshrc')} (backup: ${path.join(home, '.zshrc.mem0-tray-backup')})`,
    );
    expect(await run('shell', 'install')).toContain('already has the block');
    expect(await run('shell', 'status')).toMatch(/zsh\s+installed\s/);
    expect(await run('shell', 'status')).toMatch(/bash\s+not installed/);
    expect(await run('shell', 'uninstall')).toContain('zsh: removed the mem0-tray block from');
    expect(fs.readFileSync(path.join(home, '.zshrc'), 'utf8')).toBe('setopt autocd\n');
    expect(await run('shell', 'uninstall')).toBe('No mem0-tray block was found in any shell profile.');
  });

  it('--shell all and comma lists', async () => {
    const { home, run } = harness({});
    await run('shell', 'install', '--shell', 'bash,fish');
    expect(fs.existsSync(path.join(home, '.bashrc'))).toBe(true);
    expect(fs.existsSync(path.join(home, '.config', 'fish', 'conf.d', 'mem0-tray.fish'))).toBe(true);
    const states = JSON.parse(await run('shell', 'status', '--json')) as Array<{
      shell: string;
      installed: boolean;
    }>;
    expect(states.filter((s) => s.installed).map((s) => s.shell)).toEqual(['bash', 'fish']);
    await run('shell', 'uninstall', '--shell', 'all');
    expect(fs.existsSync(path.join(home, '.config', 'fish', 'conf.d', 'mem0-tray.fish'))).toBe(false);
  });

  it('an unknown shell or an undetectable one is a usage error', async () => {
    const { run } = harness({ SHELL: '/bin/sh' });
    const e1 = (await run('shell', 'install').catch((e: unknown) => e)) as UserError;
    expect(e1).toBeInstanceOf(UserError);
    expect(e1.exitCode).toBe(2);
    await expect(run('shell', 'install', '--shell', 'tcsh')).rejects.toThrow(/Unknown shell "tcsh"/);
  });
});
