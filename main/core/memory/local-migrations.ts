// The local store's tables (memories, their history, the full-text index), applied with
// applyMigrations(db, 'memories', …). Steps are append-only: a released step never changes.
import { createLexicalIndex, updateLexicalIndex } from './search/lexical-index.js';

export const MEMORY_MIGRATIONS = [
  `CREATE TABLE memories (
     seq INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     user_id TEXT NOT NULL,
     project_id TEXT,
     text TEXT NOT NULL,
     source TEXT NOT NULL,
     conversation_id TEXT,
     model TEXT,
     metadata TEXT NOT NULL DEFAULT '{}',
     idempotency_key TEXT UNIQUE,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX memories_by_user ON memories (user_id, created_at, seq);
   CREATE INDEX memories_by_user_project ON memories (user_id, project_id, created_at, seq);
   CREATE INDEX memories_by_conversation ON memories (conversation_id) WHERE conversation_id IS NOT NULL;
   CREATE VIRTUAL TABLE memories_fts USING fts5 (
     text, content = 'memories', content_rowid = 'seq',
     tokenize = 'porter unicode61 remove_diacritics 2'
   );
   CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
     INSERT INTO memories_fts (rowid, text) VALUES (new.seq, new.text);
   END;
   CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
     INSERT INTO memories_fts (memories_fts, rowid, text) VALUES ('delete', old.seq, old.text);
   END;
   CREATE TRIGGER memories_fts_update AFTER UPDATE OF text ON memories BEGIN
     INSERT INTO memories_fts (memories_fts, rowid, text) VALUES ('delete', old.seq, old.text);
     INSERT INTO memories_fts (rowid, text) VALUES (new.seq, new.text);
   END;
   CREATE TABLE memory_history (
     seq INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     memory_id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     event TEXT NOT NULL CHECK (event IN ('ADD', 'UPDATE', 'DELETE')),
     old_text TEXT,
     new_text TEXT,
     created_at TEXT NOT NULL
   );
   CREATE INDEX memory_history_by_memory ON memory_history (memory_id, seq);
   CREATE INDEX memory_history_by_user ON memory_history (user_id);`,
  // insertOne indexes the text itself. A statement with a trigger runs in a statement savepoint, and
  // FTS5 writes its pending terms to disk at every savepoint: one tiny index segment per memory, and
  // the merging of them was most of an insert's time. Updates and deletes are rare; they keep theirs.
  `DROP TRIGGER memories_fts_insert;`,
  // Updates and deletes (un)index in code too: with triggers, that flush was most of a delete's
  // cost. In code, rows are unindexed in rowid order, which FTS5 can keep pending.
  `DROP TRIGGER memories_fts_delete;
   DROP TRIGGER memories_fts_update;`,
  // FTS5 writes its pending terms out as a new index segment whenever they pass `hashsize` (1 MB by
  // default: a few hundred memories), and merges those segments as they pile up. A batch (import,
  // restore) with 16 MB of pending terms writes and merges fewer segments; a single capture commits long before that, so the running core holds no more memory than before.
  `INSERT INTO memories_fts (memories_fts, rank) VALUES ('hashsize', 16777216);`,
  // A filtered search checks each match's owner and project by seq: from this index (dozens of
  // entries a page) rather than from the rows (two 1.6 KB memories a page). The store benchmark
  // measures it with a common word within one project. New rows land on its last page.
  `CREATE INDEX IF NOT EXISTS memories_filter ON memories (seq, user_id, project_id);`,
  // Search with per-owner statistics and identifiers split into parts (search/lexical-index.ts):
  // a new index, built from every memory's text.
  createLexicalIndex,
  // The index keeps no word positions and has a table of its words, for prefixes
  // (search/lexical-index.ts): one built by the step above before that is built again.
  updateLexicalIndex,
];
