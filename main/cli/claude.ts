// `mem0-tray claude-desktop connect|disconnect|status` and `mem0-tray claude-code`: set up Claude
// clients to use our MCP server, each with its own token.
import { Command } from 'commander';
import { claudeCodeSetup } from '../core/claude-clients/claude-code.js';
import {
  claudeDesktopStatus,
  connectClaudeDesktop,
  disconnectClaudeDesktop,
} from '../core/claude-clients/claude-desktop.js';
import { UserError } from '../core/errors.js';
import { TokenStore } from '../core/mcp/tokens.js';
import { runningCore } from '../core/runtime-file.js';
import type { CliEnv } from './env.js';

function tokenStore(cli: CliEnv): TokenStore {
  const settings = cli.settings().settings;
  return new TokenStore(cli.db(), { defaultExpiryDays: () => settings.tokenExpiryDays });
}

function days(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 3650) {
    throw new UserError('usage', `expected a whole number of days from 0 (never) to 3650, got "${value}"`);
  }
  return n;
}

export function registerClaudeCommands(program: Command, cli: CliEnv): void {
  const desktop = program
    .command('claude-desktop')
    .description("connect Claude Desktop to Mem0 Tray's MCP server (edits claude_desktop_config.json)");

  desktop
    .command('connect')
    .description('add mem0-tray to Claude Desktop with a new token (other servers kept, old file backed up)')
    .option('--user-id <id>', 'whose memories Claude Desktop reaches (default: the userId setting)')
    .option('--expires-days <days>', 'token lifetime, 0 = never (default: the tokenExpiryDays setting)', days)
    .option('--config <file>', 'the config file (default: Claude Desktop’s own for this OS)')
    .action((opts: { userId?: string; expiresDays?: number; config?: string }) => {
      const result = connectClaudeDesktop(
        { tokens: tokenStore(cli), env: cli.env, configPath: opts.config },
        {
          userId: opts.userId ?? cli.settings().settings.userId,
          expiresDays: opts.expiresDays,
          dataDir: cli.env.MEM0_TRAY_HOME ? cli.paths().dataDir : null,
        },
      );
      cli.out(`${result.replaced ? 'Reconnected' : 'Connected'} Claude Desktop: ${result.configPath}`);
      if (result.backupPath) cli.out(`Backup of the previous file: ${result.backupPath}`);
      cli.out(`Token ${result.token.id} (${result.token.prefix}…) for user ${result.token.userId}.`);
      cli.out('Restart Claude Desktop to load the server.');
    });

  desktop
    .command('disconnect')
    .description('remove mem0-tray from Claude Desktop and revoke its token')
    .option('--config <file>', 'the config file (default: Claude Desktop’s own for this OS)')
    .action((opts: { config?: string }) => {
      const result = disconnectClaudeDesktop({
        tokens: tokenStore(cli),
        env: cli.env,
        configPath: opts.config,
      });
      if (!result.removed) {
        cli.out(`Claude Desktop was not connected (${result.configPath}).`);
        return;
      }
      cli.out(`Disconnected Claude Desktop: ${result.configPath}`);
      if (result.revokedTokenId) cli.out(`Revoked token ${result.revokedTokenId}.`);
      if (result.backupPath) cli.out(`Backup of the previous file: ${result.backupPath}`);
    });

  desktop
    .command('status')
    .description('whether Claude Desktop is connected, and whether its token still works')
    .option('--config <file>', 'the config file (default: Claude Desktop’s own for this OS)')
    .option('--json', 'machine-readable output')
    .action((opts: { config?: string; json?: boolean }) => {
      const status = claudeDesktopStatus({ tokens: tokenStore(cli), env: cli.env, configPath: opts.config });
      if (opts.json) {
        cli.out(JSON.stringify(status, null, 2));
        return;
      }
      cli.out(`config:    ${status.configPath}${status.configExists ? '' : ' (does not exist)'}`);
      cli.out(`connected: ${status.connected ? 'yes' : 'no'}`);
      if (status.connected) {
        cli.out(`command:   ${[status.command, ...(status.args ?? [])].join(' ')}`);
        const t = status.token;
        cli.out(
          `token:     ${t ? `${t.id} (${t.userId}) ${t.revoked ? 'revoked' : t.expired ? 'expired' : 'active'}` : 'not one of ours (unknown or deleted)'}`,
        );
      }
    });

  program
    .command('claude-code')
    .description('print the "claude mcp add" command for the HTTP MCP server, with a new token')
    .option('--user-id <id>', 'whose memories Claude Code reaches (default: the userId setting)')
    .option('--expires-days <days>', 'token lifetime, 0 = never (default: the tokenExpiryDays setting)', days)
    .option('--read-only', 'a token that may search and read only')
    .action((opts: { userId?: string; expiresDays?: number; readOnly?: boolean }) => {
      const settings = cli.settings().settings;
      // A running tray on port 0 picked its own port: runtime.json says which.
      const port = runningCore(cli.paths().runtime)?.apiPort ?? settings.apiPort;
      if (port === 0) {
        throw new UserError(
          'usage',
          'The API port is 0 (any free port) and Mem0 Tray is not running: start it (mem0-tray serve) or set apiPort.',
        );
      }
      const setup = claudeCodeSetup(tokenStore(cli), {
        userId: opts.userId ?? settings.userId,
        apiPort: port,
        expiresDays: opts.expiresDays,
        readOnly: opts.readOnly,
      });
      cli.out(setup.command);
      cli.err(
        `(token ${setup.tokenId}; shown only here — revoke with "mem0-tray token revoke ${setup.tokenId}")`,
      );
    });
}
