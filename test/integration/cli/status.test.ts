// `mem0-tray status` from the real CLI: whether a core runs (runtime.json), capture, Claude Desktop,
// Claude Code (server, hooks, token) and the last recall injection as a count and sizes — never
// the memories' ids or text. A broken client config is said on its line; the rest still shows.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataPaths } from '../../../main/core/config/paths.js';
import { openDatabase } from '../../../main/core/db/database.js';
import { UNCLEAN_SHUTDOWN_STATE } from '../../../main/core/capture/pipeline.js';
import { ConversationTracker } from '../../../main/core/capture/conversation-tracker.js';
import { RecallLog } from '../../../main/core/recall/recall-log.js';
import { CLI, cliEnv, type CliResult } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';

/** A user with their own HOME, data directory and working directory (for the project hooks). */
function user(extra: Record<string, string> = {}) {
  const data = tempDir('mem0-tray-status-');
  const home = tempDir('status-home-');
  const cwd = tempDir('status-cwd-');
  const env = cliEnv(data, { HOME: home, MEM0_TRAY_USER_ID: 'alice', MEM0_TRAY_API_PORT: '8879', ...extra });
  const run = (...args: string[]): CliResult => {
    const r = spawnSync(process.execPath, [CLI, ...args], { env, cwd, encoding: 'utf8', timeout: 30_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  return { data, home, cwd, run };
}

const IDS = ['9f0c6f8e-1111-4c53-a2a8-000000000001', '9f0c6f8e-2222-4c53-a2a8-000000000002'];

describe('mem0-tray status', () => {
  it('on a fresh machine: nothing runs, capture is on, nothing is connected, no recall yet', () => {
    const u = user();
    const r = u.run('status');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      'core:              not running',
      'capture:           on',
      'Claude Desktop:    not connected',
      'Claude Code:       MCP server not registered',
      `  hooks (user):    not installed in ${path.join(u.home, '.claude', 'settings.json')}`,
      `  hooks (project): not installed in ${path.join(u.cwd, '.claude', 'settings.local.json')}`,
      '  token:           none',
      '  recall:          on',
      'last recall:       none',
    ]);
    const off = user({ MEM0_TRAY_CAPTURE: 'false' }).run('status');
    expect(off.stdout).toContain('capture:           off\n');
  });

  it('shows the running core, a connected Claude Code and the last injection as a count and sizes', () => {
    const u = user();
    const connect = u.run('claude-code', 'connect');
    expect(connect.code, connect.stderr).toBe(0);
    const paths = dataPaths(u.data);
    // A core that runs: this test's process stands in for it (alive, and not the CLI itself).
    fs.writeFileSync(
      paths.runtime,
      JSON.stringify({ pid: process.pid, proxyPort: 18877, gatewayPort: null, apiPort: 18879 }),
      { mode: 0o600 },
    );
    const db = openDatabase(paths.database);
    try {
      new RecallLog(db).record({
        at: '2025-03-04T05:06:07.000Z',
        userId: 'alice',
        sessionId: 'session-1',
        event: 'prompt',
        projectId: '/work/billing',
        memoryIds: IDS,
        chars: 1234,
        tokens: 310,
      });
    } finally {
      db.close();
    }

    const r = u.run('status');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `core:              running, pid ${process.pid} (API 18879, proxy 18877, gateway stopped)`,
    );
    expect(lines).toContain('Claude Code:       MCP server registered');
    expect(lines).toContain(
      `  hooks (user):    installed in ${path.join(u.home, '.claude', 'settings.json')}`,
    );
    expect(lines.find((l) => l.startsWith('  token:'))).toMatch(/^ {2}token: {11}\S+ \(alice\) active$/);
    expect(lines.at(-1)).toBe(
      'last recall:       2025-03-04T05:06:07.000Z, prompt, 2 memories, 1234 chars, ~310 tokens',
    );
    for (const id of IDS) expect(r.stdout).not.toContain(id);

    const json = u.run('status', '--json');
    const report = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(report.core).toEqual({
      running: true,
      pid: process.pid,
      apiPort: 18879,
      proxyPort: 18877,
      gatewayPort: null,
    });
    expect(report.lastRecall).toEqual({
      at: '2025-03-04T05:06:07.000Z',
      event: 'prompt',
      projectId: '/work/billing',
      memories: 2,
      chars: 1234,
      tokens: 310,
    });
    expect(report.claudeCode).toMatchObject({
      mcpRegistered: true,
      token: { userId: 'alice', working: true },
    });
    for (const id of IDS) expect(json.stdout).not.toContain(id);

    // Disconnected: the token is revoked and gone from the data directory.
    expect(u.run('claude-code', 'disconnect').code).toBe(0);
    const after = u.run('status').stdout;
    expect(after).toContain('Claude Code:       MCP server not registered\n');
    expect(after).toContain('  token:           none\n');
  });

  it("says when a client's config cannot be read, and still shows the rest", () => {
    const u = user();
    const desktop = path.join(u.home, '.config', 'Claude', 'claude_desktop_config.json');
    fs.mkdirSync(path.dirname(desktop), { recursive: true });
    fs.writeFileSync(desktop, '{ not json');
    const r = u.run('status');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Claude Desktop: {4}unknown \(.*not valid JSON.*\)$/m);
    expect(r.stdout).toContain('Claude Code:       MCP server not registered\n');
    expect(r.stdout).toContain('last recall:       none\n');
  });

  it('says once that the core last stopped uncleanly', () => {
    const u = user();
    const db = openDatabase(dataPaths(u.data).database);
    const tracker = new ConversationTracker(db);
    tracker.setState(
      UNCLEAN_SHUTDOWN_STATE,
      JSON.stringify({ detectedAt: '2026-12-07T10:00:00.000Z', outstandingTurns: 3 }),
    );
    db.close();
    const first = u.run('status');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /^last stop: {9}unclean \(found at the start at 2026-12-07T10:00:00.000Z, 3 captured turns/m,
    );
    expect(u.run('status').stdout).not.toContain('last stop:');
  });
});
