// The review window: sandboxed, isolated, no Node, no navigation away from the app, no new
// windows. Closing it hides it; the app lives in the tray.
import { BrowserWindow, shell, type BrowserWindowConstructorOptions, type WebPreferences } from 'electron';
import { pathToFileURL } from 'node:url';

export function securePreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 760,
    minHeight: 480,
    show: false,
    title: 'Mem0 Tray',
    autoHideMenuBar: true,
    webPreferences: securePreferences(preloadPath),
  };
}

/** The one URL the window may show: the built renderer's index.html (any hash). */
export function isAppUrl(url: string, indexUrl: string): boolean {
  try {
    const u = new URL(url);
    const app = new URL(indexUrl);
    return (
      u.protocol === app.protocol && u.host === app.host && u.pathname === app.pathname && u.search === ''
    );
  } catch {
    return false;
  }
}

export interface ReviewWindowOptions {
  preloadPath: string;
  indexPath: string;
  /** True once the app is quitting: then close really closes. */
  isQuitting(): boolean;
}

export interface ReviewWindow {
  window: BrowserWindow;
  indexUrl: string;
  show(hash?: string): void;
}

export function createReviewWindow(options: ReviewWindowOptions): ReviewWindow {
  const win = new BrowserWindow(windowOptions(options.preloadPath));
  const indexUrl = pathToFileURL(options.indexPath).toString();
  const contents = win.webContents;

  // New windows: never. An https link the user clicked opens in the default browser instead.
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  const stayHome = (event: Electron.Event, url: string) => {
    if (!isAppUrl(url, indexUrl)) event.preventDefault();
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-redirect', stayHome);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // No camera, microphone, notifications, … for the review UI.
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  win.on('close', (event) => {
    if (options.isQuitting()) return;
    event.preventDefault();
    win.hide();
  });
  win.once('ready-to-show', () => win.show());
  void win.loadFile(options.indexPath);

  return {
    window: win,
    indexUrl,
    show(hash) {
      if (hash) void win.loadFile(options.indexPath, { hash });
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    },
  };
}
