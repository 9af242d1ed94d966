// Every IPC call is checked: the sender must be our window's top frame showing our page, the
// method must exist and the payload must pass the contract's schema; errors come back as data.
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ BrowserWindow: vi.fn(), shell: {} }));

const { handleUiCall, registerUiIpc } = await import('../../../main/electron/ipc.js');
type IpcOptions = import('../../../main/electron/ipc.js').IpcOptions;
const { IPC } = await import('../../../main/core/ui-api/contract.js');

const INDEX = 'file:///app/dist/renderer/index.html';
const ours = { id: 1, isDestroyed: () => false, send: vi.fn() };
const frame = (url: string, parent: unknown = null) => ({ url, parent });

function setup() {
  const dispatch = vi.fn(async (method: string, payload: unknown) => ({
    ok: true as const,
    value: { method, payload },
  }));
  const listeners: Array<(e: unknown) => void> = [];
  const api = {
    dispatch,
    subscribe: (l: (e: unknown) => void) => {
      listeners.push(l);
      return () => {
        listeners.splice(listeners.indexOf(l), 1);
      };
    },
  } as unknown as IpcOptions['api'];
  return { dispatch, listeners, options: { api, contents: () => ours as never, indexUrl: INDEX } };
}

describe('UI IPC', () => {
  it('passes a valid call from our window to the UI API', async () => {
    const { dispatch, options } = setup();
    const r = await handleUiCall(
      { sender: ours as never, senderFrame: frame(`${INDEX}#/memories`) as never },
      'listMemories',
      { offset: 0, limit: 50 },
      options,
    );
    expect(r).toEqual({ ok: true, value: { method: 'listMemories', payload: { offset: 0, limit: 50 } } });
    expect(dispatch).toHaveBeenCalledTimes(1);
  });

  it('refuses other senders: another webContents, a subframe, a foreign page', async () => {
    const { dispatch, options } = setup();
    const other = { id: 2 };
    const cases = [
      { sender: other, senderFrame: frame(INDEX) },
      { sender: ours, senderFrame: frame(INDEX, { url: INDEX }) },
      { sender: ours, senderFrame: frame('https://evil.example/') },
      { sender: ours, senderFrame: frame('file:///tmp/evil.html') },
      { sender: ours, senderFrame: null },
    ];
    for (const event of cases) {
      const r = await handleUiCall(event as never, 'getStatus', {}, options);
      expect(r).toMatchObject({ ok: false, error: { code: 'access_denied' } });
    }
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('refuses unknown methods and invalid payloads before the API sees them', async () => {
    const { dispatch, options } = setup();
    const event = { sender: ours as never, senderFrame: frame(INDEX) as never };
    expect(await handleUiCall(event, 'constructor', {}, options)).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await handleUiCall(event, 'listMemories', { offset: -1, limit: 50 }, options)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/offset/) },
    });
    expect(
      await handleUiCall(event, 'deleteMemories', { ids: ['a'], confirmCount: 1, extra: 1 }, options),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await handleUiCall(event, 'getMemory', 'not an object', options)).toMatchObject({ ok: false });
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('registers one handler and forwards live events to the window', async () => {
    const { options, listeners } = setup();
    const handle = vi.fn();
    const removeHandler = vi.fn();
    const undo = registerUiIpc({ ...options, ipcMain: { handle, removeHandler } as never });
    expect(handle).toHaveBeenCalledWith(IPC.call, expect.any(Function));
    const handler = handle.mock.calls[0]![1] as (e: unknown, m: unknown, p: unknown) => Promise<unknown>;
    expect(await handler({ sender: ours, senderFrame: frame(INDEX) }, 'getStatus', {})).toMatchObject({
      ok: true,
    });
    listeners[0]!({ type: 'status' });
    expect(ours.send).toHaveBeenCalledWith(IPC.event, { type: 'status' });
    undo();
    expect(removeHandler).toHaveBeenCalledWith(IPC.call);
    expect(listeners).toHaveLength(0);
  });
});
