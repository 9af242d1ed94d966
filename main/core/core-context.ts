// What the core gives every part it hosts: the data directory, the settings, the database, the log,
// the event bus, the memory service and the API server. It names no feature, so any module (the
// capture pipeline, a feature's handle) can take it without depending on the plug-ins; a feature's
// way to its peers is FeatureContext (feature.ts).
import type { Router } from 'express';
import type { Settings, SettingsFile, SettingsKey } from './config/settings.js';
import type { DataPaths } from './config/paths.js';
import type { Db } from './db/database.js';
import type { CoreEvents } from './events.js';
import type { Logger } from './log.js';
import type { MemoryService } from './memory/service.js';
import type { MemoryBackend } from './memory/types.js';
import type { RuntimeInfo } from './runtime-file.js';

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
  /** The whole core's status (what the tray and the UI show). */
  status(): CoreStatus;
  /** status().settings alone, without asking every feature for its status. */
  settingsStatus(): SettingsStatus;
  /** The ids of the features this core started, without asking them for their status. */
  featureIds(): string[];
  /** Validates, saves and applies a settings change (the UI's settings page, the capture toggle). */
  updateSettings(patch: Partial<SettingsFile>): Promise<Settings>;
}

export interface CoreStatus {
  version: string;
  pid: number;
  startedAt: string;
  dataDir: string;
  userId: string;
  backend: string;
  runtime: RuntimeInfo;
  settings: SettingsStatus;
  features: Record<string, Record<string, unknown>>;
}

export interface SettingsStatus {
  file: string;
  /**
   * The last edit of the file that could not be applied (the core keeps the settings it had);
   * null once the file is valid again.
   */
  error: { message: string; problems: string[]; at: string } | null;
  /** Settings an environment variable holds, and the variable: changing them here is refused. */
  heldByEnvironment: Partial<Record<SettingsKey, string>>;
}
