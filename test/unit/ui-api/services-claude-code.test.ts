// The UI's view of Claude Code as the MCP feature hands it over: connected only with the server,
// hooks and a working token together; the last injection as ids and sizes; a missing feature or
// an unreadable settings file is "not available, because …", and connect/disconnect reach the handle.
import { describe, expect, it, vi } from 'vitest';
import type { Settings } from '../../../main/core/config/settings.js';
import { UserError } from '../../../main/core/errors.js';
import type { RuntimeInfo } from '../../../main/core/feature.js';
import { createUiServices, type ServiceHost } from '../../../main/core/ui-api/services.js';

function host(mcp: Record<string, unknown> | undefined): ServiceHost {
  return {
    settings: () => ({ userId: 'me' }) as Settings,
    env: {},
    runtime: { apiPort: 1 } as RuntimeInfo,
    feature: <T>(name: string) => (name === 'mcp' ? (mcp as T) : undefined),
    featureStatus: () => ({}),
  };
}

const status = {
  mcpRegistered: true,
  hooks: [
    { scope: 'user', settingsPath: '/h/.claude/settings.json', installed: true, command: 'node hook.js' },
    { scope: 'project', settingsPath: '/p/.claude/settings.local.json', installed: false, command: null },
  ],
  token: { id: 't1', userId: 'me', working: true },
};

const injection = {
  at: '2025-01-01T00:00:00.000Z',
  userId: 'me',
  sessionId: 's1',
  event: 'prompt',
  projectId: '/work/api',
  memoryIds: ['a', 'b'],
  chars: 640,
  tokens: 160,
};

describe('UI services: Claude Code', () => {
  it('is connected with the server, a hook scope and a working token, and gives the last injection', async () => {
    const s = createUiServices(host({ claudeCodeStatus: () => status, lastRecall: () => injection }));
    expect(await s.claudeCode()).toEqual({
      available: true,
      connected: true,
      mcpRegistered: true,
      hooks: [
        { scope: 'user', settingsPath: '/h/.claude/settings.json', installed: true },
        { scope: 'project', settingsPath: '/p/.claude/settings.local.json', installed: false },
      ],
      token: { id: 't1', userId: 'me', working: true },
      lastInjection: {
        at: injection.at,
        event: 'prompt',
        projectId: '/work/api',
        memoryIds: ['a', 'b'],
        chars: 640,
        tokens: 160,
      },
    });
  });

  it('is not connected when any of the three is missing', async () => {
    const cases = [
      { ...status, mcpRegistered: false },
      { ...status, hooks: status.hooks.map((h) => ({ ...h, installed: false })) },
      { ...status, token: { ...status.token, working: false } },
      { ...status, token: null },
    ];
    for (const c of cases) {
      const r = await createUiServices(host({ claudeCodeStatus: () => c })).claudeCode();
      expect(r).toMatchObject({ available: true, connected: false, lastInjection: null });
    }
  });

  it('is not available without the MCP feature, or with a settings file Claude Code cannot read', async () => {
    expect(await createUiServices(host(undefined)).claudeCode()).toEqual({
      available: false,
      reason: 'Connecting Claude Code is not part of this build yet.',
    });
    const broken = createUiServices(
      host({
        claudeCodeStatus: () => {
          throw new UserError('invalid_input', "Claude Code's settings /h/x.json is not valid JSON");
        },
      }),
    );
    expect(await broken.claudeCode()).toEqual({
      available: false,
      reason: "Claude Code's settings /h/x.json is not valid JSON",
    });
    const failing = createUiServices(
      host({
        claudeCodeStatus: () => {
          throw new Error('disk on fire');
        },
      }),
    );
    await expect(failing.claudeCode()).rejects.toThrow('disk on fire');
  });

  it('connects and disconnects through the handle, and says so when it cannot', async () => {
    const connectClaudeCode = vi.fn();
    const disconnectClaudeCode = vi.fn();
    const s = createUiServices(host({ connectClaudeCode, disconnectClaudeCode }));
    await s.connectClaudeCode();
    await s.disconnectClaudeCode();
    expect(connectClaudeCode).toHaveBeenCalledOnce();
    expect(disconnectClaudeCode).toHaveBeenCalledOnce();
    await expect(createUiServices(host({})).connectClaudeCode()).rejects.toMatchObject({
      code: 'backend_unavailable',
    });
  });
});
