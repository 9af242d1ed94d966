// The preload exposes one function per contract method (and onEvent) on window.mem0, never
// ipcRenderer, and passes results through as data.
import { describe, expect, it, vi } from 'vitest';

const exposed: Record<string, unknown> = {};
const invoke = vi.fn(async (_channel: string, method: string) =>
  method === 'getStatus' ? { ok: false, error: { code: 'failure', message: 'boom' } } : 'garbage',
);
const on = vi.fn();
const removeListener = vi.fn();
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: { invoke, on, removeListener },
}));

await import('../../../preload/index.js');
const { UI_METHODS, IPC } = await import('../../../main/core/ui-api/contract.js');

describe('preload', () => {
  it('exposes exactly the contract methods plus onEvent, as functions', () => {
    const api = exposed.mem0 as Record<string, unknown>;
    expect(Object.keys(exposed)).toEqual(['mem0']);
    expect(Object.keys(api).sort()).toEqual([...UI_METHODS, 'onEvent'].sort());
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    expect(Object.values(api)).not.toContain(invoke);
  });

  it('calls the one channel and keeps errors as data; an odd answer becomes a failure', async () => {
    const api = exposed.mem0 as Record<string, (input: unknown) => Promise<unknown>>;
    expect(await api.getStatus!({})).toEqual({ ok: false, error: { code: 'failure', message: 'boom' } });
    expect(invoke).toHaveBeenCalledWith(IPC.call, 'getStatus', {});
    expect(await api.listProjects!({})).toMatchObject({ ok: false, error: { code: 'failure' } });
  });

  it('hands the renderer the event, not the IPC event object', () => {
    const api = exposed.mem0 as { onEvent(l: (e: unknown) => void): () => void };
    const listener = vi.fn();
    const off = api.onEvent(listener);
    const wrapped = on.mock.calls[0]![1] as (e: unknown, payload: unknown) => void;
    wrapped({ sender: 'secret' }, { type: 'status' });
    expect(listener).toHaveBeenCalledWith({ type: 'status' });
    off();
    expect(removeListener).toHaveBeenCalledWith(IPC.event, wrapped);
  });
});
