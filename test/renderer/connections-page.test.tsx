// The Connections page against an in-memory UI client: the audit log shows failed sign-ins with an
// unknown token (no user) and their reason, the outcome filter offers the stored values, and an
// expired token never reads "Active".
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIT_OUTCOMES, type AuditEntryDto, type TokenDto } from '../../main/core/ui-api/contract';
import { ClientProvider } from '../../renderer/src/api/context';
import { ToastProvider } from '../../renderer/src/components/toasts';
import { ConnectionsPage } from '../../renderer/src/pages/connections-page';
import { fakeClient } from './fake-client';

afterEach(cleanup);

function token(id: string, over: Partial<TokenDto> = {}): TokenDto {
  return {
    id,
    name: id,
    userId: 'me',
    email: null,
    prefix: `mcp_${id}`,
    createdAt: '2025-01-01T00:00:00.000Z',
    expiresAt: null,
    lastUsedAt: null,
    revoked: false,
    enabled: true,
    expired: false,
    ...over,
  };
}

const ENTRIES: AuditEntryDto[] = [
  {
    id: '2',
    at: '2025-01-02T00:00:00.000Z',
    tokenId: null,
    tokenName: null,
    tokenPrefix: 'mcp_Zz9stale',
    userId: null,
    action: 'auth',
    outcome: 'failed',
    reason: 'unknown',
    detail: 'unknown',
    client: '127.0.0.1 curl/8',
  },
  {
    id: '1',
    at: '2025-01-01T00:00:00.000Z',
    tokenId: 'live',
    tokenName: 'live',
    tokenPrefix: 'mcp_live',
    userId: 'me',
    action: 'auth',
    outcome: 'success',
    reason: null,
    detail: null,
    client: '127.0.0.1',
  },
];

function setup() {
  const f = fakeClient([]);
  f.api.getConnections!.mockResolvedValue({
    mcpUrl: 'http://127.0.0.1:8879/mcp',
    claudeDesktop: { available: true, connected: false, configPath: '/home/me/.config/Claude/x.json' },
    claudeCodeCommand: 'claude mcp add --transport http mem0-tray http://127.0.0.1:8879/mcp',
  });
  f.api.listTokens!.mockResolvedValue({
    available: true,
    tokens: [
      token('live'),
      token('old', { expired: true, expiresAt: '2024-01-01T00:00:00.000Z' }),
      token('gone', { revoked: true, enabled: false }),
    ],
  });
  f.api.auditLog!.mockImplementation(async (i: { outcome?: string }) => {
    const entries = ENTRIES.filter((e) => !i.outcome || e.outcome === i.outcome);
    return { available: true, entries, total: entries.length };
  });
  render(
    <ClientProvider client={f.client}>
      <ToastProvider>
        <ConnectionsPage />
      </ToastProvider>
    </ClientProvider>,
  );
  return f;
}

describe('ConnectionsPage', () => {
  it('shows a failed sign-in with an unknown token: no user, its prefix and the reason', async () => {
    setup();
    const rows = await screen.findAllByTestId('audit-row');
    const failed = rows[0]!;
    expect(within(failed).getByTestId('audit-reason').textContent).toBe('unknown');
    expect(failed.textContent).toContain('mcp_Zz9stale…');
    expect(failed.textContent).toContain('failed');
  });

  it('filters by the outcomes the audit log stores', async () => {
    const f = setup();
    await screen.findAllByTestId('audit-row');
    const select = screen.getByLabelText('Outcome') as HTMLSelectElement;
    const values = [...select.options].map((o) => o.value);
    expect(values).toEqual(['', ...AUDIT_OUTCOMES]);
    expect(values).not.toContain('unauthorized');
    await userEvent.selectOptions(select, 'failed');
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(1));
    expect(f.api.auditLog).toHaveBeenLastCalledWith(expect.objectContaining({ outcome: 'failed' }));
    expect(screen.getByTestId('audit-reason').textContent).toBe('unknown');
  });

  it('says Expired for an expired token and Revoked for a revoked one', async () => {
    setup();
    await screen.findAllByTestId('token-row');
    const status = screen.getAllByTestId('token-status').map((s) => s.textContent);
    expect(status).toEqual(['Active', 'Expired', 'Revoked']);
  });

  it('shows the Claude Code command it is given', async () => {
    setup();
    expect(await screen.findByText(/mcp add --transport http mem0-tray/)).toBeTruthy();
  });
});
