// The renderer's only way to the core: the UI API behind one interface, with two transports —
// the Electron preload bridge (window.mem0, over IPC) and HTTP for the headless server. Pages never
// know which one they use.
import {
  HTTP_PATHS,
  UI_METHODS,
  UiApiError,
  unwrapResult,
  type UiApi,
  type UiBridge,
  type UiEvent,
  type UiMethod,
  type UiResult,
} from '../../../main/core/ui-api/contract';

export interface UiClient extends UiApi {
  readonly transport: 'ipc' | 'http';
  subscribe(listener: (event: UiEvent) => void): () => void;
}

declare global {
  interface Window {
    mem0?: UiBridge;
  }
}

function buildApi(call: (method: UiMethod, input: unknown) => Promise<unknown>): UiApi {
  // Built from the contract's method list, so every method exists on every transport.
  const api = {} as Record<UiMethod, (input: unknown) => Promise<unknown>>;
  for (const m of UI_METHODS) api[m] = (input) => call(m, input);
  return api as unknown as UiApi;
}

export function createIpcClient(bridge: UiBridge): UiClient {
  const api = buildApi(async (method, input) => {
    const fn = bridge[method] as (input: unknown) => Promise<UiResult<unknown>>;
    return unwrapResult(await fn(input));
  });
  return { ...api, transport: 'ipc', subscribe: (listener) => bridge.onEvent(listener) };
}

export interface HttpClientOptions {
  /** Where the API lives; default: same origin. */
  origin?: string;
  fetch?: typeof fetch;
  eventSource?: (url: string) => EventSource;
}

export function createHttpClient(options: HttpClientOptions = {}): UiClient {
  const origin = options.origin ?? '';
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const api = buildApi(async (method, input) => {
    let res: Response;
    try {
      res = await doFetch(`${origin}${HTTP_PATHS.api}${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify(input ?? {}),
      });
    } catch {
      throw new UiApiError({
        code: 'unavailable',
        message: 'Mem0 Tray is not reachable: is `mem0-tray serve` (or the tray app) still running?',
      });
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new UiApiError({
        code: 'failure',
        message: `Unexpected answer from Mem0 Tray (HTTP ${res.status}).`,
      });
    }
    const result = body as UiResult<unknown>;
    if (typeof result !== 'object' || result === null || typeof result.ok !== 'boolean') {
      throw new UiApiError({
        code: 'failure',
        message: `Unexpected answer from Mem0 Tray (HTTP ${res.status}).`,
      });
    }
    return unwrapResult(result);
  });

  // One stream for every subscriber; EventSource reconnects on its own after a drop.
  const listeners = new Set<(event: UiEvent) => void>();
  let source: EventSource | null = null;
  const open = () => {
    const make = options.eventSource ?? ((url: string) => new EventSource(url));
    source = make(`${origin}${HTTP_PATHS.events}`);
    source.onmessage = (msg) => {
      let event: UiEvent;
      try {
        event = JSON.parse(String(msg.data)) as UiEvent;
      } catch {
        return;
      }
      for (const l of listeners) l(event);
    };
  };
  return {
    ...api,
    transport: 'http',
    subscribe(listener) {
      listeners.add(listener);
      if (!source) open();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
  };
}

/** The transport this page runs on: the preload's bridge inside Electron, HTTP otherwise. */
export function createClient(): UiClient {
  return typeof window !== 'undefined' && window.mem0 ? createIpcClient(window.mem0) : createHttpClient();
}
