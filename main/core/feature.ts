// How a capability plugs into the core: a Feature gets the shared context, starts, and hands back
// a handle (its public API for the shell, the CLI and other features), a status and a stop.
// The composition root (core.ts) lists the features in start order.
import type { Router } from 'express';
import type { Settings, SettingsFile } from './config/settings.js';
import type { DataPaths } from './config/paths.js';
import type { Db } from './db/database.js';
import type { CoreEvents } from './events.js';
import type { Logger } from './log.js';
import type { MemoryService } from './memory/service.js';
import type { MemoryBackend } from './memory/types.js';
import type { CoreStatus } from './core.js';

/** What `mem0-tray serve` writes to runtime.json (docs/architecture.md), filled in as features start. */
export interface RuntimeInfo {
  pid: number;
  proxyPort: number | null;
  gatewayPort: number | null;
  apiPort: number;
  uiUrl: string | null;
  caPath: string | null;
}

export interface CoreContext {
  readonly paths: DataPaths;
  /** The current effective settings (file + environment); changes arrive via onSettingsChanged. */
  settings(): Settings;
  readonly env: NodeJS.ProcessEnv;
  readonly db: Db;
  readonly log: Logger;
  readonly events: CoreEvents;
  /** Ownership-checked access to memories: what every front door uses. */
  readonly memories: MemoryService;
  /** The active backend, for internal writers (the outbox) that act as the system, not a caller. */
  backend(): MemoryBackend;
  /** Routes on the API server (127.0.0.1:apiPort). Host/Origin checks and JSON errors are applied around them. */
  readonly api: { router: Router; port: number; baseUrl: string };
  readonly runtime: RuntimeInfo;
  /** Another feature's handle, if that feature started earlier. */
  feature<T>(name: string): T | undefined;
  /** The whole core's status (what the tray and the UI show). */
  status(): CoreStatus;
  /** Validates, saves and applies a settings change (the UI's settings page, the capture toggle). */
  updateSettings(patch: Partial<SettingsFile>): Promise<Settings>;
}

export interface StartedFeature<Handle = unknown> {
  handle: Handle;
  /** A JSON-serialisable summary for the tray, the UI and `GET /health`. */
  status?(): Record<string, unknown>;
  onSettingsChanged?(next: Settings, previous: Settings): Promise<void> | void;
  /** The core begins to stop: called on every feature at once, before any stop() (take no new work). */
  stopping?(): void;
  stop(): Promise<void>;
}

export interface Feature<Handle = unknown> {
  readonly name: string;
  start(ctx: CoreContext): Promise<StartedFeature<Handle>>;
}
