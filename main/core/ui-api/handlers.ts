// The UI API implemented over the core: each page's domain builds its own handlers from its own
// file (memory-, capture-, certificate-, connection-, settings-handlers.ts), listed once here; a
// dispatcher validates payloads and turns every failure into data; ui-events.ts is the live feed.
// Electron's IPC and the headless HTTP routes both call `dispatch`; neither adds logic of its own.
import { describeError, isUserError } from '../errors.js';
import type { Caller } from '../events.js';
import type { Logger } from '../log.js';
import { captureHandlers } from './capture-handlers.js';
import { certificateHandlers } from './certificate-handlers.js';
import { connectionHandlers } from './connection-handlers.js';
import { parseUiInput, type UiEvent, type UiMethod, type UiResult } from './contract.js';
import type { HandlerContext, UiHandlers, UiHost } from './host.js';
import { memoryHandlers } from './memory-handlers.js';
import type { UiServices } from './services.js';
import { settingsHandlers } from './settings-handlers.js';
import { createUiEvents } from './ui-events.js';

export type { UiHandlers, UiHost } from './host.js';

export interface UiApiImpl {
  handlers: UiHandlers;
  /** Validates, runs and wraps one call; never throws. */
  dispatch(method: string, payload: unknown): Promise<UiResult<unknown>>;
  /** Live updates for the open pages; returns the unsubscribe function. */
  subscribe(listener: (event: UiEvent) => void): () => void;
  dispose(): void;
}

export function createUiApi(host: UiHost, services: UiServices, log: Logger): UiApiImpl {
  const events = createUiEvents(host, log);
  const ctx: HandlerContext = {
    host,
    services,
    caller: (): Caller => ({ userId: host.settings().userId, via: 'ui' }),
    recentCaptures: () => events.recentCaptures(),
  };
  // Typed as the whole table: a contract method no domain handles is a compile error here.
  const handlers: UiHandlers = {
    ...settingsHandlers(ctx),
    ...memoryHandlers(ctx),
    ...captureHandlers(ctx),
    ...certificateHandlers(ctx),
    ...connectionHandlers(ctx),
  };

  return {
    handlers,
    async dispatch(method, payload) {
      if (!Object.prototype.hasOwnProperty.call(handlers, method)) {
        return { ok: false, error: { code: 'not_found', message: `Unknown UI API method "${method}".` } };
      }
      const m = method as UiMethod;
      const input = parseUiInput(m, payload);
      if (!input.ok) return input;
      try {
        const run = handlers[m] as (input: unknown) => Promise<unknown>;
        return { ok: true, value: await run(input.value) };
      } catch (err) {
        if (isUserError(err)) return { ok: false, error: { code: err.code, message: err.message } };
        const code = (err as { code?: unknown }).code;
        if (code === 'invalid_input') return { ok: false, error: { code, message: describeError(err) } };
        log.error('ui.call_failed', { method: m, error: describeError(err) });
        return {
          ok: false,
          error: { code: 'failure', message: 'Something went wrong; see the Mem0 Tray log.' },
        };
      }
    },
    subscribe: (listener) => events.subscribe(listener),
    dispose: () => events.dispose(),
  };
}
