// The `mem0-tray` command. Each area registers its commands from main/cli/<area>.ts; errors the
// user can act on print one line and exit with a code scripts can rely on (see README).
import { Command, CommanderError } from 'commander';
import { EXIT, describeError, isUserError } from './core/errors.js';
import { VERSION } from './core/version.js';
import { registerApikeyCommands } from './cli/apikey.js';
import { registerBackupCommands } from './cli/backup.js';
import { defaultCaCliDeps, registerCaCommands } from './cli/ca.js';
import { registerCaPathCommand, registerCaptureCommands } from './cli/capture.js';
import { stageCaForRegenerate } from './core/certs/ca.js';
import { silentLogger } from './core/log.js';
import { registerClaudeCommands } from './cli/claude.js';
import { createCliEnv, type CliEnv } from './cli/env.js';
import { registerMcpCommands } from './cli/mcp.js';
import { registerMemoriesCommands } from './cli/memories.js';
import { registerServeCommand } from './cli/serve.js';
import { registerShellCommands } from './cli/shell.js';
import { registerStatusCommand } from './cli/status.js';
import { registerTokenCommands } from './cli/token.js';
import { registerUiCommand } from './cli/ui.js';

export function buildProgram(cli = createCliEnv()): Command {
  const program = new Command('mem0-tray')
    .description(
      'Mem0 Tray: a long-term memory for Claude, made from your own conversations, on your machine.',
    )
    .version(VERSION)
    .showSuggestionAfterError(true)
    // A command's options are its own, not its parent's ("claude-code connect --user-id").
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'mem0-tray: ')),
    });
  registerServeCommand(program, cli);
  registerStatusCommand(program, cli);
  registerMemoriesCommands(program, cli);
  registerBackupCommands(program, cli);
  registerApikeyCommands(program, cli);
  registerCaptureCommands(program, cli);
  const ca = registerCaCommands(
    program,
    cli,
    defaultCaCliDeps((c) =>
      stageCaForRegenerate(c.paths(), c.settings().settings.interceptHosts, silentLogger),
    ),
  );
  registerCaPathCommand(ca, cli);
  registerShellCommands(program, cli);
  registerTokenCommands(program, cli);
  registerMcpCommands(program, cli);
  registerClaudeCommands(program, cli);
  registerUiCommand(program, cli);
  return program;
}

/**
 * A reader that went away (`mem0-tray memories list | head -1`) ends the command quietly with
 * exit 0, as Unix tools do, instead of an unhandled EPIPE and its stack trace. Node ignores
 * SIGPIPE, so the closed pipe shows up as an error on the stream at the next write.
 */
function endQuietlyWhenOutputCloses(cli: CliEnv): void {
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    try {
      cli.close();
    } finally {
      process.exit(EXIT.ok);
    }
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
}

async function main(): Promise<number> {
  const cli = createCliEnv();
  endQuietlyWhenOutputCloses(cli);
  try {
    await buildProgram(cli).parseAsync(process.argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; unknown flags, missing arguments and bad choices exit 2.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isUserError(err)) {
      process.stderr.write(`mem0-tray: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`mem0-tray: unexpected error: ${describeError(err)}\n`);
    return EXIT.failure;
  } finally {
    cli.close();
  }
}

process.exitCode = await main();
