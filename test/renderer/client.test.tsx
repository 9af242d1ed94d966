// Both transports behind one interface: errors come back as UiApiError with their code.
import { describe, expect, it, vi } from 'vitest';
import { UiApiError, type UiBridge } from '../../main/core/ui-api/contract';
import { createHttpClient, createIpcClient } from '../../renderer/src/api/client';

describe('UI client', () => {
  it('over IPC: unwraps values and rebuilds errors with their code', async () => {
    const bridge = {
      getStatus: vi.fn(async () => ({ ok: true, value: { userId: 'me' } })),
      forgetAll: vi.fn(async () => ({
        ok: false,
        error: { code: 'invalid_input', message: 'Type the user id' },
      })),
      onEvent: vi.fn(() => () => {}),
    } as unknown as UiBridge;
    const client = createIpcClient(bridge);
    expect(await client.getStatus({})).toEqual({ userId: 'me' });
    const err = await client.forgetAll({ confirm: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UiApiError);
    expect(err).toMatchObject({ code: 'invalid_input', message: 'Type the user id' });
  });

  it('over HTTP: posts JSON to /ui-api/<method>; network and auth failures become readable errors', async () => {
    const fetch = vi.fn(
      async (_url: string, _init?: RequestInit) =>
        new Response(JSON.stringify({ ok: true, value: { projects: [] } })),
    );
    const client = createHttpClient({
      fetch: fetch as unknown as typeof globalThis.fetch,
      origin: 'http://127.0.0.1:1',
    });
    expect(await client.listProjects({})).toEqual({ projects: [] });
    expect(fetch.mock.calls[0]![0]).toBe('http://127.0.0.1:1/ui-api/listProjects');
    expect(fetch.mock.calls[0]![1]).toMatchObject({ method: 'POST', body: '{}' });

    fetch.mockResolvedValueOnce(
      new Response(JSON.stringify({ ok: false, error: { code: 'unauthorized', message: 'fresh link' } }), {
        status: 401,
      }),
    );
    await expect(client.getStatus({})).rejects.toMatchObject({ code: 'unauthorized', message: 'fresh link' });
    fetch.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await expect(client.getStatus({})).rejects.toMatchObject({ code: 'unavailable' });
  });
});
