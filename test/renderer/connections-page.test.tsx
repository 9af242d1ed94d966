// The Connections page against an in-memory UI client: the audit log shows failed sign-ins with an
// unknown token (no user) and their reason, the outcome filter offers the stored values, an
// expired token never reads "Active", and Claude Code connects and disconnects in one click, showing
// its hooks, token and what the hooks last gave a session.
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AUDIT_OUTCOMES,
  type AuditEntryDto,
  type ClaudeCodeInfo,
  type ConnectionsInfo,
  type TokenDto,
} from '../../main/core/ui-api/contract';
import { ClientProvider } from '../../renderer/src/api/context';
import { ToastProvider } from '../../renderer/src/components/toasts';
import { ConnectionsPage } from '../../renderer/src/pages/connections-page';
import { fakeClient } from './fake-client';
import { UiApiError } from '../../main/core/ui-api/contract';

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

type CodeOn = { available: true } & ClaudeCodeInfo;

const CODE_OFF: CodeOn = {
  available: true,
  connected: false,
  mcpRegistered: false,
  hooks: [
    { scope: 'user', settingsPath: '/home/me/.claude/settings.json', installed: false },
    { scope: 'project', settingsPath: '/work/.claude/settings.local.json', installed: false },
  ],
  token: null,
  lastInjection: null,
};

const CODE_ON: CodeOn = {
  available: true,
  connected: true,
  mcpRegistered: true,
  hooks: [
    { scope: 'user', settingsPath: '/home/me/.claude/settings.json', installed: true },
    { scope: 'project', settingsPath: '/work/.claude/settings.local.json', installed: false },
  ],
  token: { id: 'tok-code', userId: 'me', working: true },
  lastInjection: {
    at: '2025-01-03T10:00:00.000Z',
    event: 'prompt',
    projectId: '/work/api',
    memoryIds: ['m1', 'm2', 'm3'],
    chars: 1680,
    tokens: 420,
  },
};

function connections(claudeCode: ConnectionsInfo['claudeCode'] = CODE_OFF): ConnectionsInfo {
  return {
    mcpUrl: 'http://127.0.0.1:8879/mcp',
    claudeDesktop: { available: true, connected: false, configPath: '/home/me/.config/Claude/x.json' },
    claudeCode,
    claudeCodeCommand: 'claude mcp add --transport http mem0-tray http://127.0.0.1:8879/mcp',
  };
}

function setup(claudeCode?: ConnectionsInfo['claudeCode']) {
  const f = fakeClient([]);
  f.api.getConnections!.mockResolvedValue(connections(claudeCode));
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

describe('ConnectionsPage: Claude Code', () => {
  const region = () => screen.findByRole('region', { name: 'Claude Code' });

  it('connects in one click, then shows the hooks, the token and no recall yet; the token list follows', async () => {
    const f = setup();
    const code = await region();
    expect(within(code).getByTestId('claude-code-state').textContent).toBe('Not connected');
    expect(within(code).queryByRole('button', { name: 'Disconnect' })).toBeNull();
    await screen.findAllByTestId('token-row');
    const tokenLoads = f.api.listTokens!.mock.calls.length;
    f.api.connectClaudeCode!.mockResolvedValue(connections({ ...CODE_ON, lastInjection: null }));

    await userEvent.click(within(code).getByRole('button', { name: 'Connect' }));

    expect(f.api.connectClaudeCode).toHaveBeenCalledWith({});
    await waitFor(() => expect(within(code).getByTestId('claude-code-state').textContent).toBe('Connected'));
    const facts = within(code).getByTestId('claude-code-facts').textContent;
    expect(facts).toContain('user: installed /home/me/.claude/settings.json');
    expect(facts).toContain('project: not installed');
    expect(facts).toContain('tok-code (me) active');
    expect(within(code).getByTestId('last-recall').textContent).toBe('none yet');
    expect(within(code).queryByRole('button', { name: 'Connect' })).toBeNull();
    await waitFor(() => expect(f.api.listTokens!.mock.calls.length).toBeGreaterThan(tokenLoads));
  });

  it('shows the last recall as time, event, count and size, with the ids only in the tooltip', async () => {
    setup(CODE_ON);
    const last = within(await region()).getByTestId('last-recall');
    const text = last.textContent ?? '';
    expect(text).toMatch(/ · prompt · 3 memories · ~420 tokens$/);
    expect(text).not.toContain('m1');
    expect(last.getAttribute('title')).toBe('m1, m2, m3');
  });

  it('disconnects', async () => {
    const f = setup(CODE_ON);
    const code = await region();
    f.api.disconnectClaudeCode!.mockResolvedValue(connections(CODE_OFF));
    await userEvent.click(within(code).getByRole('button', { name: 'Disconnect' }));
    expect(f.api.disconnectClaudeCode).toHaveBeenCalledWith({});
    await waitFor(() =>
      expect(within(code).getByTestId('claude-code-state').textContent).toBe('Not connected'),
    );
    expect(within(code).getByTestId('claude-code-facts').textContent).toContain('Not registered');
  });

  it('offers both Connect (to repair) and Disconnect when only part is left', async () => {
    setup({ ...CODE_ON, connected: false, token: { id: 'tok-code', userId: 'me', working: false } });
    const code = await region();
    expect(within(code).getByTestId('claude-code-state').textContent).toBe('Partly connected');
    expect(within(code).getByTestId('claude-code-facts').textContent).toContain('revoked or expired');
    expect(within(code).getByRole('button', { name: 'Connect' })).toBeTruthy();
    expect(within(code).getByRole('button', { name: 'Disconnect' })).toBeTruthy();
  });

  it('says why when connecting fails, and still offers the manual command', async () => {
    const f = setup();
    const code = await region();
    f.api.connectClaudeCode!.mockRejectedValue(
      new UiApiError({ code: 'invalid_input', message: "Claude Code's config is not valid JSON" }),
    );
    await userEvent.click(within(code).getByRole('button', { name: 'Connect' }));
    expect(await screen.findByText("Claude Code's config is not valid JSON")).toBeTruthy();
    expect(within(code).getByTestId('claude-code-state').textContent).toBe('Not connected');
    expect(within(code).getByText(/mcp add --transport http mem0-tray/)).toBeTruthy();
  });

  it('shows why Claude Code cannot be connected here, with the manual command', async () => {
    setup({ available: false, reason: 'Connecting Claude Code is not part of this build yet.' });
    const code = await region();
    expect(within(code).getByTestId('unavailable').textContent).toContain('not part of this build');
    expect(within(code).queryByRole('button', { name: 'Connect' })).toBeNull();
    expect(within(code).getByText(/mcp add --transport http mem0-tray/)).toBeTruthy();
  });
});
