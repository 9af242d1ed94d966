// `mem0-tray serve`: the core without Electron, for machines with no display, servers, WSL and tests.
import type { Command } from 'commander';
import { Core } from '../core/core.js';
import { describeError } from '../core/errors.js';
import type { CliEnv } from './env.js';

export function describeServing(core: Core, headlessReason?: string): string {
  const r = core.runtime;
  const parts = [`API http://127.0.0.1:${r.apiPort}`];
  if (r.proxyPort !== null) parts.push(`proxy 127.0.0.1:${r.proxyPort}`);
  if (r.gatewayPort !== null) parts.push(`gateway http://127.0.0.1:${r.gatewayPort}`);
  if (r.uiUrl) parts.push(`UI ${r.uiUrl}`);
  return `Mem0 Tray ${headlessReason ? `running headless (${headlessReason})` : 'ready'}: ${parts.join(', ')}`;
}

export function registerServeCommand(program: Command, cli: CliEnv): void {
  program
    .command('serve')
    .description('run the core headless: capture proxy, gateway, API, MCP and the review UI on 127.0.0.1')
    .option('--headless-reason <why>', 'say why the tray app is not used (set by npm start)')
    .option('--verbose', 'print log lines to stderr')
    .action(async (opts: { headlessReason?: string; verbose?: boolean }) => {
      // Handlers go in before the core starts: a signal during start-up still ends in a clean stop
      // (runtime.json removed), never in the default kill.
      let signalled: NodeJS.Signals | null = null;
      let wake: () => void = () => {};
      const onSignal = (signal: NodeJS.Signals) => {
        if (signalled) {
          cli.err(`Second ${signal}: exiting now.`);
          process.exit(130);
        }
        signalled = signal;
        cli.err(`${signal}: stopping…`);
        wake();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const core = await Core.start({ env: cli.env, console: opts.verbose ?? false });
      cli.out(describeServing(core, opts.headlessReason));
      if (!signalled) await new Promise<void>((resolve) => (wake = resolve));
      try {
        await core.stop();
      } catch (err) {
        cli.err(`stop failed: ${describeError(err)}`);
      }
      cli.err('Stopped.');
    });
}
