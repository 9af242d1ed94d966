// What makes a Mem0 backend's add() safe to retry: the ledger of what each add became, per remote
// store (named by credentialTag, never by the credential).
import { createHash } from 'node:crypto';
import { applyMigrations, type Db } from '../db/database.js';

/**
 * Remembers, per remote store and idempotency key, what an add became: the Mem0 event being
 * processed and then the memory ids. A retry (outbox after a timeout, a resumed migration) looks
 * here first, so it follows the same event instead of adding the turn a second time; this
 * survives restarts because it lives in SQLite.
 */
export interface AddLedger {
  /**
   * null: never attempted (no remote lookup needed); a row: attempted, maybe finished.
   * `since`: when the row last changed (ms), so a retry knows how long ago the attempt was.
   */
  get(
    scope: string,
    key: string,
  ): { eventId: string | null; memoryIds: string[] | null; since: number } | null;
  /** Written before the request leaves, so a retry knows the first attempt may have landed. */
  recordAttempt(scope: string, key: string): void;
  recordEvent(scope: string, key: string, eventId: string): void;
  recordDone(scope: string, key: string, memoryIds: string[]): void;
  /**
   * The event is gone or failed, or the memories are: back to "attempted" with nothing in flight
   * (`since` 0), so a retry looks remotely once, then adds, without waiting for a pending add.
   */
  forget(scope: string, key: string): void;
}

export const LEDGER_MIGRATIONS = [
  `CREATE TABLE mem0_add_ledger (
     scope TEXT NOT NULL,
     idempotency_key TEXT NOT NULL,
     event_id TEXT,
     memory_ids TEXT,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (scope, idempotency_key)
   )`,
];

export function sqliteAddLedger(db: Db): AddLedger {
  applyMigrations(db, 'mem0-ledger', LEDGER_MIGRATIONS);
  const get = db.prepare(
    'SELECT event_id, memory_ids, updated_at FROM mem0_add_ledger WHERE scope = ? AND idempotency_key = ?',
  );
  const upsertEvent = db.prepare(
    `INSERT INTO mem0_add_ledger (scope, idempotency_key, event_id, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (scope, idempotency_key) DO UPDATE SET event_id = excluded.event_id, updated_at = excluded.updated_at`,
  );
  const upsertDone = db.prepare(
    `INSERT INTO mem0_add_ledger (scope, idempotency_key, memory_ids, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (scope, idempotency_key) DO UPDATE SET memory_ids = excluded.memory_ids, updated_at = excluded.updated_at`,
  );
  const attempt = db.prepare(
    `INSERT INTO mem0_add_ledger (scope, idempotency_key, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (scope, idempotency_key) DO UPDATE SET updated_at = excluded.updated_at`,
  );
  const reset = db.prepare(
    'UPDATE mem0_add_ledger SET event_id = NULL, memory_ids = NULL, updated_at = ? WHERE scope = ? AND idempotency_key = ?',
  );
  // Keys are retried for hours at most; a month of entries is plenty and keeps the table small.
  db.prepare(
    "DELETE FROM mem0_add_ledger WHERE updated_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-30 days')",
  ).run();
  return {
    get(scope, key) {
      const row = get.get(scope, key) as
        { event_id: string | null; memory_ids: string | null; updated_at: string } | undefined;
      if (!row) return null;
      return {
        eventId: row.event_id,
        memoryIds: row.memory_ids ? (JSON.parse(row.memory_ids) as string[]) : null,
        since: Date.parse(row.updated_at),
      };
    },
    recordAttempt: (scope, key) => void attempt.run(scope, key, new Date().toISOString()),
    recordEvent: (scope, key, eventId) => void upsertEvent.run(scope, key, eventId, new Date().toISOString()),
    recordDone: (scope, key, ids) =>
      void upsertDone.run(scope, key, JSON.stringify(ids), new Date().toISOString()),
    // The epoch says "nothing in flight"; the row is pruned with the old ones on a later open.
    forget: (scope, key) => void reset.run(new Date(0).toISOString(), scope, key),
  };
}

export function memoryAddLedger(): AddLedger {
  const rows = new Map<string, { eventId: string | null; memoryIds: string[] | null; since: number }>();
  const k = (s: string, key: string) => `${s}\0${key}`;
  return {
    get: (s, key) => rows.get(k(s, key)) ?? null,
    recordAttempt: (s, key) => {
      const row = rows.get(k(s, key));
      rows.set(k(s, key), {
        eventId: row?.eventId ?? null,
        memoryIds: row?.memoryIds ?? null,
        since: Date.now(),
      });
    },
    recordEvent: (s, key, eventId) =>
      void rows.set(k(s, key), {
        eventId,
        memoryIds: rows.get(k(s, key))?.memoryIds ?? null,
        since: Date.now(),
      }),
    recordDone: (s, key, ids) =>
      void rows.set(k(s, key), {
        eventId: rows.get(k(s, key))?.eventId ?? null,
        memoryIds: ids,
        since: Date.now(),
      }),
    forget: (s, key) => void rows.set(k(s, key), { eventId: null, memoryIds: null, since: 0 }),
  };
}

/**
 * Names a credential without revealing it: 16 hex digits of its SHA-256 ("none" without one). Goes
 * into ledger scopes and migration ids, so a new key (another Mem0 project on the same host) is
 * another target; 64 bits cannot be turned back into a key.
 */
export function credentialTag(key: string | null | undefined): string {
  const k = key?.trim();
  return k ? createHash('sha256').update(k).digest('hex').slice(0, 16) : 'none';
}
