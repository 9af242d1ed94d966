// A test-only `mem0-tray` with just this area's commands, for spawning before (or without)
// main/cli.ts wiring them in. Same error handling and exit codes as main/cli.ts.
import { Command, CommanderError } from 'commander';
import { createCliEnv } from '../../../main/cli/env.js';
import { registerClaudeCommands } from '../../../main/cli/claude.js';
import { registerMcpCommands } from '../../../main/cli/mcp.js';
import { registerTokenCommands } from '../../../main/cli/token.js';
import { EXIT, describeError, isUserError } from '../../../main/core/errors.js';

const cli = createCliEnv();
const program = new Command('mem0-tray').exitOverride();
registerTokenCommands(program, cli);
registerMcpCommands(program, cli);
registerClaudeCommands(program, cli);
try {
  await program.parseAsync(process.argv);
  process.exitCode = EXIT.ok;
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  else if (isUserError(err)) {
    process.stderr.write(`mem0-tray: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`mem0-tray: unexpected error: ${describeError(err)}\n`);
    process.exitCode = EXIT.failure;
  }
} finally {
  cli.close();
}
