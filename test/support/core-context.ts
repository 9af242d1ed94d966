// A real CoreContext over a temporary data directory, for tests of one feature without the whole
// core: settings from a real settings.json (loadSettings), a real SQLite database, the local
// backend, MemoryService and the event bus. Settings can be changed while a test runs.
import fs from 'node:fs';
import { Router } from 'express';
import { dataPaths } from '../../main/core/config/paths.js';
import {
  loadSettings,
  saveSettings,
  type Settings,
  type SettingsFile,
} from '../../main/core/config/settings.js';
import { openDatabase } from '../../main/core/db/database.js';
import { CoreEvents } from '../../main/core/events.js';
import type { FeatureContext } from '../../main/core/feature.js';
import type { FeatureHandles } from '../../main/core/feature-handles.js';
import type { RuntimeInfo } from '../../main/core/runtime-file.js';
import { silentLogger, type Logger } from '../../main/core/log.js';
import { LocalMemoryBackend } from '../../main/core/memory/local-backend.js';
import { MemoryService } from '../../main/core/memory/service.js';
import type { MemoryBackend } from '../../main/core/memory/types.js';
import { tempDir } from './tmp.js';

export interface TestCoreOptions {
  /** Reuse a data directory (e.g. to "restart" on the same database); default: a fresh temp dir. */
  dataDir?: string;
  /** Written to settings.json before loading. */
  settings?: SettingsFile;
  env?: NodeJS.ProcessEnv;
  /** Wrap or replace the local backend (flaky or slow backends in outage tests). */
  backend?: (local: LocalMemoryBackend) => MemoryBackend;
  log?: Logger;
  /** Peers' handles, for a feature started on this context. */
  features?: Partial<FeatureHandles>;
}

export interface TestCore {
  ctx: FeatureContext;
  dataDir: string;
  local: LocalMemoryBackend;
  /** Merges a change into the effective settings (validated by a reload of the file). */
  setSettings(patch: SettingsFile): Settings;
  /** Closes the database. */
  close(): void;
}

export function createTestCore(options: TestCoreOptions = {}): TestCore {
  const dataDir = options.dataDir ?? tempDir('mem0-tray-core-');
  const paths = dataPaths(dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = options.env ?? {};
  if (options.settings)
    fs.writeFileSync(paths.settings, JSON.stringify({ userId: 'tester', ...options.settings }));
  else if (!fs.existsSync(paths.settings))
    fs.writeFileSync(paths.settings, JSON.stringify({ userId: 'tester' }));
  let settings = loadSettings(paths.settings, env).settings;
  const db = openDatabase(paths.database);
  const local = new LocalMemoryBackend(db);
  const backend = options.backend ? options.backend(local) : local;
  const events = new CoreEvents();
  const memories = new MemoryService(() => backend, events);
  const runtime: RuntimeInfo = {
    pid: process.pid,
    proxyPort: null,
    gatewayPort: null,
    apiPort: 0,
    uiUrl: null,
    caPath: null,
  };
  const features = options.features ?? {};
  const ctx: FeatureContext = {
    paths,
    settings: () => settings,
    env,
    db,
    log: options.log ?? silentLogger,
    events,
    memories,
    backend: () => backend,
    api: { router: Router(), port: 0, baseUrl: 'http://127.0.0.1:0' },
    runtime,
    feature: (id) => features[id],
    settingsStatus: () => ({ file: paths.settings, error: null, heldByEnvironment: {} }),
    featureIds: () => Object.keys(features),
    status: () => ({
      version: 'test',
      pid: process.pid,
      startedAt: new Date(0).toISOString(),
      dataDir,
      userId: settings.userId,
      backend: backend.kind,
      runtime,
      settings: { file: paths.settings, error: null, heldByEnvironment: {} },
      features: {},
    }),
    updateSettings: async (patch) => {
      settings = saveSettings(paths.settings, patch, env).settings;
      return settings;
    },
  };
  return {
    ctx,
    dataDir,
    local,
    setSettings(patch) {
      const current = JSON.parse(fs.readFileSync(paths.settings, 'utf8')) as SettingsFile;
      fs.writeFileSync(paths.settings, JSON.stringify({ ...current, ...patch }));
      settings = loadSettings(paths.settings, env).settings;
      return settings;
    },
    close() {
      if (db.open) db.close();
    },
  };
}
