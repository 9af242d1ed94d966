// `mem0-tray claude-desktop connect|disconnect|status` and `mem0-tray claude-code`: set up Claude
// clients to use our MCP server, each with its own token.
import { Command } from 'commander';
import fs from 'node:fs';
import {
  claudeCodeAddCommand,
  claudeCodeSetup,
  claudeUserConfigPath,
  claudeCodeStatus,
  connectClaudeCode,
  defaultHookLaunch,
  disconnectClaudeCode,
  hookLaunchFor,
  machineToken,
  saveMachineToken,
  type ClaudeCodeDeps,
} from '../core/claude-clients/claude-code.js';
import {
  hooksStatus,
  installHooks,
  uninstallHooks,
  type HookScope,
} from '../core/claude-clients/claude-code-hooks.js';
import {
  SERVER_KEY,
  claudeDesktopStatus,
  connectClaudeDesktop,
  disconnectClaudeDesktop,
} from '../core/claude-clients/claude-desktop.js';
import { UserError } from '../core/errors.js';
import { TokenStore } from '../core/access/tokens.js';
import { RecallLog } from '../core/recall/recall-log.js';
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

  const code = program
    .command('claude-code')
    .description(
      'connect Claude Code (connect, disconnect, status, hooks …); alone, print the "claude mcp add" command with this machine\'s token for Claude Code',
    )
    .option('--user-id <id>', 'whose memories Claude Code reaches (default: the userId setting)')
    .option('--expires-days <days>', 'a new token with this lifetime, 0 = never', days)
    .option('--read-only', 'a new token that may search and read only')
    .option('--new-token', "a new token even if this machine's still works")
    .action((opts: { userId?: string; expiresDays?: number; readOnly?: boolean; newToken?: boolean }) => {
      const settings = cli.settings().settings;
      const port = apiPort(cli);
      const userId = opts.userId ?? settings.userId;
      const tokens = tokenStore(cli);
      const code = { tokens, tokenFile: cli.privatePaths().claudeCodeToken, env: cli.env };
      // The token `claude-code connect` and the recall hooks use (claude-code-token.json), if it still works.
      const saved = machineToken(code);
      const machine =
        saved && !saved.info.revoked && !saved.info.expired ? { token: saved.token, ...saved.info } : null;
      const askedForNew = Boolean(opts.newToken || opts.readOnly || opts.expiresDays !== undefined);
      if (machine && !askedForNew && machine.userId === userId) {
        cli.out(claudeCodeAddCommand(port, machine.token));
        cli.err(
          `(token ${machine.id} (${machine.prefix}…), this machine's token for Claude Code, reused: the one "claude-code connect" and the recall hooks use; --new-token for another)`,
        );
      } else {
        const setup = claudeCodeSetup(tokens, {
          userId,
          apiPort: port,
          expiresDays: opts.expiresDays,
          readOnly: opts.readOnly,
        });
        cli.out(setup.command);
        if (!machine && !askedForNew) {
          // The first: it becomes this machine's token for Claude Code, which later runs reuse.
          saveMachineToken(code, setup.token, setup.tokenId);
          cli.err(
            `(new token ${setup.tokenId}, now this machine's token for Claude Code: later runs print the same; revoke with "mem0-tray token revoke ${setup.tokenId}")`,
          );
        } else {
          cli.err(
            `(new token ${setup.tokenId}; shown only here — revoke with "mem0-tray token revoke ${setup.tokenId}"${machine ? `; this machine's token for Claude Code stays ${machine.id}` : ''})`,
          );
        }
      }
      // Which token Claude Code itself sends: the header of our server in ~/.claude.json.
      const configPath = claudeUserConfigPath(cli.env);
      let used: string | null = null;
      try {
        const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as {
          mcpServers?: Record<string, { headers?: Record<string, string> }>;
        };
        const header = config.mcpServers?.[SERVER_KEY]?.headers?.Authorization;
        if (typeof header === 'string') used = header.replace(/^Bearer\s+/i, '');
      } catch {
        // no config, or not JSON: Claude Code has no server of ours
      }
      if (used === null) {
        cli.err(`Claude Code (${configPath}) has no mem0-tray server yet: run the command above.`);
      } else {
        const info = tokens.findByValue(used);
        const state = !info
          ? 'not one of ours'
          : info.revoked
            ? 'revoked'
            : info.expired
              ? 'expired'
              : 'working';
        cli.err(
          `Claude Code (${configPath}) uses token ${info ? `${info.id} (${info.prefix}…)` : '(unknown)'}: ${state}.`,
        );
      }
    });

  // Its options belong to it alone: "connect --user-id" is the subcommand's.
  code.enablePositionalOptions();
  registerClaudeCodeCommands(code, cli);
}

/** The API port Claude Code should reach: a running tray on port 0 picked its own (runtime.json). */
function apiPort(cli: CliEnv): number {
  const port = runningCore(cli.paths().runtime)?.apiPort ?? cli.settings().settings.apiPort;
  if (port === 0) {
    throw new UserError(
      'usage',
      'The API port is 0 (any free port) and Mem0 Tray is not running: start it (mem0-tray serve) or set apiPort.',
    );
  }
  return port;
}

function scopeOf(value: string): HookScope {
  if (value !== 'user' && value !== 'project')
    throw new UserError(
      'usage',
      `--scope is "user" (~/.claude/settings.json) or "project" (.claude/settings.local.json), got "${value}"`,
    );
  return value;
}

function registerClaudeCodeCommands(code: Command, cli: CliEnv): void {
  const deps = (): ClaudeCodeDeps => ({
    tokens: tokenStore(cli),
    tokenFile: cli.privatePaths().claudeCodeToken,
    env: cli.env,
  });
  const scopeOption = [
    '--scope <scope>',
    'user (~/.claude/settings.json) or project (.claude/settings.local.json)',
    scopeOf,
    'user',
  ] as const;

  code
    .command('connect')
    .description(
      "one step: a token for this machine, our MCP server in Claude Code's config, and the recall hooks",
    )
    .option(...scopeOption)
    .option('--user-id <id>', 'whose memories Claude Code reaches (default: the userId setting)')
    .option('--new-token', "a new token even if this machine's still works")
    .option('--expires-days <days>', 'token lifetime, 0 = never (default: the tokenExpiryDays setting)', days)
    .action((opts: { scope: HookScope; userId?: string; newToken?: boolean; expiresDays?: number }) => {
      const result = connectClaudeCode(deps(), {
        userId: opts.userId ?? cli.settings().settings.userId,
        apiPort: apiPort(cli),
        scope: opts.scope,
        launch: defaultHookLaunch(cli.paths().dataDir, cli.env),
        newToken: opts.newToken,
        expiresDays: opts.expiresDays,
      });
      cli.out(`Connected Claude Code for user ${result.token.userId}.`);
      cli.out(`MCP server: ${result.mcpConfigPath}`);
      cli.out(`Recall hooks: ${result.settingsPath}`);
      cli.out(
        `Token ${result.token.id} (${result.token.prefix}…)${result.reused ? ', this machine’s, reused' : ', new'}.`,
      );
      for (const b of result.backupPaths) cli.out(`Backup of the previous file: ${b}`);
      cli.out('New Claude Code sessions load both.');
    });

  code
    .command('disconnect')
    .description('remove our MCP server and recall hooks from Claude Code and revoke its token')
    .option(...scopeOption)
    .action((opts: { scope: HookScope }) => {
      const result = disconnectClaudeCode(deps(), { scope: opts.scope, dataDir: cli.paths().dataDir });
      cli.out(`MCP server ${result.mcpRemoved ? 'removed' : 'was not registered'}.`);
      cli.out(`Recall hooks ${result.hooksRemoved ? 'removed' : 'were not installed'}.`);
      if (result.revokedTokenId) cli.out(`Revoked token ${result.revokedTokenId}.`);
    });

  code
    .command('status')
    .description('whether Claude Code has our MCP server and recall hooks, and which token they use')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => {
      const status = claudeCodeStatus(deps());
      if (opts.json) return cli.out(JSON.stringify(status, null, 2));
      cli.out(`MCP server: ${status.mcpRegistered ? 'registered' : 'not registered'}`);
      for (const h of status.hooks)
        cli.out(`hooks (${h.scope}): ${h.installed ? 'installed' : 'not installed'} in ${h.settingsPath}`);
      const t = status.token;
      cli.out(
        `token:      ${t ? `${t.id} (${t.userId}) ${t.working ? 'active' : 'revoked or expired'}` : 'none'}`,
      );
      // Ids and sizes of what the hooks last gave, never text.
      const last = new RecallLog(cli.db()).last(t?.userId ?? cli.settings().settings.userId);
      cli.out(
        `last recall: ${last ? `${last.at} ${last.event}, ${last.memoryIds.length} memories (${last.memoryIds.join(', ')}), ${last.chars} chars, ~${last.tokens} tokens` : 'none yet'}`,
      );
    });

  const hooks = code
    .command('hooks')
    .description("Claude Code's SessionStart and UserPromptSubmit hooks that bring memories in");
  hooks
    .command('install')
    .description('add the recall hooks (other hooks and keys kept, the old file backed up)')
    .option(...scopeOption)
    .action((opts: { scope: HookScope }) => {
      const port = runningCore(cli.paths().runtime)?.apiPort ?? cli.settings().settings.apiPort;
      const result = installHooks(
        { scope: opts.scope, env: cli.env },
        hookLaunchFor(deps(), cli.paths().dataDir, port),
      );
      cli.out(`${result.replaced ? 'Reinstalled' : 'Installed'} the recall hooks: ${result.settingsPath}`);
      if (result.backupPath) cli.out(`Backup of the previous file: ${result.backupPath}`);
      if (!claudeCodeStatus(deps()).token)
        cli.out('They need a token for this machine: run "mem0-tray claude-code connect".');
    });
  hooks
    .command('uninstall')
    .description('remove the recall hooks, leaving the file as it was before them')
    .option(...scopeOption)
    .action((opts: { scope: HookScope }) => {
      const result = uninstallHooks({ scope: opts.scope, env: cli.env }, cli.paths().dataDir);
      cli.out(
        result.removed
          ? `Removed the recall hooks: ${result.settingsPath}`
          : `No recall hooks in ${result.settingsPath}.`,
      );
      if (result.backupPath) cli.out(`Backup of the previous file: ${result.backupPath}`);
    });
  hooks
    .command('status')
    .description('whether the recall hooks are installed')
    .option(...scopeOption)
    .action((opts: { scope: HookScope }) => {
      const status = hooksStatus({ scope: opts.scope, env: cli.env });
      cli.out(`${status.installed ? 'installed' : 'not installed'}: ${status.settingsPath}`);
      if (status.command) cli.out(`command: ${status.command}`);
    });
}
