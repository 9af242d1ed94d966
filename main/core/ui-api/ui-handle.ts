// What the UI feature offers the Electron shell, the tray and the CLI.
import type { UiApiImpl } from './handlers.js';

export interface UiHandle {
  api: UiApiImpl;
  /** A new one-time URL that opens the headless UI with a session. */
  loginUrl(): string;
  /** The directory the renderer is served from (null when it is not built). */
  rendererDir: string | null;
}
