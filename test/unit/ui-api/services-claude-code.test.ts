// The UI's view of Claude Code as the MCP and recall features hand it over: connected only with the server,
// hooks and a working token together; the last injection as ids and sizes; a missing feature or
// an unreadable settings file is "not available, because …", and connect/disconnect reach the handle.
import { describe, expect, it, vi } from 'vitest';
import { UserError } from '../../../main/core/errors.js';
import type { ClaudeCodeStatus } from '../../../main/core/claude-clients/claude-code.js';
import type { Injection } from '../../../main/core/recall/recall-log.js';
import { createUiServices, type UiPeers } from '../../../main/core/ui-api/services.js';

type Mcp = NonNullable<UiPeers['mcp']>;
const unused = () => {
  throw new Error('not used by this test');
};

/** An MCP handle whose Claude Code parts are the test's, and a recall handle with the last injection. */
function services(mcp: Partial<Mcp> | undefined, last: Injection | null = null) {
  const peers: UiPeers = {
    recall: { lastRecall: () => last },
    mcp: mcp && {
      claudeDesktopStatus: unused,
      connectClaudeDesktop: unused,
      disconnectClaudeDesktop: unused,
      claudeCodeStatus: unused,
      connectClaudeCode: unused,
      disconnectClaudeCode: unused,
      ...mcp,
    },
  };
  return createUiServices(peers, {});
}

const status: ClaudeCodeStatus = {
  mcpRegistered: true,
  hooks: [
    {
      scope: 'user',
      settingsPath: '/h/.claude/settings.json',
      installed: true,
      command: 'node hook.js',
      promptHook: 'http',
    },
    {
      scope: 'project',
      settingsPath: '/p/.claude/settings.local.json',
      installed: false,
      command: null,
      promptHook: null,
    },
  ],
  token: { id: 't1', userId: 'me', working: true },
};

const injection: Injection = {
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
    const s = services({ claudeCodeStatus: () => status }, injection);
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
    const cases: ClaudeCodeStatus[] = [
      { ...status, mcpRegistered: false },
      { ...status, hooks: status.hooks.map((h) => ({ ...h, installed: false })) },
      { ...status, token: { id: 't1', userId: 'me', working: false } },
      { ...status, token: null },
    ];
    for (const c of cases) {
      const r = await services({ claudeCodeStatus: () => c }).claudeCode();
      expect(r).toMatchObject({ available: true, connected: false, lastInjection: null });
    }
  });

  it('is not available without the MCP feature, or with a settings file Claude Code cannot read', async () => {
    expect(await services(undefined).claudeCode()).toEqual({
      available: false,
      reason:
        'Not available: this core was started without the "mcp" feature (connecting Claude Desktop and Claude Code).',
    });
    const broken = services({
      claudeCodeStatus: () => {
        throw new UserError('invalid_input', "Claude Code's settings /h/x.json is not valid JSON");
      },
    });
    expect(await broken.claudeCode()).toEqual({
      available: false,
      reason: "Claude Code's settings /h/x.json is not valid JSON",
    });
    const failing = services({
      claudeCodeStatus: () => {
        throw new Error('disk on fire');
      },
    });
    await expect(failing.claudeCode()).rejects.toThrow('disk on fire');
  });

  it('connects and disconnects through the handle, and says so when it cannot', async () => {
    const connectClaudeCode = vi.fn();
    const disconnectClaudeCode = vi.fn();
    const s = services({ connectClaudeCode, disconnectClaudeCode });
    await s.connectClaudeCode();
    await s.disconnectClaudeCode();
    expect(connectClaudeCode).toHaveBeenCalledOnce();
    expect(disconnectClaudeCode).toHaveBeenCalledOnce();
    await expect(services(undefined).connectClaudeCode()).rejects.toMatchObject({
      code: 'backend_unavailable',
    });
  });
});
