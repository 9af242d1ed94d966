// The tray app: one instance, no dock icon on macOS, the core started in this process, a tray that
// follows its state and a review window that hides on close. Quit stops the core softly, then
// hard after a timeout. Everything of substance lives in main/core; this file only wires Electron.
import { app, clipboard, ipcMain } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Core, STOP_TIMEOUT_MS } from '../core/core.js';
import { describeError } from '../core/errors.js';
import type { UiHandle } from '../core/ui-api/ui-handle.js';
import { registerUiIpc } from './ipc.js';
import { startAtLoginSync } from './start-at-login.js';
import { TrayService, WINDOW_ROUTES, type TrayAction } from './tray.js';
import { coalescedRefresh } from './tray-refresh.js';
import { readTrayState, stoppedTrayState, type TraySource } from './tray-state.js';
import { createReviewWindow, type ReviewWindow } from './window.js';

/**
 * How long quitting waits for the proxy and servers to stop before it exits anyway: the core's own
 * bound, which lets Claude replies already streaming finish (capture's 10 s grace).
 */
export const QUIT_TIMEOUT_MS = STOP_TIMEOUT_MS;

const here = path.dirname(fileURLToPath(import.meta.url));
// dist/main/electron/main.js → dist/preload, dist/renderer; resources beside the app (or in the repo).
const PRELOAD = path.join(here, '..', '..', 'preload', 'index.cjs');
const INDEX = path.join(here, '..', '..', 'renderer', 'index.html');
const resourceDir = (name: string) =>
  app.isPackaged ? path.join(process.resourcesPath, name) : path.join(app.getAppPath(), 'resources', name);

let core: Core | null = null;
let ui: UiHandle | undefined;
let review: ReviewWindow | null = null;
let tray: TrayService | null = null;
let quitting = false;
let coreError: string | null = null;
let undoIpc: (() => void) | null = null;

function traySource(): TraySource | null {
  if (!core || !ui) return null;
  const started = core;
  const h = ui.api.handlers;
  return {
    status: () => h.getStatus({}),
    certificates: () => h.getCertificates({}),
    connections: () => h.getConnections({}),
    startAtLogin: () => started.settings().startAtLogin,
  };
}

async function renderTray(): Promise<void> {
  if (!tray) return;
  try {
    const source = traySource();
    tray.render(source ? await readTrayState(source) : stoppedTrayState(coreError));
  } catch (err) {
    console.error(`tray: ${describeError(err)}`);
  }
}

const trayRefresh = coalescedRefresh(renderTray);

function showWindow(hash?: string): void {
  if (!core) return;
  review ??= createReviewWindow({ preloadPath: PRELOAD, indexPath: INDEX, isQuitting: () => quitting });
  review.show(hash);
}

async function onAction(action: TrayAction): Promise<void> {
  if (!core || !ui) {
    if (action === 'quit') app.quit();
    return;
  }
  const h = ui.api.handlers;
  const route = WINDOW_ROUTES[action];
  if (route) {
    showWindow(route);
    return;
  }
  try {
    switch (action) {
      case 'toggleCapture':
        await h.setCaptureEnabled({ enabled: !core.settings().captureEnabled });
        break;
      case 'copyShellSetup':
        // The resolved lines for the user's shell: no mem0-tray command is needed on PATH.
        clipboard.writeText((await h.getCapture({})).commands.proxy);
        break;
      case 'connectClaudeDesktop':
        await h.connectClaudeDesktop({});
        break;
      case 'connectClaudeCode':
        await h.connectClaudeCode({});
        break;
      case 'toggleStartAtLogin':
        // The OS follows through the settings listener in startCore, as for a change in the UI.
        await core.updateSettings({ startAtLogin: !core.settings().startAtLogin });
        break;
      case 'quit':
        app.quit();
        return;
    }
  } catch (err) {
    console.error(`tray action ${action}: ${describeError(err)}`);
  }
  trayRefresh.request();
}

async function startCore(): Promise<void> {
  try {
    core = await Core.start();
    ui = core.feature('ui');
  } catch (err) {
    coreError = describeError(err);
    console.error(`Mem0 Tray could not start: ${coreError}`);
    return;
  }
  const started = core;
  const syncLogin = startAtLoginSync();
  const applyLogin = () => {
    try {
      syncLogin(started.settings().startAtLogin);
    } catch (err) {
      console.error(`start at login: ${describeError(err)}`);
    }
  };
  // At startup too: the OS entry may have been removed, or the app moved since the last run.
  applyLogin();
  started.events.on('status', applyLogin);
  if (ui) {
    undoIpc = registerUiIpc({
      ipcMain,
      api: ui.api,
      contents: () => (review && !review.window.isDestroyed() ? review.window.webContents : null),
      indexUrl: pathToFileURL(INDEX).toString(),
    });
    ui.api.subscribe((e) => {
      if (e.type === 'status' || e.type === 'capture') trayRefresh.request();
    });
  }
}

async function stopSoftThenHard(): Promise<void> {
  undoIpc?.();
  trayRefresh.stop();
  tray?.destroy();
  const stopping = core?.stop(QUIT_TIMEOUT_MS) ?? Promise.resolve();
  // core.stop abandons slow features after its timeout; this is the backstop if even that hangs.
  await Promise.race([stopping, new Promise((r) => setTimeout(r, QUIT_TIMEOUT_MS + 2000))]);
}

export function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => showWindow('/memories'));
  // A tray app keeps running with no window open.
  app.on('window-all-closed', () => {});
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void stopSoftThenHard().finally(() => app.exit(0));
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  void app.whenReady().then(async () => {
    if (process.platform === 'darwin') app.dock?.hide();
    await startCore();
    tray = new TrayService({ iconDir: resourceDir('tray'), onAction: (a) => void onAction(a) });
    trayRefresh.request();
    // Counts in the status line change without events (midnight, outbox drains): refresh now and then.
    setInterval(() => trayRefresh.request(), 30_000).unref();
    if (process.env.MEM0_TRAY_OPEN_WINDOW === '1') showWindow('/memories');
  });
}

main();
