// `mem0-tray status`: everything at a glance — whether a core runs for this data directory (pid and
// ports, from runtime.json), capture on or off, Claude Desktop, Claude Code (MCP server, recall
// hooks, token) and what the recall hooks last gave a session: when, which event, how many
// memories and how large. Never their text, nor their ids.
import { Command } from 'commander';
import { claudeCodeStatus, type ClaudeCodeStatus } from '../core/claude-clients/claude-code.js';
import { UNCLEAN_SHUTDOWN_STATE } from '../core/capture/pipeline.js';
import { claudeDesktopStatus } from '../core/claude-clients/claude-desktop.js';
import { describeError } from '../core/errors.js';
import { TokenStore } from '../core/access/tokens.js';
import { RecallLog, type RecallEvent } from '../core/recall/recall-log.js';
import { runningCore } from '../core/runtime-file.js';
import type { CliEnv } from './env.js';

/** A part that could not be read (a broken config file) says why; the others still show. */
type Part<T> = T | { error: string };

export interface StatusReport {
  core:
    | { running: true; pid: number; apiPort: number; proxyPort: number | null; gatewayPort: number | null }
    | { running: false };
  capture: { enabled: boolean };
  claudeDesktop: Part<{ connected: boolean; working: boolean; configPath: string }>;
  claudeCode: Part<ClaudeCodeStatus & { recallEnabled: boolean }>;
  /** The core's last stop was unclean (a crash, kill -9): shown once, then forgotten. */
  uncleanShutdown: { detectedAt: string; outstandingTurns: number } | null;
  lastRecall: Part<{
    at: string;
    event: RecallEvent;
    projectId: string | null;
    memories: number;
    chars: number;
    tokens: number;
  } | null>;
}

function part<T>(read: () => T): Part<T> {
  try {
    return read();
  } catch (err) {
    return { error: describeError(err) };
  }
}

export function statusReport(cli: CliEnv): StatusReport {
  const settings = cli.settings().settings;
  const core = runningCore(cli.paths().runtime);
  const tokens = new TokenStore(cli.db(), { defaultExpiryDays: () => settings.tokenExpiryDays });
  return {
    core: core
      ? {
          running: true,
          pid: core.pid,
          apiPort: core.apiPort,
          proxyPort: core.proxyPort,
          gatewayPort: core.gatewayPort,
        }
      : { running: false },
    capture: { enabled: settings.captureEnabled },
    claudeDesktop: part(() => {
      const s = claudeDesktopStatus({ tokens, env: cli.env });
      return { connected: s.connected, working: s.working, configPath: s.configPath };
    }),
    claudeCode: part(() => ({
      ...claudeCodeStatus({ tokens, tokenFile: cli.paths().claudeCodeToken, env: cli.env }),
      recallEnabled: settings.recall.enabled,
    })),
    uncleanShutdown: uncleanShutdownOnce(cli),
    lastRecall: part(() => {
      const last = new RecallLog(cli.db()).last(settings.userId);
      return last
        ? {
            at: last.at,
            event: last.event,
            projectId: last.projectId,
            memories: last.memoryIds.length,
            chars: last.chars,
            tokens: last.tokens,
          }
        : null;
    }),
  };
}

/** What the core recorded of an unclean stop, taken so that the next status does not say it again. */
function uncleanShutdownOnce(cli: CliEnv): StatusReport['uncleanShutdown'] {
  try {
    const db = cli.db();
    return db.transaction(() => {
      const row = db.prepare('SELECT value FROM capture_state WHERE key = ?').get(UNCLEAN_SHUTDOWN_STATE) as
        { value: string } | undefined;
      if (!row) return null;
      db.prepare('DELETE FROM capture_state WHERE key = ?').run(UNCLEAN_SHUTDOWN_STATE);
      return JSON.parse(row.value) as StatusReport['uncleanShutdown'];
    })();
  } catch {
    // no capture tables yet: the core never ran here
    return null;
  }
}

const port = (p: number | null) => (p === null ? 'stopped' : String(p));
const failed = (p: object): p is { error: string } => 'error' in p;
const row = (label: string, value: string) => `${label.padEnd(19)}${value}`;
const count = (n: number) => `${n} ${n === 1 ? 'memory' : 'memories'}`;

function desktopLine(d: StatusReport['claudeDesktop']): string {
  if (failed(d)) return `unknown (${d.error})`;
  if (d.working) return 'connected';
  return d.connected ? 'connected, but its token no longer works' : 'not connected';
}

function recallLine(l: StatusReport['lastRecall']): string {
  if (l === null) return 'none';
  if (failed(l)) return `unknown (${l.error})`;
  const event = l.event === 'session' ? 'session start' : 'prompt';
  return `${l.at}, ${event}, ${count(l.memories)}, ${l.chars} chars, ~${l.tokens} tokens`;
}

export function renderStatus(r: StatusReport): string[] {
  const core = r.core.running
    ? `running, pid ${r.core.pid} (API ${r.core.apiPort}, proxy ${port(r.core.proxyPort)}, gateway ${port(r.core.gatewayPort)})`
    : 'not running';
  const lines = [
    row('core:', core),
    row('capture:', r.capture.enabled ? 'on' : 'off'),
    row('Claude Desktop:', desktopLine(r.claudeDesktop)),
  ];
  const c = r.claudeCode;
  if (failed(c)) lines.push(row('Claude Code:', `unknown (${c.error})`));
  else {
    lines.push(row('Claude Code:', `MCP server ${c.mcpRegistered ? 'registered' : 'not registered'}`));
    for (const h of c.hooks)
      lines.push(
        row(`  hooks (${h.scope}):`, `${h.installed ? 'installed' : 'not installed'} in ${h.settingsPath}`),
      );
    const t = c.token;
    lines.push(
      row('  token:', t ? `${t.id} (${t.userId}) ${t.working ? 'active' : 'revoked or expired'}` : 'none'),
      row('  recall:', c.recallEnabled ? 'on' : 'off'),
    );
  }
  lines.push(row('last recall:', recallLine(r.lastRecall)));
  if (r.uncleanShutdown)
    lines.push(
      row(
        'last stop:',
        `unclean (found at the start at ${r.uncleanShutdown.detectedAt}, ${r.uncleanShutdown.outstandingTurns} captured turns then waiting to be stored or recovered)`,
      ),
    );
  return lines;
}

export function registerStatusCommand(program: Command, cli: CliEnv): void {
  program
    .command('status')
    .description(
      'whether Mem0 Tray runs, capture, Claude Desktop and Claude Code, and what recall last gave a session',
    )
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => {
      const report = statusReport(cli);
      if (opts.json) cli.out(JSON.stringify(report, null, 2));
      else for (const line of renderStatus(report)) cli.out(line);
    });
}
