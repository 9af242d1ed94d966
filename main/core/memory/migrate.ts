// Copies one user's memories from one backend to another (`mem0-tray memories migrate`), oldest
// first, resumable and without duplicates: every copied source id is recorded in SQLite, and each
// add carries an idempotency key derived from the source id, so even a copy that reached the
// target just before a crash (and was not recorded) is not stored twice when the run resumes.
// Progress belongs to one target store (kind, host or URL, and a hash of its key): a new Mem0
// project or server is a new copy, and a re-run checks that what it copied is still there.
import type { BackendKind } from '../config/settings.js';
import { applyMigrations, type Db } from '../db/database.js';
import { UserError, describeError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { Memory, MemoryBackend, NewMemory } from './types.js';

export const MIGRATE_MIGRATIONS = [
  `CREATE TABLE memory_migrations (
     id TEXT PRIMARY KEY,
     from_kind TEXT NOT NULL,
     to_kind TEXT NOT NULL,
     user_id TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
     copied INTEGER NOT NULL DEFAULT 0,
     failed INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     started_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE memory_migration_items (
     migration_id TEXT NOT NULL REFERENCES memory_migrations (id) ON DELETE CASCADE,
     source_id TEXT NOT NULL,
     target_ids TEXT NOT NULL,
     PRIMARY KEY (migration_id, source_id)
   );`,
];

export interface MigrateOptions {
  from: MemoryBackend;
  to: MemoryBackend;
  userId: string;
  db: Db;
  /** Forget earlier progress of this from→to copy and start over (still no duplicates). */
  restart?: boolean;
  onProgress?: (p: MigrateProgress) => void;
  log?: Logger;
}

export interface MigrateProgress {
  total: number;
  /** Copied in this run or an earlier one. */
  done: number;
  /** Already copied by an earlier, interrupted run (skipped now). */
  resumed: number;
  failed: number;
}

export interface MigrateResult extends MigrateProgress {
  id: string;
  copied: number;
}

/** `target`: the target's identity() (kind, host or URL, key hash), or its kind when it has none. */
export function migrationId(from: BackendKind, target: string, userId: string): string {
  return `${from}->${target}:${userId}`;
}

async function identityOf(backend: MemoryBackend): Promise<string> {
  return backend.identity ? await backend.identity() : backend.kind;
}

/** The key a copy carries in the target: the same source memory always maps to the same key. */
export function migrationKey(from: BackendKind, sourceId: string): string {
  return `migrate:${from}:${sourceId}`;
}

function copyOf(m: Memory, from: BackendKind): NewMemory & { infer: false } {
  return {
    userId: m.userId,
    text: m.text,
    source: m.source,
    projectId: m.projectId,
    conversationId: m.conversationId,
    model: m.model,
    metadata: m.metadata,
    createdAt: m.createdAt,
    idempotencyKey: migrationKey(from, m.id),
    // Already a memory: the target stores it as is rather than extracting from it again.
    infer: false,
  };
}

export async function migrateMemories(options: MigrateOptions): Promise<MigrateResult> {
  const { from, to, userId, db } = options;
  const log = options.log ?? silentLogger;
  if (from.kind === to.kind) {
    throw new UserError('usage', `Source and target are both "${from.kind}": choose another --to or --from.`);
  }
  applyMigrations(db, 'migrate', MIGRATE_MIGRATIONS);
  const id = migrationId(from.kind, await identityOf(to), userId);
  const now = () => new Date().toISOString();
  db.transaction(() => {
    if (options.restart) db.prepare('DELETE FROM memory_migrations WHERE id = ?').run(id);
    db.prepare(
      `INSERT INTO memory_migrations (id, from_kind, to_kind, user_id, status, started_at, updated_at)
       VALUES (?, ?, ?, ?, 'running', ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = 'running', last_error = NULL, updated_at = excluded.updated_at`,
    ).run(id, from.kind, to.kind, userId, now(), now());
  })();
  const doneIds = db.prepare(
    'SELECT target_ids FROM memory_migration_items WHERE migration_id = ? AND source_id = ?',
  );
  const markDone = db.prepare(
    'INSERT OR REPLACE INTO memory_migration_items (migration_id, source_id, target_ids) VALUES (?, ?, ?)',
  );
  const bump = db.prepare(
    'UPDATE memory_migrations SET copied = copied + ?, failed = failed + ?, updated_at = ? WHERE id = ?',
  );
  const finish = db.prepare(
    'UPDATE memory_migrations SET status = ?, last_error = ?, updated_at = ? WHERE id = ?',
  );

  /** Copied by an earlier run and still in the target (a wiped or emptied target is copied again). */
  const stillCopied = async (sourceId: string): Promise<boolean> => {
    const row = doneIds.get(id, sourceId) as { target_ids: string } | undefined;
    if (!row) return false;
    const ids = JSON.parse(row.target_ids) as string[];
    if (ids.length === 0) return true;
    return (await to.get(ids[0]!)) !== null;
  };

  const total = (await from.list({ userId }, { limit: 1, withTotal: true })).total ?? 0;
  const progress: MigrateProgress = { total, done: 0, resumed: 0, failed: 0 };
  let copied = 0;
  options.onProgress?.({ ...progress });
  try {
    for await (const memory of from.export({ userId })) {
      if (await stillCopied(memory.id)) {
        progress.done++;
        progress.resumed++;
      } else {
        try {
          const added = await to.add(copyOf(memory, from.kind));
          markDone.run(id, memory.id, JSON.stringify(added.map((m) => m.id)));
          bump.run(1, 0, now(), id);
          copied++;
          progress.done++;
        } catch (err) {
          // One memory the target refuses is reported and skipped; anything else (target down,
          // key rejected) stops the run, which resumes from here next time.
          if (!(err instanceof UserError && err.code === 'invalid_input')) throw err;
          bump.run(0, 1, now(), id);
          progress.failed++;
          log.warn('migrate.item_failed', { sourceId: memory.id, reason: err.code });
        }
      }
      options.onProgress?.({ ...progress, total: Math.max(total, progress.done + progress.failed) });
    }
  } catch (err) {
    finish.run('failed', describeError(err), now(), id);
    log.warn('migrate.stopped', { id, copied, done: progress.done });
    throw err;
  }
  finish.run(
    progress.failed ? 'failed' : 'done',
    progress.failed ? `${progress.failed} memories were refused by the target` : null,
    now(),
    id,
  );
  log.info('migrate.finished', { id, copied, resumed: progress.resumed, failed: progress.failed });
  return { id, copied, ...progress, total: Math.max(total, progress.done + progress.failed) };
}
