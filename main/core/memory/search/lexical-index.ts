// The full-text index of the memories and the counts BM25 needs per owner and project. The index is
// an FTS5 table without content of its own (memory text lives in `memories`): it holds what
// indexText() makes of a memory, and forgets a memory by its rowid alone. Writes happen inside the
// caller's transaction, so the index and the counts change with the memory or not at all.
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database.js';
import type { ScopeStats } from './bm25.js';
import { filterSql, type FilterSql } from '../filter-sql.js';
import type { MemoryFilter } from '../types.js';
import { analyze } from './words.js';

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
    DROP TABLE IF EXISTS memory_index;
    CREATE VIRTUAL TABLE memory_index USING fts5 (
      text, content = '', contentless_delete = 1,
      tokenize = 'porter unicode61 remove_diacritics 2'
    );
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
  /** tokenCount() of its text. */
  tokens: number;
}

/** The newest memories in a scope that hold a term, and how many there are in all. */
export interface Postings {
  /** Newest first, at most `cap`. */
  matches: Array<{ seq: number; tokens: number }>;
  /** How many memories of the scope hold the term: exact below the cap, estimated above. */
  count: number;
}

const projectKey = (projectId: string | null | undefined) => projectId ?? '';

export class LexicalIndex {
  private readonly stmt;
  private readonly queries = new Map<string, Statement<unknown[]>>();

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
    };
  }

  /** Indexes a new memory's text (inside the write's transaction); `indexed`: analyze(text). */
  add(memory: IndexedMemory, indexed: string): void {
    this.stmt.index.run(memory.seq, indexed);
    this.stmt.count.run(memory.userId, projectKey(memory.projectId), 1, memory.tokens);
  }

  remove(memory: IndexedMemory): void {
    this.stmt.unindex.run(memory.seq);
    this.stmt.count.run(memory.userId, projectKey(memory.projectId), -1, -memory.tokens);
  }

  /** A memory's text changed: `memory.tokens` is the old text's count; returns the new one's. */
  replace(memory: IndexedMemory, text: string): number {
    const { indexed, tokens } = analyze(text);
    this.stmt.unindex.run(memory.seq);
    this.stmt.index.run(memory.seq, indexed);
    this.stmt.count.run(memory.userId, projectKey(memory.projectId), 0, tokens - memory.tokens);
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

  /**
   * The newest `cap` memories of the filter's scope that match an FTS5 query, and how many match in
   * all: exact up to the cap; above it, estimated from the share of the scope the matches span
   * (the rest of the scope taken to hold the term as often).
   */
  postings(match: string, filter: MemoryFilter, stats: ScopeStats, cap: number): Postings {
    const where = filterSql(filter);
    const rows = this.query(
      `postings:${where.where}`,
      `SELECT f.rowid AS seq, m.tokens AS tokens FROM memory_index f
         JOIN memories m ${where.ownerAndProjectOnly ? 'INDEXED BY memories_filter' : ''} ON m.seq = f.rowid
       WHERE memory_index MATCH ? AND ${where.where} ORDER BY f.rowid DESC LIMIT ?`,
    ).all(match, ...where.params, cap + 1) as Array<{ seq: number; tokens: number }>;
    if (rows.length <= cap) return { matches: rows, count: rows.length };
    const matches = rows.slice(0, cap);
    const spanned = this.spannedShare(where, this.stmt.createdAt.get(matches[cap - 1]!.seq) as string);
    return { matches, count: Math.min(stats.memories, Math.max(cap, cap / spanned)) };
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
