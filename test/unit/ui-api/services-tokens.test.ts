// The UI's view of tokens and audit entries as the MCP feature hands them over: expired tokens are
// marked (they are refused like revoked ones), and the reason and prefix of a failed sign-in reach
// the page.
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../main/core/config/settings.js';
import type { RuntimeInfo } from '../../../main/core/feature.js';
import { createUiServices, type ServiceHost } from '../../../main/core/ui-api/services.js';

function host(mcp: Record<string, unknown>): ServiceHost {
  return {
    settings: () => ({ userId: 'me' }) as Settings,
    env: {},
    runtime: { apiPort: 1 } as RuntimeInfo,
    feature: <T>(name: string) => (name === 'mcp' ? (mcp as T) : undefined),
    featureStatus: () => ({}),
  };
}

const base = { id: 't1', name: 'laptop', userId: 'me', prefix: 'mcp_abc', createdAt: '2025-01-01T00:00:00Z' };

describe('UI services: tokens and audit', () => {
  it('marks an expired token expired, from the flag or from a past expiry date', async () => {
    const past = new Date(Date.now() - 86_400_000).toISOString();
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const s = createUiServices(
      host({
        listTokens: () => [
          { ...base, id: 'flag', revoked: false, expired: true, expiresAt: past },
          { ...base, id: 'date', revoked: false, expiresAt: past },
          { ...base, id: 'live', revoked: false, expired: false, expiresAt: future },
        ],
      }),
    );
    const r = await s.tokens('me');
    if (!r.available) throw new Error(r.reason);
    expect(r.tokens.map((t) => [t.id, t.expired])).toEqual([
      ['flag', true],
      ['date', true],
      ['live', false],
    ]);
  });

  it('passes the reason and token prefix of a failed sign-in, and asks for every user', async () => {
    const queries: unknown[] = [];
    const s = createUiServices(
      host({
        audit: (q: unknown) => {
          queries.push(q);
          return {
            entries: [
              {
                id: 9,
                at: 'x',
                userId: null,
                tokenPrefix: 'mcp_Zz9',
                action: 'auth',
                outcome: 'failed',
                reason: 'unknown',
                detail: 'unknown',
              },
            ],
            total: 1,
          };
        },
      }),
    );
    const r = await s.audit({ outcome: 'failed', offset: 0, limit: 10 });
    if (!r.available) throw new Error(r.reason);
    expect(r.entries[0]).toMatchObject({ userId: null, tokenPrefix: 'mcp_Zz9', reason: 'unknown' });
    expect(queries).toEqual([{ outcome: 'failed', offset: 0, limit: 10 }]);
  });
});
