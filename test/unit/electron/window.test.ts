// The review window's security options and its navigation, window.open and close behaviour.
import { describe, expect, it, vi } from 'vitest';

type Handler = (...args: unknown[]) => unknown;
const windows: FakeWindow[] = [];
class FakeWindow {
  handlers = new Map<string, Handler>();
  contentsHandlers = new Map<string, Handler>();
  openHandler: Handler | null = null;
  permissionHandler: Handler | null = null;
  hide = vi.fn();
  show = vi.fn();
  focus = vi.fn();
  loadFile = vi.fn(async () => {});
  isMinimized = () => false;
  restore = vi.fn();
  webContents = {
    setWindowOpenHandler: (h: Handler) => (this.openHandler = h),
    on: (name: string, h: Handler) => this.contentsHandlers.set(name, h),
    session: { setPermissionRequestHandler: (h: Handler) => (this.permissionHandler = h) },
  };
  constructor(readonly options: Record<string, unknown>) {
    windows.push(this);
  }
  on(name: string, h: Handler) {
    this.handlers.set(name, h);
  }
  once(name: string, h: Handler) {
    this.handlers.set(name, h);
  }
}
const openExternal = vi.fn(async () => {});
vi.mock('electron', () => ({ BrowserWindow: FakeWindow, shell: { openExternal } }));

const { createReviewWindow, isAppUrl, securePreferences } = await import('../../../main/electron/window.js');

describe('review window', () => {
  it('is isolated and sandboxed, without Node', () => {
    const prefs = securePreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    let quitting = false;
    const review = createReviewWindow({
      preloadPath: '/app/preload.cjs',
      indexPath: '/app/dist/renderer/index.html',
      isQuitting: () => quitting,
    });
    const win = windows.at(-1)!;
    expect((win.options.webPreferences as Record<string, unknown>).sandbox).toBe(true);
    expect(win.loadFile).toHaveBeenCalledWith('/app/dist/renderer/index.html');

    // window.open: denied; an https link goes to the browser instead.
    expect(win.openHandler!({ url: 'https://mem0.ai/docs' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://mem0.ai/docs');
    expect(win.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledTimes(1);

    // Navigation away from our page: prevented; a hash change inside it: allowed.
    for (const url of ['https://evil.example/', 'file:///etc/passwd', `${review.indexUrl}?x=1`]) {
      const event = { preventDefault: vi.fn() };
      win.contentsHandlers.get('will-navigate')!(event, url);
      expect(event.preventDefault, url).toHaveBeenCalled();
    }
    const inside = { preventDefault: vi.fn() };
    win.contentsHandlers.get('will-navigate')!(inside, `${review.indexUrl}#/settings`);
    expect(inside.preventDefault).not.toHaveBeenCalled();
    const webview = { preventDefault: vi.fn() };
    win.contentsHandlers.get('will-attach-webview')!(webview);
    expect(webview.preventDefault).toHaveBeenCalled();

    // Permissions: all refused.
    const callback = vi.fn();
    win.permissionHandler!({}, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);

    // Close hides (the app lives in the tray) until the app quits.
    const close = { preventDefault: vi.fn() };
    win.handlers.get('close')!(close);
    expect(close.preventDefault).toHaveBeenCalled();
    expect(win.hide).toHaveBeenCalled();
    quitting = true;
    const closeForReal = { preventDefault: vi.fn() };
    win.handlers.get('close')!(closeForReal);
    expect(closeForReal.preventDefault).not.toHaveBeenCalled();
  });

  it('recognises only its own page as the app', () => {
    const index = 'file:///app/dist/renderer/index.html';
    expect(isAppUrl(index, index)).toBe(true);
    expect(isAppUrl(`${index}#/memories`, index)).toBe(true);
    expect(isAppUrl('file:///app/dist/renderer/other.html', index)).toBe(false);
    expect(isAppUrl('http://127.0.0.1:8879/ui/', index)).toBe(false);
    expect(isAppUrl('not a url', index)).toBe(false);
  });
});
