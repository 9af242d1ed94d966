// Opens the one SQLite database of the data directory (WAL, safe across processes) and turns
// SQLite's failures into errors a user can act on. Each module owns its tables and applies its own
// migrations through applyMigrations(), so the schema of a concern lives next to its code.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../errors.js';
import { createPrivateFile, ensurePrivateDir } from '../private-fs.js';

export type Db = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
  /** How long a writer waits for another process's lock before failing. */
  busyTimeoutMs?: number;
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (options.readonly && !fs.existsSync(file)) {
    throw new UserError('not_found', `No database at ${file}.`);
  }
  if (!options.readonly) {
    try {
      // Private from the first write: a new database (and so its WAL and SHM files, which SQLite
      // creates with the database file's mode) is 0600, in a directory made 0700.
      ensurePrivateDir(path.dirname(file));
      if (file !== ':memory:' && file !== '' && !fs.existsSync(file)) createPrivateFile(file);
    } catch (err) {
      throw databaseError(err, file);
    }
  }
  let db: Db | undefined;
  try {
    db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    // The first real read: a file that is not a database fails here, before anything is written.
    db.pragma('schema_version');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      // Reads of the full-text index come through mmap below, so the page cache mostly holds pages
      // being written: a small one keeps a capturing core's resident memory down and slows neither
      // search nor batch inserts (the store and capture-proxy benchmarks show both).
      db.pragma('cache_size = -8000');
      db.pragma('mmap_size = 268435456');
      db.pragma('temp_store = MEMORY');
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        module TEXT PRIMARY KEY, version INTEGER NOT NULL, applied_at TEXT NOT NULL)`);
    }
    return db;
  } catch (err) {
    db?.close();
    throw databaseError(err, file);
  }
}

/**
 * Applies the steps of one module's schema that this database has not seen yet, each in its own
 * transaction. Steps are append-only: never edit a released step, add a new one.
 */
export function applyMigrations(
  db: Db,
  module: string,
  steps: ReadonlyArray<string | ((db: Db) => void)>,
): void {
  const file = db.name;
  withDbErrors(file, () => {
    const row = db.prepare('SELECT version FROM schema_migrations WHERE module = ?').get(module) as
      { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > steps.length) {
      throw new UserError(
        'database_unavailable',
        `The database ${file} was written by a newer Mem0 Tray (${module} schema v${current}, this version knows v${steps.length}). Update Mem0 Tray.`,
      );
    }
    for (let version = current + 1; version <= steps.length; version++) {
      const step = steps[version - 1]!;
      db.transaction(() => {
        if (typeof step === 'string') db.exec(step);
        else step(db);
        db.prepare(
          `INSERT INTO schema_migrations (module, version, applied_at) VALUES (?, ?, ?)
           ON CONFLICT(module) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at`,
        ).run(module, version, new Date().toISOString());
      }).immediate();
    }
  });
}

/** Runs fn and maps SQLite errors (corrupt file, full disk, read-only) to UserErrors. */
export function withDbErrors<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw databaseError(err, file);
  }
}

export function databaseError(err: unknown, file: string): Error {
  if (err instanceof UserError) return err;
  const code = (err as { code?: string } | undefined)?.code ?? '';
  const detail = (err as Error | undefined)?.message ?? String(err);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new UserError(
      'database_corrupt',
      `The database ${file} is damaged or is not a Mem0 Tray database (${detail}). It was left untouched: restore a backup with "mem0-tray restore FILE", or move it away to start with an empty store.`,
      { cause: err },
    );
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return new UserError(
      'disk_full',
      `The disk holding ${file} is full: nothing was written. Free some space and try again.`,
      { cause: err },
    );
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return new UserError(
      'read_only',
      `The database ${file} is read-only: check the permissions of the data directory or set MEM0_TRAY_HOME to a writable one.`,
      { cause: err },
    );
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new UserError(
      'database_unavailable',
      `Cannot open the database ${file}: check that its directory exists and is writable, or set MEM0_TRAY_HOME.`,
      { cause: err },
    );
  }
  if (code.startsWith('SQLITE_BUSY')) {
    return new UserError('conflict', `The database ${file} stayed locked by another process; try again.`, {
      cause: err,
    });
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return new UserError('database_unavailable', `Input/output error on ${file} (${detail}).`, {
      cause: err,
    });
  }
  return err instanceof Error ? err : new Error(String(err));
}
