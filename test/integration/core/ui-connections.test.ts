// The Connections and Capture pages' data from a real core: the audit log shows the failed sign-ins
// the tray warns about (an unknown token is stored with no user), the outcome filter matches what
// is stored, the Claude Code command names the server as the CLI does, and "Copy shell setup"
// holds resolved lines for the user's shell rather than a command that may not be on PATH. Claude
// Code connects and disconnects in one call each (token, ~/.claude.json, hooks), and the page
// shows what the recall hooks last gave a session: ids and sizes, never the text.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_OUTCOMES } from '../../../main/core/ui-api/contract.js';
import { startUiCore, type UiCore } from '../../e2e/ui-harness.js';
import { tempDir } from '../../support/tmp.js';

let u: UiCore;
// Claude Code's files (~/.claude.json, ~/.claude/settings.json) go to a HOME of the test's own.
const home = tempDir('claude-home-');
beforeAll(async () => {
  u = await startUiCore('conn-user', { SHELL: '/usr/bin/zsh', HOME: home });
}, 60_000);
afterAll(async () => {
  await u?.stop();
});

describe('Connections data', () => {
  it('lists a failed sign-in with an unknown token (no user) under the "failed" outcome, with its reason', async () => {
    const port = u.core.runtime.apiPort;
    const unknown = `mcp_${'A'.repeat(43)}`;
    const r = await fetch(`http://127.0.0.1:${port}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${unknown}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(r.status).toBe(401);
    const h = u.ui.api.handlers;
    const failed = await h.auditLog({ offset: 0, limit: 100, outcome: 'failed' });
    if (!failed.available) throw new Error(failed.reason);
    expect(failed.entries).toEqual([
      expect.objectContaining({
        userId: null,
        outcome: 'failed',
        reason: 'unknown',
        tokenPrefix: unknown.slice(0, 12),
      }),
    ]);
    expect((await h.getStatus({})).failedLogins).toBe(1);
    const ok = await h.auditLog({ offset: 0, limit: 100, outcome: 'success' });
    expect(ok.available && ok.entries).toEqual([]);
  });

  it('accepts exactly the stored outcomes as a filter', async () => {
    expect([...AUDIT_OUTCOMES]).toEqual(['success', 'failed', 'ok', 'denied', 'not_found']);
    const bad = await u.ui.api.dispatch('auditLog', { offset: 0, limit: 10, outcome: 'unauthorized' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('gives the Claude Code command with the server name the CLI uses', async () => {
    const c = await u.ui.api.handlers.getConnections({});
    expect(c.claudeCodeCommand).toBe(
      `claude mcp add --transport http mem0-tray http://127.0.0.1:${u.core.runtime.apiPort}/mcp --header "Authorization: Bearer <TOKEN>"`,
    );
  });

  it('copies the resolved proxy lines for the shell, not a mem0-tray command', async () => {
    const c = await u.ui.api.handlers.getCapture({});
    const { proxyPort, caPath } = u.core.runtime;
    expect(proxyPort).toBeGreaterThan(0);
    expect(c.commands.proxy).not.toContain('mem0-tray env');
    expect(c.commands.proxy).toContain(`export HTTPS_PROXY='http://127.0.0.1:${proxyPort}'`);
    expect(c.commands.proxy).toContain(`export NODE_EXTRA_CA_CERTS='${caPath}'`);
  });
});

describe('Claude Code from the Connections page', () => {
  const FACT = 'the billing service deploys only from the release branch';

  it('connects in one call, shows the last recall as ids and sizes, and disconnects', async () => {
    const h = u.ui.api.handlers;
    const before = await h.getConnections({});
    expect(before.claudeCode).toMatchObject({
      available: true,
      connected: false,
      mcpRegistered: false,
      token: null,
      lastInjection: null,
    });

    const on = await h.connectClaudeCode({});
    if (!on.claudeCode.available) throw new Error(on.claudeCode.reason);
    expect(on.claudeCode).toMatchObject({ connected: true, mcpRegistered: true });
    expect(on.claudeCode.hooks.find((x) => x.scope === 'user')).toEqual({
      scope: 'user',
      settingsPath: path.join(home, '.claude', 'settings.json'),
      installed: true,
    });
    const tokenId = on.claudeCode.token!.id;
    expect(on.claudeCode.token).toEqual({ id: tokenId, userId: 'conn-user', working: true });
    const config = JSON.parse(fs.readFileSync(path.join(home, '.claude.json'), 'utf8')) as {
      mcpServers: Record<string, { url: string }>;
    };
    expect(config.mcpServers['mem0-tray']!.url).toBe(`http://127.0.0.1:${u.core.runtime.apiPort}/mcp`);
    const tokens = await h.listTokens({});
    expect(tokens.available && tokens.tokens.map((t) => t.id)).toContain(tokenId);

    // The hook asks, as Claude Code's SessionStart hook would, with the machine's token.
    const [memory] = await u.core.memories.add(
      { userId: 'conn-user', via: 'ui' },
      { text: FACT, source: 'manual', projectId: null, infer: false },
    );
    const { token } = JSON.parse(fs.readFileSync(u.core.paths.claudeCodeToken, 'utf8')) as { token: string };
    const r = await fetch(`http://127.0.0.1:${u.core.runtime.apiPort}/hooks/claude-code?output=context`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        hook_event_name: 'SessionStart',
        session_id: 'session-1',
        cwd: tempDir('proj-'),
        source: 'startup',
      }),
    });
    expect(r.status).toBe(200);
    const given = (await r.json()) as { context: string; memory_ids: string[] };
    expect(given.memory_ids).toEqual([memory!.id]);

    const after = await h.getConnections({});
    if (!after.claudeCode.available) throw new Error(after.claudeCode.reason);
    const last = after.claudeCode.lastInjection!;
    expect(last).toMatchObject({ event: 'session', memoryIds: [memory!.id], chars: given.context.length });
    expect(last.tokens).toBeGreaterThan(0);
    expect(JSON.stringify(after)).not.toContain('billing service');

    const off = await h.disconnectClaudeCode({});
    expect(off.claudeCode).toMatchObject({
      available: true,
      connected: false,
      mcpRegistered: false,
      token: null,
    });
    if (!off.claudeCode.available) throw new Error(off.claudeCode.reason);
    expect(off.claudeCode.hooks.every((x) => !x.installed)).toBe(true);
    const revoked = await h.listTokens({});
    expect(revoked.available && revoked.tokens.find((t) => t.id === tokenId)?.revoked).toBe(true);
  });

  it("says why when Claude Code's own files are broken, and keeps the rest of the page", async () => {
    const config = path.join(home, '.claude.json');
    const settings = path.join(home, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(settings), { recursive: true });
    fs.writeFileSync(config, '{ not json');
    fs.writeFileSync(settings, '{ not json either');
    try {
      const bad = await u.ui.api.dispatch('connectClaudeCode', {});
      expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(!bad.ok && bad.error.message).toContain(config);
      const page = await u.ui.api.handlers.getConnections({});
      expect(page.claudeCode).toEqual({ available: false, reason: expect.stringContaining(settings) });
      expect(page.claudeDesktop.available).toBe(true);
    } finally {
      fs.rmSync(config, { force: true });
      fs.rmSync(settings, { force: true });
    }
  });
});
