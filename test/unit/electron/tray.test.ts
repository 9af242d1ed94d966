// The tray menu and icon follow the state; render() maps it to Electron's Tray and Menu (mocked).
// Claude Code shows whether its recall is connected, offers Connect when not, and what the hooks
// last gave a session (a count and a size). Capture held by MEM0_TRAY_CAPTURE is shown, not offered;
// an invalid edit of settings.json leads to the Settings page.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const built: unknown[] = [];
vi.mock('electron', () => ({
  Menu: { buildFromTemplate: vi.fn((t: unknown) => (built.push(t), { template: t })) },
  nativeImage: {
    createFromPath: vi.fn((p: string) => ({ path: p, setTemplateImage: vi.fn() })),
  },
  Tray: vi.fn(),
}));

const { buildTrayMenu, trayIconState, TrayService, FAILED_LOGIN_WARNING, statusLine, WINDOW_ROUTES } =
  await import('../../../main/electron/tray.js');
const { claudeCodeTrayState, settingsTrayState } = await import('../../../main/electron/tray-state.js');
type TrayState = import('../../../main/electron/tray.js').TrayState;

const base: TrayState = {
  coreError: null,
  captureEnabled: true,
  captureHeldBy: null,
  settingsError: false,
  captureAvailable: true,
  capturesToday: 12,
  pending: 3,
  errors: 0,
  failedLogins: 0,
  certificate: 'trusted',
  claudeDesktop: 'not-connected',
  claudeCode: 'not-connected',
  lastRecall: null,
  startAtLogin: false,
};

describe('buildTrayMenu', () => {
  it('shows the status line, capture on/off and every action', () => {
    const menu = buildTrayMenu(base);
    expect(menu[0]).toEqual({ type: 'normal', label: '12 captures today · 3 pending', enabled: false });
    expect(menu.find((i) => i.action === 'toggleCapture')).toMatchObject({ type: 'checkbox', checked: true });
    expect(menu.map((i) => i.action).filter(Boolean)).toEqual([
      'toggleCapture',
      'openMemories',
      'copyShellSetup',
      'connectClaudeDesktop',
      'connectClaudeCode',
      'openCertificates',
      'toggleStartAtLogin',
      'quit',
    ]);
    expect(menu.find((i) => i.action === 'connectClaudeDesktop')).toMatchObject({
      label: 'Connect Claude Desktop',
      enabled: true,
    });
  });

  it('reflects pause, errors, start at login and a connected Claude Desktop', () => {
    const menu = buildTrayMenu({
      ...base,
      captureEnabled: false,
      errors: 2,
      pending: 0,
      capturesToday: 1,
      startAtLogin: true,
      claudeDesktop: 'connected',
      certificate: 'not-trusted',
    });
    expect(menu[0]!.label).toBe('1 capture today · 2 errors');
    expect(menu.find((i) => i.action === 'toggleCapture')!.checked).toBe(false);
    expect(menu.find((i) => i.action === 'toggleStartAtLogin')!.checked).toBe(true);
    expect(menu.find((i) => i.action === 'connectClaudeDesktop')).toMatchObject({ enabled: false });
    expect(menu.find((i) => i.action === 'openCertificates')!.label).toMatch(/not trusted/);
  });

  it('offers Connect Claude Code when it is not connected, and nothing about recall yet', () => {
    const menu = buildTrayMenu(base);
    expect(menu.find((i) => i.action === 'connectClaudeCode')).toEqual({
      type: 'normal',
      label: 'Connect Claude Code',
      enabled: true,
      action: 'connectClaudeCode',
    });
    expect(menu.some((i) => /Last recall/.test(i.label ?? ''))).toBe(false);
  });

  it('shows Claude Code recall connected and what the last injection held', () => {
    const menu = buildTrayMenu({
      ...base,
      claudeCode: 'connected',
      lastRecall: { event: 'prompt', memories: 3, tokens: 420 },
    });
    const at = menu.findIndex((i) => i.action === 'connectClaudeCode');
    expect(menu[at]).toMatchObject({ label: 'Claude Code recall: connected', enabled: false });
    expect(menu[at + 1]).toEqual({
      type: 'normal',
      label: 'Last recall: 3 memories, ~420 tokens (prompt)',
      enabled: false,
    });
    const single = buildTrayMenu({
      ...base,
      claudeCode: 'connected',
      lastRecall: { event: 'session', memories: 1, tokens: 90 },
    });
    expect(single.some((i) => i.label === 'Last recall: 1 memory, ~90 tokens (session start)')).toBe(true);
    const none = buildTrayMenu({ ...base, claudeCode: 'connected', lastRecall: null });
    expect(none.some((i) => i.label === 'Last recall: none yet')).toBe(true);
  });

  it('says when Claude Code cannot be connected, and offers nothing to click', () => {
    const menu = buildTrayMenu({ ...base, claudeCode: 'unavailable' });
    expect(menu.find((i) => i.action === 'connectClaudeCode')).toMatchObject({
      label: 'Claude Code: not available',
      enabled: false,
    });
  });

  it('warns after repeated failed MCP logins, not before', () => {
    const below = buildTrayMenu({ ...base, failedLogins: FAILED_LOGIN_WARNING - 1 });
    expect(below.some((i) => /failed MCP logins/.test(i.label ?? ''))).toBe(false);
    const at = buildTrayMenu({ ...base, failedLogins: FAILED_LOGIN_WARNING });
    expect(at[1]!.label).toBe(`⚠ ${FAILED_LOGIN_WARNING} failed MCP logins — check Connections`);
    // It opens the page it names, where those failures are listed.
    expect(at[1]!.action).toBe('openConnections');
    expect(WINDOW_ROUTES[at[1]!.action!]).toBe('/connections');
  });

  it('opens each page by its route', () => {
    expect(WINDOW_ROUTES).toEqual({
      openMemories: '/memories',
      openConnections: '/connections',
      openCertificates: '/certificates',
      openSettings: '/settings',
    });
  });

  it('shows capture held by an environment variable, disabled and naming the variable', () => {
    const menu = buildTrayMenu({ ...base, captureEnabled: false, captureHeldBy: 'MEM0_TRAY_CAPTURE' });
    expect(menu.find((i) => i.action === 'toggleCapture')).toEqual({
      type: 'checkbox',
      label: 'Capture (set by MEM0_TRAY_CAPTURE)',
      checked: false,
      enabled: false,
      action: 'toggleCapture',
    });
    expect(buildTrayMenu(base).find((i) => i.action === 'toggleCapture')).toMatchObject({
      label: 'Capture',
      enabled: true,
    });
  });

  it('says when settings.json could not be applied, and opens Settings', () => {
    expect(buildTrayMenu(base).some((i) => i.action === 'openSettings')).toBe(false);
    const menu = buildTrayMenu({ ...base, settingsError: true });
    expect(menu[1]).toEqual({
      type: 'normal',
      label: '⚠ settings.json could not be applied — open Settings',
      action: 'openSettings',
    });
  });

  it('disables core actions when the core did not start, and says why', () => {
    const menu = buildTrayMenu({ ...base, coreError: 'API port 8879 is in use' });
    expect(statusLine({ ...base, coreError: 'API port 8879 is in use' })).toBe(
      'Not running: API port 8879 is in use',
    );
    expect(menu.find((i) => i.action === 'toggleCapture')!.enabled).toBe(false);
    expect(menu.find((i) => i.action === 'quit')!.enabled).toBeUndefined();
  });
});

describe('settingsTrayState', () => {
  it("takes the variable holding capture and whether the file's last edit failed", () => {
    expect(
      settingsTrayState({
        heldByEnvironment: { captureEnabled: 'MEM0_TRAY_CAPTURE', userId: 'MEM0_TRAY_USER_ID' },
        error: {
          message: 'Invalid settings',
          problems: ['"proxyPort": Too big'],
          at: '2026-01-05T10:00:00Z',
        },
      }),
    ).toEqual({ captureHeldBy: 'MEM0_TRAY_CAPTURE', settingsError: true });
    expect(settingsTrayState({ heldByEnvironment: { userId: 'MEM0_TRAY_USER_ID' }, error: null })).toEqual({
      captureHeldBy: null,
      settingsError: false,
    });
    expect(settingsTrayState(undefined)).toEqual({ captureHeldBy: null, settingsError: false });
  });
});

describe('claudeCodeTrayState', () => {
  const info = {
    available: true as const,
    connected: true,
    mcpRegistered: true,
    hooks: [{ scope: 'user' as const, settingsPath: '/h/.claude/settings.json', installed: true }],
    token: { id: 't', userId: 'me', working: true },
    lastInjection: {
      at: '2025-01-01T00:00:00.000Z',
      event: 'session' as const,
      projectId: null,
      memoryIds: ['a', 'b'],
      chars: 800,
      tokens: 200,
    },
  };

  it('takes the connection and the last injection as a count and a size', () => {
    expect(claudeCodeTrayState(info)).toEqual({
      claudeCode: 'connected',
      lastRecall: { event: 'session', memories: 2, tokens: 200 },
    });
    expect(claudeCodeTrayState({ ...info, connected: false, lastInjection: null })).toEqual({
      claudeCode: 'not-connected',
      lastRecall: null,
    });
  });

  it('is unavailable when the status is missing or not available', () => {
    expect(claudeCodeTrayState(undefined)).toEqual({ claudeCode: 'unavailable', lastRecall: null });
    expect(claudeCodeTrayState({ available: false, reason: 'x' })).toEqual({
      claudeCode: 'unavailable',
      lastRecall: null,
    });
  });
});

describe('trayIconState', () => {
  it('is capturing, paused or error', () => {
    expect(trayIconState(base)).toBe('capturing');
    expect(trayIconState({ ...base, captureEnabled: false })).toBe('paused');
    expect(trayIconState({ ...base, captureAvailable: false })).toBe('paused');
    expect(trayIconState({ ...base, errors: 1 })).toBe('error');
    expect(trayIconState({ ...base, coreError: 'x' })).toBe('error');
    expect(trayIconState({ ...base, failedLogins: FAILED_LOGIN_WARNING })).toBe('error');
  });
});

describe('TrayService', () => {
  beforeEach(() => {
    built.length = 0;
  });

  function fakeTray() {
    return { setImage: vi.fn(), setToolTip: vi.fn(), setContextMenu: vi.fn(), destroy: vi.fn() };
  }

  it('creates the tray once, uses template images on macOS, and re-renders only on change', () => {
    const tray = fakeTray();
    const createTray = vi.fn(() => tray);
    const onAction = vi.fn();
    const service = new TrayService({ iconDir: '/icons', platform: 'darwin', onAction, createTray });
    service.render(base);
    const image = (
      createTray.mock.calls[0] as unknown as [{ path: string; setTemplateImage: ReturnType<typeof vi.fn> }]
    )[0];
    expect(image.path).toBe('/icons/capturingTemplate.png');
    expect(image.setTemplateImage).toHaveBeenCalledWith(true);
    expect(tray.setToolTip).toHaveBeenCalledWith('Mem0 Tray — 12 captures today · 3 pending');
    service.render({ ...base });
    expect(built).toHaveLength(1);
    service.render({ ...base, captureEnabled: false });
    expect(createTray).toHaveBeenCalledTimes(1);
    expect(tray.setImage).toHaveBeenCalledWith(
      expect.objectContaining({ path: '/icons/pausedTemplate.png' }),
    );
    expect(built).toHaveLength(2);

    // Clicking a menu item runs its action.
    const template = built[1] as Array<{ label?: string; click?: () => void }>;
    template.find((i) => i.label === 'Capture')!.click!();
    expect(onAction).toHaveBeenCalledWith('toggleCapture');
  });

  it('uses colour icons elsewhere', () => {
    const createTray = vi.fn(fakeTray);
    new TrayService({ iconDir: '/icons', platform: 'linux', onAction: vi.fn(), createTray }).render({
      ...base,
      errors: 4,
    });
    expect((createTray.mock.calls[0] as unknown as [{ path: string }])[0].path).toBe('/icons/error.png');
  });
});
