// `mem0-tray mcp stdio`: the MCP server over standard input/output, as Claude Desktop launches it.
import { Command } from 'commander';
import { runMcpStdio } from '../core/mcp/stdio.js';
import type { CliEnv } from './env.js';

export function registerMcpCommands(program: Command, cli: CliEnv): Command {
  const mcp = program.command('mcp').description('the MCP server for Claude clients');
  mcp
    .command('stdio')
    .description(
      'serve MCP on stdin/stdout (what Claude Desktop runs); the identity comes from MEM0_TRAY_TOKEN, the scope from MEM0_TRAY_PROJECT if set',
    )
    .action(async () => {
      const server = await runMcpStdio({ env: cli.env });
      await server.closed;
    });
  return mcp;
}
