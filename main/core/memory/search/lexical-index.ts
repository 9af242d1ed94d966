// The full-text index of the memories and the counts BM25 needs per owner and project. The index is
// an FTS5 table without content of its own (memory text lives in `memories`): it holds what
// analyze() makes of a memory, and forgets a memory by its rowid alone. It records which memories
// hold a word, not where (detail = none): ranking reads the few texts it rescores itself, and the
// positions were much of what an insert wrote. Writes happen inside the caller's transaction, so
// the index and the counts change with the memory or not at all.
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database.js';
import type { ScopeStats } from './bm25.js';
import { filterSql, type FilterSql } from '../filter-sql.js';
import type { MemoryFilter } from '../types.js';
import type { Term } from './query.js';
import { analyze, stem } from './words.js';

/**
 * A prefix is looked for as the words of the index it starts, one FTS5 OR: that reads the newest
 * matches of each word and stops at the cap. FTS5's own prefix query first merges every match of
 * every such word, which is slower up to about this many words, and faster past it.
 */
const MAX_COMPLETIONS = 500;

/** Which memories hold each word, not where: ranking reads the texts it rescores itself. */
const INDEX_TABLE = `CREATE VIRTUAL TABLE memory_index USING fts5 (
      text, content = '', contentless_delete = 1, detail = none,
      tokenize = 'porter unicode61 remove_diacritics 2'
    )`;

/** A schema step: builds the index again when it is of another format than INDEX_TABLE. */
export function updateLexicalIndex(db: Db): void {
  const sql = db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'memory_index'`).pluck().get();
  if (sql !== INDEX_TABLE) createLexicalIndex(db);
}

/**
 * The schema step that makes this index (memory/local-backend.ts applies it with the rest): builds
 * it from every memory's text. It can run again over its own result (a backup of another version
 * restored under an open connection), and then builds the index anew.
 */
export function createLexicalIndex(db: Db): void {
  const columns = db.prepare(`SELECT name FROM pragma_table_info('memories')`).pluck().all() as string[];
  if (!columns.includes('tokens'))
    db.exec('ALTER TABLE memories ADD COLUMN tokens INTEGER NOT NULL DEFAULT 0');
  db.exec(`
    DROP TABLE IF EXISTS memory_vocab;
    DROP TABLE IF EXISTS memory_index;
    ${INDEX_TABLE};
    CREATE VIRTUAL TABLE memory_vocab USING fts5vocab (memory_index, row);
    INSERT INTO memory_index (memory_index, rank) VALUES ('hashsize', 16777216);
    DROP TABLE IF EXISTS memory_counts;
    CREATE TABLE memory_counts (
      user_id TEXT NOT NULL,
      project_key TEXT NOT NULL,
      memories INTEGER NOT NULL,
      tokens INTEGER NOT NULL,
      PRIMARY KEY (user_id, project_key)
    ) WITHOUT ROWID;
    DROP INDEX IF EXISTS memories_filter;
    CREATE INDEX memories_filter ON memories (seq, user_id, project_id, tokens);
    DROP TRIGGER IF EXISTS memories_fts_insert;
    DROP TRIGGER IF EXISTS memories_fts_delete;
    DROP TRIGGER IF EXISTS memories_fts_update;
    DROP TABLE IF EXISTS memories_fts;`);
  // A page at a time: a statement cannot write the table it is still reading.
  const page = db.prepare('SELECT seq, text FROM memories WHERE seq > ? ORDER BY seq LIMIT 1000');
  const index = db.prepare('INSERT INTO memory_index (rowid, text) VALUES (?, ?)');
  const setTokens = db.prepare('UPDATE memories SET tokens = ? WHERE seq = ?');
  for (let after = 0, rows = page.all(after); rows.length > 0; rows = page.all(after)) {
    for (const { seq, text } of rows as Array<{ seq: number; text: string }>) {
      const { indexed, tokens } = analyze(text);
      index.run(seq, indexed);
      setTokens.run(tokens, seq);
      after = seq;
    }
  }
  db.exec(`INSERT INTO memory_counts (user_id, project_key, memories, tokens)
    SELECT user_id, coalesce(project_id, ''), count(*), sum(tokens) FROM memories GROUP BY 1, 2;`);
}

/** A memory as the index knows it. */
export interface IndexedMemory {
  seq: number;
  userId: string;
  projectId: string | null;
  /** Its token count (analyze()). */
  tokens: number;
}

/** The newest memories in a scope that hold a term, and how many there are in all. */
export interface Postings {
  /** Newest first, at most `cap`. */
  matches: Array<{ seq: number; tokens: number }>;
  /** How many memories of the scope hold the term: exact below the cap, estimated above. */
  count: number;
}

/**
 * A word that the index's tokenizer makes the stem `term` of: FTS5 stems a query's words as it
 * stems the text, and most stems are their own stem. A few Porter shortens again ("hous", of
 * "house", to "hou"): those are asked for by a word with an ending Porter takes off again.
 */
function wordFor(term: string): string | null {
  if (stem(term) === term) return term;
  return ENDINGS.map((e) => term + e).find((w) => stem(w) === term) ?? null;
}
const ENDINGS = ['e', 's', 'es', 'ed', 'ing', 'ful', 'ness', 'ly'];

const projectKey = (projectId: string | null | undefined) => projectId ?? '';

export class LexicalIndex {
  private readonly stmt;
  private readonly queries = new Map<string, Statement<unknown[]>>();
  /** Count changes of the batch() under way, by owner and project. */
  private pending: Map<string, { userId: string; key: string; memories: number; tokens: number }> | null =
    null;

  constructor(private readonly db: Db) {
    this.stmt = {
      index: db.prepare('INSERT INTO memory_index (rowid, text) VALUES (?, ?)'),
      unindex: db.prepare('DELETE FROM memory_index WHERE rowid = ?'),
      count: db.prepare(
        `INSERT INTO memory_counts (user_id, project_key, memories, tokens) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id, project_key) DO UPDATE SET
           memories = memories + excluded.memories, tokens = tokens + excluded.tokens`,
      ),
      forgetCounts: db.prepare('DELETE FROM memory_counts WHERE user_id = ?'),
      unindexUser: db.prepare(
        'DELETE FROM memory_index WHERE rowid IN (SELECT seq FROM memories WHERE user_id = ?)',
      ),
      statsOfUser: db.prepare(
        'SELECT coalesce(sum(memories), 0) AS memories, coalesce(sum(tokens), 0) AS tokens FROM memory_counts WHERE user_id = ?',
      ),
      statsOfProject: db.prepare(
        'SELECT memories, tokens FROM memory_counts WHERE user_id = ? AND project_key = ?',
      ),
      createdAt: db.prepare('SELECT created_at FROM memories WHERE seq = ?').pluck(),
      completions: db.prepare('SELECT term FROM memory_vocab WHERE term >= ? AND term < ? LIMIT ?').pluck(),
    };
  }

  /**
   * Runs many writes (inside their transaction) with one update of each owner and project's counts
   * at the end instead of one per memory: an import or restore writes the same few rows each time.
   */
  batch<T>(writes: () => T): T {
    if (this.pending) return writes();
    this.pending = new Map();
    try {
      const result = writes();
      for (const c of this.pending.values()) this.stmt.count.run(c.userId, c.key, c.memories, c.tokens);
      return result;
    } finally {
      this.pending = null;
    }
  }

  private count(memory: IndexedMemory, memories: number, tokens: number): void {
    const key = projectKey(memory.projectId);
    if (!this.pending) {
      this.stmt.count.run(memory.userId, key, memories, tokens);
      return;
    }
    // Owner and project ids are any strings: the pair is kept apart by JSON.
    const id = JSON.stringify([memory.userId, key]);
    const c = this.pending.get(id);
    if (c) {
      c.memories += memories;
      c.tokens += tokens;
    } else this.pending.set(id, { userId: memory.userId, key, memories, tokens });
  }

  /** Indexes a new memory's text (inside the write's transaction); `indexed`: analyze(text). */
  add(memory: IndexedMemory, indexed: string): void {
    this.stmt.index.run(memory.seq, indexed);
    this.count(memory, 1, memory.tokens);
  }

  remove(memory: IndexedMemory): void {
    this.stmt.unindex.run(memory.seq);
    this.count(memory, -1, -memory.tokens);
  }

  /** A memory's text changed: `memory.tokens` is the old text's count; returns the new one's. */
  replace(memory: IndexedMemory, text: string): number {
    const { indexed, tokens } = analyze(text);
    this.stmt.unindex.run(memory.seq);
    this.stmt.index.run(memory.seq, indexed);
    this.count(memory, 0, tokens - memory.tokens);
    return tokens;
  }

  /** Forgets every memory of a user (before their rows are deleted). */
  forgetUser(userId: string): void {
    this.stmt.unindexUser.run(userId);
    this.stmt.forgetCounts.run(userId);
  }

  /**
   * The statistics of the memories a filter's owner may be searched in: the owner's, or the
   * owner's in one project. Narrower filters (source, time, conversation) rank with these too.
   */
  stats(filter: MemoryFilter): ScopeStats {
    if (filter.projectId === undefined) return this.stmt.statsOfUser.get(filter.userId) as ScopeStats;
    return (
      (this.stmt.statsOfProject.get(filter.userId, projectKey(filter.projectId)) as
        ScopeStats | undefined) ?? {
        memories: 0,
        tokens: 0,
      }
    );
  }

  /** The FTS5 query for a term: a prefix as the words it starts (see MAX_COMPLETIONS). */
  matchOf(term: Term): string {
    if (!term.prefix) return term.match;
    // Every word that starts with the prefix sorts between it and it followed by the last character.
    const range = [term.stem, `${term.stem}\u{10FFFF}`];
    let words = this.stmt.completions.all(...range, MAX_COMPLETIONS + 1) as string[];
    if (words.length > MAX_COMPLETIONS) {
      // FTS5's own prefix query, where it looks for the same words (the start is its own stem).
      if (stem(term.stem) === term.stem) return term.match;
      words = this.stmt.completions.all(...range, -1) as string[];
    }
    // And the word as typed, as the full search looks for it ("ties" is "ti").
    const asked = [term.word, ...words.map(wordFor).filter((w) => w !== null)];
    return asked.map((w) => `"${w}"`).join(' OR ');
  }

  /**
   * The newest `cap` memories of the filter's scope that match an FTS5 query, and how many match in
   * all: exact up to the cap; above it, estimated from the share of the scope the matches span
   * (the rest of the scope taken to hold the term as often).
   */
  postings(match: string, filter: MemoryFilter, stats: ScopeStats, cap: number): Postings {
    const where = filterSql(filter);
    const rows = this.newest(match, where, cap + 1);
    if (rows.length <= cap) return { matches: rows, count: rows.length };
    const matches = rows.slice(0, cap);
    const spanned = this.spannedShare(where, this.stmt.createdAt.get(matches[cap - 1]!.seq) as string);
    return { matches, count: Math.min(stats.memories, Math.max(cap, cap / spanned)) };
  }

  /** The newest `cap` memories of the filter's scope older than `before` that match an FTS5 query. */
  matchesBefore(match: string, filter: MemoryFilter, before: number, cap: number): Postings['matches'] {
    return this.newest(match, filterSql(filter), cap, before);
  }

  private newest(match: string, where: FilterSql, limit: number, before = Number.MAX_SAFE_INTEGER) {
    const statement = this.query(
      `postings:${where.where}`,
      `SELECT f.rowid AS seq, m.tokens AS tokens FROM memory_index f
         JOIN memories m ${where.ownerAndProjectOnly ? 'INDEXED BY memories_filter' : ''} ON m.seq = f.rowid
       WHERE memory_index MATCH ? AND f.rowid < ? AND ${where.where} ORDER BY f.rowid DESC LIMIT ?`,
    );
    try {
      return statement.all(match, before, ...where.params, limit) as Postings['matches'];
    } catch (err) {
      // A word with a letter newer than SQLite's Unicode tables is several tokens to the index, a
      // phrase, which an index without positions cannot look for: it is found in no memory.
      if (err instanceof Error && /phrase queries are not supported/.test(err.message)) return [];
      throw err;
    }
  }

  /**
   * The share of the scope's memories created at or after `since`. Counting them costs as much as
   * there are; where the scope is owner and project alone, it is taken from the time they span (one
   * index lookup each for the oldest and newest), and counted only when that says nothing.
   */
  private spannedShare(where: FilterSql, since: string): number {
    if (where.ownerAndProjectOnly) {
      const { oldest, newest } = this.query(
        `ends:${where.where}`,
        `SELECT (SELECT min(m.created_at) FROM memories m WHERE ${where.where}) AS oldest,
                (SELECT max(m.created_at) FROM memories m WHERE ${where.where}) AS newest`,
      ).get(...where.params, ...where.params) as { oldest: string; newest: string };
      const whole = Date.parse(newest) - Date.parse(oldest);
      const share = (Date.parse(newest) - Date.parse(since)) / whole;
      if (whole > 0 && share > 0 && share <= 1) return share;
    }
    const [spanned, all] = this.query(
      `span:${where.where}`,
      `SELECT count(*) FILTER (WHERE m.created_at >= ?), count(*) FROM memories m WHERE ${where.where}`,
    )
      .raw()
      .get(since, ...where.params) as [number, number];
    return all > 0 ? Math.max(spanned, 1) / all : 1;
  }

  private query(key: string, sql: string): Statement<unknown[]> {
    let statement = this.queries.get(key);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.queries.set(key, statement);
    }
    return statement;
  }
}
