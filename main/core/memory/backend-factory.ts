// Builds the MemoryBackend the settings ask for (backend = local | mem0-platform | mem0-server) and
// lets the core switch between them while capture runs.
import type { BackendKind, Settings } from '../config/settings.js';
import type { Db } from '../db/database.js';
import { UserError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { createApiKeyStore, type SecretStore } from '../secrets/secret-store.js';
import { LocalMemoryBackend, MEMORY_MIGRATIONS } from './local-backend.js';
import { sqliteAddLedger } from './mem0-add-ledger.js';
import { Mem0PlatformBackend } from './mem0-platform-backend.js';
import { Mem0ServerBackend } from './mem0-server-backend.js';
import type { MemoryBackend } from './types.js';

export interface BackendDeps {
  db: Db;
  /** Where the Mem0 API key comes from; default: the OS keychain with MEM0_API_KEY on top. */
  secrets?: SecretStore;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
}

/** The settings a backend is built from: a change in any of them means a new backend. */
export function backendSettingsKey(s: Settings): string {
  return JSON.stringify([s.backend, s.mem0Host, s.mem0ServerUrl ?? null, s.mem0Telemetry]);
}

/** Steps of a module's schema this database has not had yet. */
function pendingMigrations(db: Db, module: string, steps: number): number {
  try {
    const row = db.prepare('SELECT version FROM schema_migrations WHERE module = ?').get(module) as
      { version: number } | undefined;
    return Math.max(0, steps - (row?.version ?? 0));
  } catch {
    return steps;
  }
}

function memoryCount(db: Db): number {
  try {
    return db.prepare('SELECT count(*) FROM memories').pluck().get() as number;
  } catch {
    return 0;
  }
}

export function createBackend(
  settings: Settings,
  deps: BackendDeps,
  kind: BackendKind = settings.backend,
): MemoryBackend {
  const log = (deps.log ?? silentLogger).child('memory');
  const secrets = deps.secrets ?? createApiKeyStore(deps.env ?? process.env);
  switch (kind) {
    case 'local': {
      // A new search index is built from every memory the first time: seconds at 100,000.
      const pending = pendingMigrations(deps.db, 'memories', MEMORY_MIGRATIONS.length);
      if (pending > 0) log.info('store.migrating', { steps: pending, memories: memoryCount(deps.db) });
      const started = Date.now();
      const local = new LocalMemoryBackend(deps.db);
      if (pending > 0) log.info('store.migrated', { ms: Date.now() - started });
      return local;
    }
    case 'mem0-platform':
      return new Mem0PlatformBackend({
        host: settings.mem0Host,
        apiKey: () => secrets.get(),
        telemetry: settings.mem0Telemetry,
        ledger: sqliteAddLedger(deps.db),
        log,
      });
    case 'mem0-server':
      if (!settings.mem0ServerUrl) {
        throw new UserError(
          'invalid_settings',
          'backend is "mem0-server" but no server URL is set: set "mem0ServerUrl" in settings.json (or MEM0_TRAY_MEM0_SERVER_URL) to your Mem0 server, e.g. http://mem0.internal:8000.',
        );
      }
      return new Mem0ServerBackend({
        url: settings.mem0ServerUrl,
        // A server without auth needs no key; a keychain that is not there is then no error.
        apiKey: () => secrets.get().catch(() => null),
        ledger: sqliteAddLedger(deps.db),
        log,
      });
  }
}

/**
 * The core holds this and hands out `current` as its `backend()` getter, so a settings change
 * swaps the backend without a restart.
 *
 * What happens to work in flight: a call (an outbox delivery, a REST request) that already took
 * the old backend finishes against it — the memory lands in the old store and the outbox marks
 * that capture delivered, exactly once. Every call that starts after the switch goes to the new
 * backend. Nothing is lost and nothing is sent twice; memories already in the old store stay there
 * until `mem0-tray memories migrate --to <new>` copies them. The old backend is closed after a
 * grace period long enough for those calls to end (closing the Mem0 backends only drops clients).
 */
export class SwitchableBackend {
  private backend: MemoryBackend;
  private key: string;

  constructor(
    private readonly deps: BackendDeps,
    settings: Settings,
    private readonly graceMs = 60_000,
  ) {
    this.backend = createBackend(settings, deps);
    this.key = backendSettingsKey(settings);
  }

  readonly current = (): MemoryBackend => this.backend;

  /** Builds the new backend first: if that fails (bad settings) the old one stays in place. */
  apply(settings: Settings): boolean {
    const key = backendSettingsKey(settings);
    if (key === this.key) return false;
    const next = createBackend(settings, this.deps);
    const previous = this.backend;
    this.backend = next;
    this.key = key;
    (this.deps.log ?? silentLogger).info('memory.backend_switched', { from: previous.kind, to: next.kind });
    setTimeout(() => void previous.close().catch(() => undefined), this.graceMs).unref();
    return true;
  }

  async close(): Promise<void> {
    await this.backend.close();
  }
}
