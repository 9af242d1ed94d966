// `mem0-tray env [--gateway] [--shell …]`: the lines that route a terminal through capture; and
// `mem0-tray ca path`, added to the trust module's `ca` group (see main/cli/ca.ts).
import { Command, Option } from 'commander';
import fs from 'node:fs';
import { SHELLS, defaultShell, envCommand, type EnvShell } from '../core/capture/env-command.js';
import type { CliEnv } from './env.js';

export function registerCaptureCommands(program: Command, cli: CliEnv): void {
  program
    .command('env')
    .description(
      'print shell lines that route this terminal through capture: eval "$(mem0-tray env)" (proxy) or --gateway',
    )
    .option('--gateway', 'ANTHROPIC_BASE_URL to the gateway instead of the proxy (no certificate needed)')
    .addOption(
      new Option('--shell <shell>', 'syntax of the lines (default: from $SHELL)').choices([...SHELLS]),
    )
    .option('-q, --quiet', 'no notes on stderr')
    .option(
      '--if-running',
      'print nothing (and succeed) unless Mem0 Tray is running with that route up: for shell profiles',
    )
    .action((opts: { gateway?: boolean; shell?: EnvShell; quiet?: boolean; ifRunning?: boolean }) => {
      const out = envCommand(cli.paths(), cli.settings().settings, {
        gateway: Boolean(opts.gateway),
        shell: opts.shell ?? defaultShell(cli.env),
        env: cli.env,
        ifRunning: Boolean(opts.ifRunning),
      });
      if (out.text) cli.out(out.text);
      if (!opts.quiet) for (const w of out.warnings) cli.err(`mem0-tray: ${w}`);
    });
}

/** `ca path`: the CA certificate's path (for NODE_EXTRA_CA_CERTS=$(mem0-tray ca path)). */
export function registerCaPathCommand(ca: Command, cli: CliEnv): void {
  ca.command('path')
    .description("print the path of the capture CA's certificate (PEM)")
    .action(() => {
      const file = cli.paths().caCert;
      cli.out(file);
      if (!fs.existsSync(file))
        cli.err('mem0-tray: the CA does not exist yet: it is made when Mem0 Tray first starts.');
    });
}
