// The IPC side of the UI API: one channel, every call checked — the sender must be our review
// window showing our own page, the method must be in the contract and the payload must pass its
// schema. Results and errors go back as data ({ok, value} / {ok:false, error}).
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC, isUiMethod, parseUiInput, type UiEvent, type UiResult } from '../core/ui-api/contract.js';
import type { UiApiImpl } from '../core/ui-api/handlers.js';
import { isAppUrl } from './window.js';

export interface IpcOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  api: Pick<UiApiImpl, 'dispatch' | 'subscribe'>;
  /** The review window's webContents (null while it does not exist). */
  contents(): WebContents | null;
  indexUrl: string;
}

const denied = (message: string): UiResult<never> => ({
  ok: false,
  error: { code: 'access_denied', message },
});

export function isTrustedSender(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  options: Pick<IpcOptions, 'contents' | 'indexUrl'>,
): boolean {
  const ours = options.contents();
  if (!ours || event.sender !== ours) return false;
  const frame = event.senderFrame;
  // Only the top frame of our page: never a subframe, never a page we navigated to by mistake.
  if (!frame || frame.parent !== null) return false;
  return isAppUrl(frame.url, options.indexUrl);
}

export async function handleUiCall(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  method: unknown,
  payload: unknown,
  options: Pick<IpcOptions, 'api' | 'contents' | 'indexUrl'>,
): Promise<UiResult<unknown>> {
  if (!isTrustedSender(event, options)) return denied('This window may not use the Mem0 Tray API.');
  if (!isUiMethod(method)) {
    return { ok: false, error: { code: 'not_found', message: `Unknown UI API method "${String(method)}".` } };
  }
  const input = parseUiInput(method, payload);
  if (!input.ok) return input;
  return options.api.dispatch(method, input.value);
}

/** Registers the handler and forwards live events to the window; returns the undo. */
export function registerUiIpc(options: IpcOptions): () => void {
  options.ipcMain.handle(IPC.call, (event, method: unknown, payload: unknown) =>
    handleUiCall(event, method, payload, options),
  );
  const unsubscribe = options.api.subscribe((event: UiEvent) => {
    const contents = options.contents();
    if (contents && !contents.isDestroyed()) contents.send(IPC.event, event);
  });
  return () => {
    options.ipcMain.removeHandler(IPC.call);
    unsubscribe();
  };
}
