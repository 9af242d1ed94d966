// The UI's view of tokens and audit entries as the access feature hands them over: expired tokens
// are marked (they are refused like revoked ones), and the reason and prefix of a failed sign-in
// reach the page, whoever's it was.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { accessFeature } from '../../../main/core/access/access-feature.js';
import { createUiServices } from '../../../main/core/ui-api/services.js';
import { createTestCore, type TestCore } from '../../support/core-context.js';

let core: TestCore | undefined;
afterEach(() => {
  vi.useRealTimers();
  core?.close();
});

async function startAccess() {
  core = createTestCore();
  const started = await accessFeature.start(core.ctx);
  return { access: started.handle, ui: createUiServices({ access: started.handle }, {}) };
}

describe('UI services: tokens and audit', () => {
  it('marks a token expired once its expiry date has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
    const { access, ui } = await startAccess();
    access.createToken({ userId: 'me', name: 'short', expiresDays: 1 });
    access.createToken({ userId: 'me', name: 'long', expiresDays: 30 });
    vi.setSystemTime(new Date('2025-01-03T00:00:00Z'));
    const r = await ui.tokens('me');
    if (!r.available) throw new Error(r.reason);
    expect(r.tokens.map((t) => [t.name, t.expired, t.revoked]).sort()).toEqual([
      ['long', false, false],
      ['short', true, false],
    ]);
  });

  it('passes the reason and token prefix of a failed sign-in, of every user', async () => {
    const { access, ui } = await startAccess();
    const failed = {
      outcome: 'failed',
      via: 'rest',
      transport: 'http',
      clientIp: null,
      userAgent: null,
    } as const;
    access.auditLog.recordAuth({
      ...failed,
      userId: null,
      tokenId: null,
      tokenPrefix: 'mcp_Zz9',
      reason: 'unknown',
    });
    access.auditLog.recordAuth({
      ...failed,
      userId: 'other',
      tokenId: null,
      tokenPrefix: 'mcp_Aa1',
      reason: 'expired',
    });
    const r = await ui.audit({ outcome: 'failed', offset: 0, limit: 10 });
    if (!r.available) throw new Error(r.reason);
    expect(r.total).toBe(2);
    expect(r.entries).toMatchObject([
      { userId: 'other', tokenPrefix: 'mcp_Aa1', reason: 'expired', action: 'auth', outcome: 'failed' },
      { userId: null, tokenPrefix: 'mcp_Zz9', reason: 'unknown', action: 'auth', outcome: 'failed' },
    ]);
  });

  it('says which feature is missing when the core runs without access', async () => {
    const ui = createUiServices({}, {});
    expect(await ui.tokens('me')).toEqual({
      available: false,
      reason: 'Not available: this core was started without the "access" feature (tokens and the audit log).',
    });
    await expect(ui.createToken('me', { name: 'x' })).rejects.toMatchObject({ code: 'backend_unavailable' });
  });
});
