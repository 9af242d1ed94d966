// The tray: a pure function maps the app's state to a menu description and an icon state; one
// idempotent render() turns that into Electron's Tray and Menu. Nothing here needs a running
// Electron to be tested: the Tray comes from a factory.
import path from 'node:path';
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';

/** Failed MCP logins within the audit window before the tray warns. */
export const FAILED_LOGIN_WARNING = 3;

export interface TrayState {
  /** The core is not started (yet) or failed to start. */
  coreError: string | null;
  captureEnabled: boolean;
  /** The environment variable that holds capture on or off (MEM0_TRAY_CAPTURE): the toggle is read-only. */
  captureHeldBy: string | null;
  /** settings.json has an edit the core could not apply (it keeps the settings it had). */
  settingsError: boolean;
  /** Whether capture runs at all in this build/session. */
  captureAvailable: boolean;
  capturesToday: number | null;
  pending: number | null;
  errors: number | null;
  failedLogins: number | null;
  certificate: 'trusted' | 'not-trusted' | 'unknown';
  claudeDesktop: 'connected' | 'not-connected' | 'unavailable';
  /** Connected: our MCP server, the recall hooks and a working token, all three. */
  claudeCode: 'connected' | 'not-connected' | 'unavailable';
  /** What the recall hooks last gave a Claude Code session: a count and a size, never text. */
  lastRecall: { event: 'session' | 'prompt'; memories: number; tokens: number } | null;
  startAtLogin: boolean;
}

export type TrayAction =
  | 'toggleCapture'
  | 'openMemories'
  | 'openConnections'
  | 'openSettings'
  | 'copyShellSetup'
  | 'connectClaudeDesktop'
  | 'connectClaudeCode'
  | 'openCertificates'
  | 'toggleStartAtLogin'
  | 'quit';

export interface TrayMenuItem {
  type: 'normal' | 'separator' | 'checkbox';
  label?: string;
  checked?: boolean;
  enabled?: boolean;
  action?: TrayAction;
}

export type TrayIconState = 'capturing' | 'paused' | 'error';

/** The review window's page each opening action shows (the renderer's hash routes). */
export const WINDOW_ROUTES: Partial<Record<TrayAction, string>> = {
  openMemories: '/memories',
  openConnections: '/connections',
  openCertificates: '/certificates',
  openSettings: '/settings',
};

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The status line: captures today, pending, errors. */
export function statusLine(state: TrayState): string {
  if (state.coreError) return `Not running: ${state.coreError}`;
  if (!state.captureAvailable) return 'Capture is not available';
  const parts = [`${plural(state.capturesToday ?? 0, 'capture', 'captures')} today`];
  if (state.pending) parts.push(`${state.pending} pending`);
  if (state.errors) parts.push(plural(state.errors, 'error', 'errors'));
  return parts.join(' · ');
}

/** "Last recall: 3 memories, ~420 tokens (prompt)". */
export function lastRecallLine(recall: TrayState['lastRecall']): string {
  if (!recall) return 'Last recall: none yet';
  const what = recall.event === 'session' ? 'session start' : 'prompt';
  return `Last recall: ${plural(recall.memories, 'memory', 'memories')}, ~${recall.tokens} tokens (${what})`;
}

function claudeCodeItems(state: TrayState): TrayMenuItem[] {
  const item: TrayMenuItem = {
    type: 'normal',
    label:
      state.claudeCode === 'connected'
        ? 'Claude Code recall: connected'
        : state.claudeCode === 'not-connected'
          ? 'Connect Claude Code'
          : 'Claude Code: not available',
    enabled: state.claudeCode === 'not-connected',
    action: 'connectClaudeCode',
  };
  if (state.claudeCode !== 'connected') return [item];
  return [item, { type: 'normal', label: lastRecallLine(state.lastRecall), enabled: false }];
}

export function buildTrayMenu(state: TrayState): TrayMenuItem[] {
  const items: TrayMenuItem[] = [{ type: 'normal', label: statusLine(state), enabled: false }];
  if ((state.failedLogins ?? 0) >= FAILED_LOGIN_WARNING) {
    items.push({
      type: 'normal',
      label: `⚠ ${state.failedLogins} failed MCP logins — check Connections`,
      action: 'openConnections',
    });
  }
  if (state.settingsError && state.coreError === null) {
    items.push({
      type: 'normal',
      label: '⚠ settings.json could not be applied — open Settings',
      action: 'openSettings',
    });
  }
  items.push(
    { type: 'separator' },
    {
      type: 'checkbox',
      // Held by an environment variable: a click could not change it, so none is offered.
      label: state.captureHeldBy ? `Capture (set by ${state.captureHeldBy})` : 'Capture',
      checked: state.captureEnabled,
      enabled: state.coreError === null && state.captureHeldBy === null,
      action: 'toggleCapture',
    },
    { type: 'normal', label: 'Open memories…', enabled: state.coreError === null, action: 'openMemories' },
    {
      type: 'normal',
      label: 'Copy shell setup',
      enabled: state.coreError === null,
      action: 'copyShellSetup',
    },
    { type: 'separator' },
    {
      type: 'normal',
      label:
        state.claudeDesktop === 'connected'
          ? 'Claude Desktop: connected'
          : state.claudeDesktop === 'not-connected'
            ? 'Connect Claude Desktop'
            : 'Claude Desktop: not available',
      enabled: state.claudeDesktop === 'not-connected',
      action: 'connectClaudeDesktop',
    },
    ...claudeCodeItems(state),
    {
      type: 'normal',
      label:
        state.certificate === 'trusted'
          ? 'Certificate: trusted'
          : state.certificate === 'not-trusted'
            ? 'Certificate: not trusted — install…'
            : 'Certificate: unknown',
      action: 'openCertificates',
    },
    { type: 'separator' },
    { type: 'checkbox', label: 'Start at login', checked: state.startAtLogin, action: 'toggleStartAtLogin' },
    { type: 'normal', label: 'Quit Mem0 Tray', action: 'quit' },
  );
  return items;
}

export function trayIconState(state: TrayState): TrayIconState {
  if (state.coreError || (state.errors ?? 0) > 0 || (state.failedLogins ?? 0) >= FAILED_LOGIN_WARNING) {
    return 'error';
  }
  return state.captureEnabled && state.captureAvailable ? 'capturing' : 'paused';
}

/** macOS menu bar icons are template images (black + alpha, tinted by the OS); others are colour. */
export function trayIconPath(dir: string, icon: TrayIconState, platform: NodeJS.Platform): string {
  return path.join(dir, platform === 'darwin' ? `${icon}Template.png` : `${icon}.png`);
}

export function toElectronTemplate(
  items: TrayMenuItem[],
  run: (action: TrayAction) => void,
): MenuItemConstructorOptions[] {
  return items.map((item) => {
    const out: MenuItemConstructorOptions = { type: item.type };
    if (item.label !== undefined) out.label = item.label;
    if (item.checked !== undefined) out.checked = item.checked;
    if (item.enabled !== undefined) out.enabled = item.enabled;
    const action = item.action;
    if (action) out.click = () => run(action);
    return out;
  });
}

export interface TrayLike {
  setImage(image: Electron.NativeImage): void;
  setToolTip(text: string): void;
  setContextMenu(menu: Electron.Menu | null): void;
  destroy(): void;
}

export interface TrayServiceOptions {
  iconDir: string;
  platform?: NodeJS.Platform;
  onAction(action: TrayAction): void;
  /** For testing: makes the Tray. */
  createTray?: (image: Electron.NativeImage) => TrayLike;
}

export class TrayService {
  private tray: TrayLike | null = null;
  private lastKey = '';
  private destroyed = false;

  constructor(private readonly options: TrayServiceOptions) {}

  /** Maps the state to the tray; does nothing when nothing visible changed. */
  render(state: TrayState): void {
    // A render that was reading the core while the app quit must not bring the tray back.
    if (this.destroyed) return;
    const platform = this.options.platform ?? process.platform;
    const icon = trayIconState(state);
    const items = buildTrayMenu(state);
    const key = JSON.stringify([icon, items]);
    if (key === this.lastKey && this.tray) return;
    this.lastKey = key;
    const image = nativeImage.createFromPath(trayIconPath(this.options.iconDir, icon, platform));
    if (platform === 'darwin') image.setTemplateImage(true);
    if (!this.tray) {
      this.tray = this.options.createTray ? this.options.createTray(image) : new Tray(image);
    } else this.tray.setImage(image);
    this.tray.setToolTip(`Mem0 Tray — ${statusLine(state)}`);
    this.tray.setContextMenu(Menu.buildFromTemplate(toElectronTemplate(items, this.options.onAction)));
  }

  destroy(): void {
    this.destroyed = true;
    this.tray?.destroy();
    this.tray = null;
  }
}
