// The Connections and Capture pages' data from a real core: the audit log shows the failed sign-ins
// the tray warns about (an unknown token is stored with no user), the outcome filter matches what
// is stored, the Claude Code command names the server as the CLI does, and "Copy shell setup"
// holds resolved lines for the user's shell rather than a command that may not be on PATH.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_OUTCOMES } from '../../../main/core/ui-api/contract.js';
import { startUiCore, type UiCore } from '../../e2e/ui-harness.js';

let u: UiCore;
beforeAll(async () => {
  u = await startUiCore('conn-user', { SHELL: '/usr/bin/zsh' });
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
