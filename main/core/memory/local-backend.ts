// The embedded default store: SQLite with FTS5 (BM25 ranking) and a history of every
// change. Deletes are hard deletes, so a deleted memory leaves list, search and export at once.

import { randomFillSync } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { v7 } from 'uuid';
import { applyMigrations, withDbErrors, type Db } from '../db/database.js';
import { UserError } from '../errors.js';
import {
  clampLimit,
  LIST_LIMIT,
  SEARCH_LIMIT,
  type HistoryEntry,
  type ListOptions,
  type Memory,
  type MemoryBackend,
  type MemoryFilter,
  type MemoryPatch,
  type MemorySource,
  type NewMemory,
  type Page,
  type SearchHit,
  type SearchOptions,
} from './types.js';
import { textExcerpt } from './excerpt.js';
import { allOf, toFtsQuery } from './fts-query.js';
import { loadRanking, type Ranking } from './rank-extension.js';

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
  // Updates and deletes (un)index in code too: deleting 1,000 chosen memories cost ~0.9 ms each,
  // most of it that flush. In code, rows are unindexed in rowid order, which FTS5 can keep pending.
  `DROP TRIGGER memories_fts_delete;
   DROP TRIGGER memories_fts_update;`,
  // FTS5 writes its pending terms out as a new index segment whenever they pass `hashsize` (1 MB by
  // default: a few hundred memories), and merges those segments as they pile up. In a batch (import,
  // restore) 16 MB of pending terms made an insert ~25% cheaper at 100,000 memories; a single
  // capture commits long before that, so the running core holds no more memory than before.
  `INSERT INTO memories_fts (memories_fts, rank) VALUES ('hashsize', 16777216);`,
  // A filtered search checks each match's owner and project by seq: from this index (dozens of
  // entries a page) rather than from the rows (two 1.6 KB memories a page). A common word within
  // one project at 100,000 memories (store benchmark): p50 ~40 → ~17 ms. New rows land on its last page.
  `CREATE INDEX IF NOT EXISTS memories_filter ON memories (seq, user_id, project_id);`,
];

// Ids of memories and history entries are UUIDv7, which begin with their creation time. A random id
// lands on a random page of its unique index, so a batch of inserts rewrote most of those pages (and
// the WAL carried them all); ids in time order fill the last page. uuid draws each id's random bytes
// through WebCrypto, about 5 µs an id on Node 20 (two per capture); they are drawn 4 KB at a time
// instead. Ids of one millisecond then follow each other in random order, on the same last page.
const randomPool = new Uint8Array(4096);
let randomUsed = randomPool.length;
function newId(): string {
  if (randomUsed === randomPool.length) {
    randomFillSync(randomPool);
    randomUsed = 0;
  }
  randomUsed += 16;
  return v7({ random: randomPool.subarray(randomUsed - 16, randomUsed) });
}

interface MemoryRow {
  seq: number;
  id: string;
  user_id: string;
  project_id: string | null;
  text: string;
  source: string;
  conversation_id: string | null;
  model: string | null;
  metadata: string;
  created_at: string;
  updated_at: string;
}

interface HistoryRow {
  id: string;
  memory_id: string;
  user_id: string;
  event: HistoryEntry['event'];
  old_text: string | null;
  new_text: string | null;
  created_at: string;
}

/**
 * How many of the newest matches a search ranks (of the whole store, or of the memories that pass
 * its filter: a filter never leaves the window to other projects' matches). BM25 is computed per match
 * (about 1 µs each) and FTS5 has no top-k pruning, so a word found in most memories would cost
 * ~100 ms at 100,000 memories. 2,000 keeps the slowest twentieth of searches near 3.5 ms there
 * (5,000 took 5.5 ms); a word that common in one person's memories is best shown by its recent uses.
 */
export const RANK_WINDOW = 2000;
/** The window of a preview search (SearchOptions.preview). */
export const PREVIEW_RANK_WINDOW = 1000;
/** Newest matches of a word read to tell how many memories have it (see frequencies). */
const FREQUENCY_SAMPLE = 200;
/** The quoted terms of an FTS5 query, in order: its phrases, as FTS5 numbers them. */
const PHRASE = /"[^"]*"\*?/g;
/** A term's estimated count of memories that have it, remembered for one search. */
type Frequencies = (term: string) => number;

interface Ranked {
  seq: number;
  /** bm25() or bm25_df(): lower is better. */
  score: number;
}

const MEMORY_COLUMNS =
  'seq, id, user_id, project_id, text, source, conversation_id, model, metadata, created_at, updated_at';

function toMemory(row: MemoryRow): Memory {
  let metadata: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(row.metadata) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      metadata = parsed as Record<string, unknown>;
  } catch {
    // metadata is written by us as JSON; an unreadable value is shown as empty rather than failing the read
  }
  return {
    id: row.id,
    userId: row.user_id,
    projectId: row.project_id,
    text: row.text,
    source: row.source as MemorySource,
    conversationId: row.conversation_id,
    model: row.model,
    metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toHistory(row: HistoryRow): HistoryEntry {
  return {
    id: row.id,
    memoryId: row.memory_id,
    userId: row.user_id,
    event: row.event,
    oldText: row.old_text,
    newText: row.new_text,
    createdAt: row.created_at,
  };
}

function isoTime(value: string | undefined, field: string): string {
  if (value === undefined) return new Date().toISOString();
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new UserError('invalid_input', `${field} must be an ISO 8601 date, got "${value}".`);
  return new Date(t).toISOString();
}

function encodeCursor(row: { created_at: string; seq: number }): string {
  return Buffer.from(JSON.stringify([row.created_at, row.seq])).toString('base64url');
}

function decodeCursor(cursor: string): [string, number] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'number') {
      return [value[0], value[1]];
    }
  } catch {
    // fall through to the error below
  }
  throw new UserError('invalid_input', 'The page cursor is not valid: start again from the first page.');
}

interface FilterSql {
  where: string;
  params: unknown[];
  /** The filter names only the owner and the project: the memories_filter index's columns. */
  ownerAndProjectOnly: boolean;
}

/** WHERE clause and parameters for a MemoryFilter over the memories table aliased as m. */
function filterSql(filter: MemoryFilter): FilterSql {
  const clauses = ['m.user_id = ?'];
  const params: unknown[] = [filter.userId];
  if (filter.projectId === null) clauses.push('m.project_id IS NULL');
  else if (filter.projectId !== undefined) {
    clauses.push('m.project_id = ?');
    params.push(filter.projectId);
  }
  if (filter.source) {
    clauses.push('m.source = ?');
    params.push(filter.source);
  }
  if (filter.conversationId) {
    clauses.push('m.conversation_id = ?');
    params.push(filter.conversationId);
  }
  if (filter.since) {
    clauses.push('m.created_at >= ?');
    params.push(isoTime(filter.since, 'since'));
  }
  if (filter.until) {
    clauses.push('m.created_at < ?');
    params.push(isoTime(filter.until, 'until'));
  }
  return {
    where: clauses.join(' AND '),
    params,
    // Nothing was added beyond the owner's clause and the project's.
    ownerAndProjectOnly: clauses.length === (filter.projectId === undefined ? 1 : 2),
  };
}

export class LocalMemoryBackend implements MemoryBackend {
  readonly kind = 'local' as const;
  private readonly file: string;
  private readonly stmt;
  /** The database's schema cookie when this connection last checked its migrations. */
  private checkedSchema: number;

  /** How search ranks: bm25_df, or SQLite's bm25() and why (the core logs it). */
  readonly ranking: Ranking;
  /** Ranking statements by their ranking function (bm25_df takes one argument per phrase). */
  private readonly rankStatements = new Map<string, Statement<unknown[]>>();

  /** `rankExtension`: the extension's file (default: the build's); null ranks with bm25(). */
  constructor(
    private readonly db: Db,
    options: { rankExtension?: string | null } = {},
  ) {
    this.file = db.name;
    applyMigrations(db, 'memories', MEMORY_MIGRATIONS);
    this.ranking = loadRanking(db, options.rankExtension);
    this.stmt = withDbErrors(this.file, () => ({
      schemaCookie: db.prepare('PRAGMA schema_version').pluck(),
      insert: db.prepare(
        `INSERT INTO memories (id, user_id, project_id, text, source, conversation_id, model, metadata,
           idempotency_key, created_at, updated_at)
         VALUES (@id, @user_id, @project_id, @text, @source, @conversation_id, @model, @metadata,
           @idempotency_key, @created_at, @updated_at)`,
      ),
      index: db.prepare('INSERT INTO memories_fts (rowid, text) VALUES (?, ?)'),
      // FTS5 with external content forgets a text by being told the words it had.
      unindex: db.prepare("INSERT INTO memories_fts (memories_fts, rowid, text) VALUES ('delete', ?, ?)"),
      byId: db.prepare(`SELECT ${MEMORY_COLUMNS} FROM memories WHERE id = ?`),
      byKey: db.prepare(`SELECT ${MEMORY_COLUMNS} FROM memories WHERE idempotency_key = ?`),
      history: db.prepare(
        `INSERT INTO memory_history (id, memory_id, user_id, event, old_text, new_text, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      historyOf: db.prepare(
        'SELECT id, memory_id, user_id, event, old_text, new_text, created_at FROM memory_history WHERE memory_id = ? ORDER BY seq',
      ),
      update: db.prepare('UPDATE memories SET text = ?, metadata = ?, updated_at = ? WHERE id = ?'),
      delete: db.prepare('DELETE FROM memories WHERE seq = ?'),
      topSeq: db.prepare('SELECT max(seq) FROM memories').pluck(),
      newestMatches: db.prepare(
        `SELECT count(*) AS seen, min(rowid) AS oldest FROM (
           SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid DESC LIMIT ?)`,
      ),
    }));
    this.checkedSchema = this.stmt.schemaCookie.get() as number;
  }

  /**
   * Called inside every write's transaction. Writes keep the full-text index in step in code, so they
   * must match the schema: when another process changed it under this connection (a newer Mem0 Tray
   * migrated the file, or a restore put back an older one with its index triggers), the migrations
   * are checked again first; a newer schema stops the write with the "update Mem0 Tray" error.
   */
  private writable(): void {
    if ((this.stmt.schemaCookie.get() as number) === this.checkedSchema) return;
    applyMigrations(this.db, 'memories', MEMORY_MIGRATIONS);
    this.checkedSchema = this.stmt.schemaCookie.get() as number;
  }

  private run<T>(fn: () => T): T {
    return withDbErrors(this.file, fn);
  }

  private validate(input: NewMemory): void {
    if (typeof input.text !== 'string' || input.text.trim() === '') {
      throw new UserError('invalid_input', 'A memory needs a non-empty text.');
    }
    if (!input.userId) throw new UserError('invalid_input', 'A memory needs a user id.');
  }

  private insertOne(input: NewMemory): Memory {
    this.writable();
    this.validate(input);
    if (input.idempotencyKey) {
      const existing = this.stmt.byKey.get(input.idempotencyKey) as MemoryRow | undefined;
      if (existing) return toMemory(existing);
    }
    const createdAt = isoTime(input.createdAt, 'createdAt');
    const row = {
      id: newId(),
      user_id: input.userId,
      project_id: input.projectId ?? null,
      text: input.text,
      source: input.source,
      conversation_id: input.conversationId ?? null,
      model: input.model ?? null,
      metadata: JSON.stringify(input.metadata ?? {}),
      idempotency_key: input.idempotencyKey ?? null,
      created_at: createdAt,
      updated_at: createdAt,
    };
    const { lastInsertRowid } = this.stmt.insert.run(row);
    this.stmt.index.run(lastInsertRowid, row.text);
    // The ADD entry's text is not written twice: history() derives it (see there).
    this.stmt.history.run(newId(), row.id, row.user_id, 'ADD', null, null, createdAt);
    return toMemory({ ...row, seq: 0 });
  }

  async add(input: NewMemory): Promise<Memory[]> {
    return this.run(() => this.db.transaction(() => [this.insertOne(input)]).immediate());
  }

  /** Whether this store lives in `db`, so a caller can write a memory inside its own transaction. */
  sharesDatabase(db: Db): boolean {
    return this.db === db;
  }

  /** add() without a transaction of its own: the caller holds one on this store's database. */
  addWithinTransaction(input: NewMemory): Memory {
    return this.insertOne(input);
  }

  /** Many inserts in one transaction (imports, restores, benchmarks). All or nothing. */
  addBatch(inputs: readonly NewMemory[]): Memory[] {
    return this.run(() => this.db.transaction(() => inputs.map((i) => this.insertOne(i))).immediate());
  }

  async get(id: string): Promise<Memory | null> {
    const row = this.run(() => this.stmt.byId.get(id) as MemoryRow | undefined);
    return row ? toMemory(row) : null;
  }

  async update(id: string, patch: MemoryPatch): Promise<Memory> {
    if (patch.text !== undefined && patch.text.trim() === '') {
      throw new UserError('invalid_input', 'A memory needs a non-empty text.');
    }
    return this.run(() =>
      this.db
        .transaction(() => {
          this.writable();
          const row = this.stmt.byId.get(id) as MemoryRow | undefined;
          if (!row) throw new UserError('not_found', `No memory with id ${id}.`);
          const now = new Date().toISOString();
          const text = patch.text ?? row.text;
          const metadata = patch.metadata !== undefined ? JSON.stringify(patch.metadata) : row.metadata;
          if (text !== row.text) {
            this.stmt.unindex.run(row.seq, row.text);
            this.stmt.index.run(row.seq, text);
          }
          this.stmt.update.run(text, metadata, now, id);
          this.stmt.history.run(newId(), id, row.user_id, 'UPDATE', row.text, text, now);
          return toMemory({ ...row, text, metadata, updated_at: now });
        })
        .immediate(),
    );
  }

  async delete(id: string): Promise<boolean> {
    return this.run(() =>
      this.db
        .transaction(() => {
          this.writable();
          const row = this.stmt.byId.get(id) as MemoryRow | undefined;
          if (row) this.remove([row]);
          return row !== undefined;
        })
        .immediate(),
    );
  }

  /** Deletes many memories of one owner in one transaction; returns the ids actually deleted. */
  deleteMany(userId: string, ids: readonly string[]): string[] {
    return this.run(() =>
      this.db
        .transaction(() => {
          this.writable();
          const rows = ids
            .map((id) => this.stmt.byId.get(id) as MemoryRow | undefined)
            .filter((row): row is MemoryRow => row?.user_id === userId);
          return this.remove(rows);
        })
        .immediate(),
    );
  }

  /** Deletes rows (within a transaction), each once, with its DELETE history entry; returns their ids. */
  private remove(rows: MemoryRow[]): string[] {
    const unique = [...new Map(rows.map((row) => [row.seq, row])).values()];
    const now = new Date().toISOString();
    // In rowid order: FTS5 writes its pending changes to disk whenever a rowid is lower than the last.
    for (const row of [...unique].sort((a, b) => a.seq - b.seq)) {
      this.stmt.unindex.run(row.seq, row.text);
      this.stmt.delete.run(row.seq);
      this.stmt.history.run(newId(), row.id, row.user_id, 'DELETE', row.text, null, now);
    }
    return unique.map((row) => row.id);
  }

  async list(filter: MemoryFilter, options: ListOptions = {}): Promise<Page<Memory>> {
    const limit = clampLimit(options.limit, LIST_LIMIT);
    const { where, params } = filterSql(filter);
    return this.run(() => {
      let sql = `SELECT ${MEMORY_COLUMNS} FROM memories m WHERE ${where}`;
      const pageParams = [...params];
      if (options.cursor) {
        const [createdAt, seq] = decodeCursor(options.cursor);
        sql += ' AND (m.created_at, m.seq) < (?, ?)';
        pageParams.push(createdAt, seq);
      }
      sql += ' ORDER BY m.created_at DESC, m.seq DESC LIMIT ?';
      pageParams.push(limit + 1);
      if (!options.cursor && options.offset) {
        sql += ' OFFSET ?';
        pageParams.push(Math.max(0, Math.floor(options.offset)));
      }
      const rows = this.db.prepare(sql).all(...pageParams) as MemoryRow[];
      const hasMore = rows.length > limit;
      const pageRows = hasMore ? rows.slice(0, limit) : rows;
      const last = pageRows[pageRows.length - 1];
      const page: Page<Memory> = {
        items: pageRows.map(toMemory),
        nextCursor: hasMore && last ? encodeCursor(last) : null,
      };
      if (options.withTotal) {
        page.total = (
          this.db.prepare(`SELECT count(*) AS n FROM memories m WHERE ${where}`).get(...params) as {
            n: number;
          }
        ).n;
      }
      return page;
    });
  }

  async search(query: string, filter: MemoryFilter, options: SearchOptions = {}): Promise<SearchHit[]> {
    const limit = clampLimit(options.limit, SEARCH_LIMIT);
    const filtered = filterSql(filter);
    const onlyUser = Object.entries(filter).every(([k, v]) => k === 'userId' || v === undefined);
    const window = options.preview ? PREVIEW_RANK_WINDOW : RANK_WINDOW;
    return this.run(() => {
      const frequencies = this.frequencies();
      const run = (match: string): SearchHit[] => {
        const ranked = onlyUser
          ? this.rankForUser(match, frequencies, filter.userId, limit, window)
          : this.rankFiltered(match, frequencies, filtered, limit, window);
        if (ranked.length === 0) return [];
        const rows = this.db
          .prepare(`SELECT ${MEMORY_COLUMNS} FROM memories WHERE seq IN (${ranked.map(() => '?').join(',')})`)
          .all(...ranked.map((r) => r.seq)) as MemoryRow[];
        const bySeq = new Map(rows.map((r) => [r.seq, r]));
        return ranked.flatMap((r) => {
          const row = bySeq.get(r.seq);
          if (!row) return [];
          return [{ memory: toMemory(row), score: -r.score, snippet: textExcerpt(row.text, query) }];
        });
      };
      const q = toFtsQuery(query, { prefix: options.prefix ?? false });
      if (!q) return [];
      let hits = run(q.all);
      // A half-typed word may differ from its stem in the index: try it trimmed.
      if (hits.length === 0 && q.loose !== q.all) hits = run(q.loose);
      if (hits.length === 0 && q.terms.length > 1) hits = this.searchFewerWords(q.terms, frequencies, run);
      return hits;
    });
  }

  /**
   * No memory has every word: leaves out the words found nowhere, then the one the most memories
   * have, one at a time, until some memory has all that are left; those are ranked by BM25 as usual.
   * (Ranking any-word matches instead let the newest RANK_WINDOW uses of the commonest word crowd
   * out every older memory with a rare one, which BM25 would have put first.) The word being typed
   * (a prefix) is kept the longest: it is what the person is looking for now, and telling how common
   * it is would merge the posting lists of every word it starts. Found nowhere, it is left out.
   */
  private searchFewerWords(
    terms: string[],
    frequencies: Frequencies,
    run: (match: string) => SearchHit[],
  ): SearchHit[] {
    const typing = terms.filter((t) => t.endsWith('*'));
    const words = terms
      .filter((t) => !t.endsWith('*') && frequencies(t) > 0)
      .sort((a, b) => frequencies(a) - frequencies(b));
    for (const kept of [[...typing, ...words], typing.length > 0 ? words : []]) {
      // All of the terms together is the search that found nothing.
      for (let n = kept.length === terms.length ? kept.length - 1 : kept.length; n > 0; n--) {
        const hits = run(allOf(kept.slice(0, n)));
        if (hits.length > 0) return hits;
      }
    }
    return [];
  }

  /**
   * How many memories have a term, estimated from the spread of its newest matches (exact for a
   * term with fewer than FREQUENCY_SAMPLE): a full count reads the whole posting list, ~4 ms for a
   * word in half of 100,000 memories. Each term is sampled once per search.
   */
  private frequencies(): Frequencies {
    // Read on first use: a search that finds every word and ranks with bm25() needs none.
    let top: number | undefined;
    const known = new Map<string, number>();
    return (term) => {
      let count = known.get(term);
      if (count === undefined) {
        top ??= (this.stmt.topSeq.get() as number | null) ?? 0;
        const { seen, oldest } = this.stmt.newestMatches.get(term, FREQUENCY_SAMPLE) as {
          seen: number;
          oldest: number | null;
        };
        // A span that is not positive: another process added matches since `top` was read.
        const span = top - (oldest ?? 0) + 1;
        count = seen < FREQUENCY_SAMPLE || span <= 0 ? seen : (seen * top) / span;
        known.set(term, count);
      }
      return count;
    };
  }

  /**
   * The ranking function for a query and its arguments. bm25_df is given each phrase's estimated
   * frequency, except for a prefix (estimating it would merge the posting lists of every word it
   * starts), where it counts them as bm25() does.
   */
  private rankFunction(match: string, frequencies: Frequencies): { sql: string; args: number[] } {
    if (this.ranking.fn === 'bm25') return { sql: 'bm25(memories_fts)', args: [] };
    const phrases = match.match(PHRASE) ?? [];
    if (phrases.length === 0 || phrases.some((p) => p.endsWith('*')))
      return { sql: 'bm25_df(memories_fts)', args: [] };
    return {
      sql: `bm25_df(memories_fts, ${phrases.map(() => '?').join(', ')})`,
      args: phrases.map(frequencies),
    };
  }

  /**
   * Ranks for a caller with no other filter, on the index alone (no row lookup per match), then
   * keeps the caller's. Exact whenever enough remain: any of the caller's memories ranked above
   * those would itself be in the overall top list. Otherwise ranks with the filter joined.
   */
  private rankForUser(
    match: string,
    frequencies: Frequencies,
    userId: string,
    limit: number,
    window: number,
  ): Ranked[] {
    const rank = this.rankFunction(match, frequencies);
    let newest = this.rankStatements.get(rank.sql);
    if (!newest) {
      // The newest `window` matches (FTS5 walks the index newest first and stops there), ranked.
      newest = this.db.prepare(
        `SELECT seq, score FROM (
           SELECT rowid AS seq, ${rank.sql} AS score FROM memories_fts
           WHERE memories_fts MATCH ? ORDER BY rowid DESC LIMIT ?)
         ORDER BY score, seq DESC LIMIT ?`,
      );
      this.rankStatements.set(rank.sql, newest);
    }
    const overall = newest.all(...rank.args, match, window, limit * 4) as Ranked[];
    if (overall.length === 0) return overall;
    const seqs = overall.map((r) => r.seq);
    const mine = new Set(
      this.db
        .prepare(
          // "+user_id": look the few rows up by seq; the user_id index would walk every memory of the user.
          `SELECT seq FROM memories WHERE +user_id = ? AND seq IN (${seqs.map(() => '?').join(',')})`,
        )
        .pluck()
        .all(userId, ...seqs) as number[],
    );
    const kept = overall.filter((r) => mine.has(r.seq));
    if (kept.length >= limit || overall.length < limit * 4) return kept.slice(0, limit);
    return this.rankFiltered(match, frequencies, filterSql({ userId }), limit, window);
  }

  /**
   * The newest `window` matches that pass the filter, ranked (see RANK_WINDOW). A filter on owner and
   * project only is checked from the memories_filter index, which the planner (without statistics)
   * would pass over for the rows themselves.
   */
  private rankFiltered(
    match: string,
    frequencies: Frequencies,
    { where, params, ownerAndProjectOnly }: FilterSql,
    limit: number,
    window: number,
  ): Ranked[] {
    const rank = this.rankFunction(match, frequencies);
    const memories = ownerAndProjectOnly ? 'memories m INDEXED BY memories_filter' : 'memories m';
    // Sorting outside the FTS5 table is cheaper than FTS5's own ORDER BY rank.
    return this.db
      .prepare(
        `SELECT seq, score FROM (
           SELECT f.rowid AS seq, ${rank.sql} AS score FROM memories_fts f JOIN ${memories} ON m.seq = f.rowid
           WHERE memories_fts MATCH ? AND ${where} ORDER BY f.rowid DESC LIMIT ?)
         ORDER BY score LIMIT ?`,
      )
      .all(...rank.args, match, ...params, window, limit) as Ranked[];
  }

  async history(id: string): Promise<HistoryEntry[]> {
    return this.run(() => {
      const entries = (this.stmt.historyOf.all(id) as HistoryRow[]).map(toHistory);
      // An ADD row is stored without its text (it would double the write of every insert); the
      // text added is what the next change replaced, or the memory's current text.
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!;
        if (entry.event !== 'ADD' || entry.newText !== null) continue;
        const next = entries[i + 1];
        entry.newText = next
          ? next.oldText
          : ((this.stmt.byId.get(id) as MemoryRow | undefined)?.text ?? null);
      }
      return entries;
    });
  }

  async deleteAllOfUser(userId: string): Promise<number> {
    return this.run(() =>
      this.db
        .transaction(() => {
          this.writable();
          const { leaving, total } = this.db
            .prepare('SELECT count(*) FILTER (WHERE user_id = ?) AS leaving, count(*) AS total FROM memories')
            .get(userId) as { leaving: number; total: number };
          const staying = total - leaving;
          // Unindexing a memory costs about three times what indexing one anew does: when most of
          // the store goes, the index is rebuilt from what stays (89,000 of 100,000 memories went in
          // ~2 s instead of ~12).
          const rebuild = staying < 2 * leaving;
          if (!rebuild) {
            this.db
              .prepare(
                `INSERT INTO memories_fts (memories_fts, rowid, text)
                 SELECT 'delete', seq, text FROM memories WHERE user_id = ? ORDER BY seq`,
              )
              .run(userId);
          }
          const { changes } = this.db.prepare('DELETE FROM memories WHERE user_id = ?').run(userId);
          if (rebuild) this.db.exec(`INSERT INTO memories_fts (memories_fts) VALUES ('rebuild')`);
          this.db.prepare('DELETE FROM memory_history WHERE user_id = ?').run(userId);
          return changes;
        })
        .immediate(),
    );
  }

  async *export(filter: MemoryFilter): AsyncIterable<Memory> {
    const { where, params } = filterSql(filter);
    const batch = 1000;
    let afterSeq = 0;
    for (;;) {
      const rows = this.run(
        () =>
          this.db
            .prepare(
              `SELECT ${MEMORY_COLUMNS} FROM memories m WHERE ${where} AND m.seq > ? ORDER BY m.seq LIMIT ?`,
            )
            .all(...params, afterSeq, batch) as MemoryRow[],
      );
      for (const row of rows) yield toMemory(row);
      if (rows.length < batch) return;
      afterSeq = rows[rows.length - 1]!.seq;
    }
  }

  /** Distinct projects of a user with their counts (filters in the UI). */
  projects(userId: string): Array<{ projectId: string | null; count: number }> {
    return this.run(
      () =>
        this.db
          .prepare(
            'SELECT project_id AS projectId, count(*) AS count FROM memories WHERE user_id = ? GROUP BY project_id ORDER BY count DESC',
          )
          .all(userId) as Array<{ projectId: string | null; count: number }>,
    );
  }

  async close(): Promise<void> {
    // The database handle belongs to whoever opened it (the core); nothing of ours to release.
  }
}
