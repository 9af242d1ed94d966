// The embedded default store: SQLite with FTS5 (BM25 ranking) and a history of every
// change. Deletes are hard deletes, so a deleted memory leaves list, search and export at once.
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
  type NewMemory,
  type Page,
  type ProjectCount,
  type SearchHit,
  type SearchOptions,
} from './types.js';
import { textExcerpt } from './excerpt.js';
import { filterSql, isoTime } from './filter-sql.js';
import { MEMORY_MIGRATIONS } from './local-migrations.js';
import {
  decodeCursor,
  encodeCursor,
  indexed,
  MEMORY_COLUMNS,
  toHistory,
  toMemory,
  type HistoryRow,
  type MemoryRow,
} from './local-rows.js';
import { newId } from './memory-ids.js';
import { LexicalIndex } from './search/lexical-index.js';
import { parseQuery } from './search/query.js';
import { PREVIEW_TERM_CAP, rankLexical, TERM_CAP, type RankOptions } from './search/rank.js';
import { analyze } from './search/words.js';

export { MEMORY_MIGRATIONS };

export class LocalMemoryBackend implements MemoryBackend {
  readonly kind = 'local' as const;
  private readonly file: string;
  private readonly stmt;
  /** The database's schema cookie when this connection last checked its migrations. */
  private checkedSchema: number;

  private readonly index: LexicalIndex;

  /** `ranking`: other BM25 parameters or proximity weight (the recall benchmark's sweep). */
  constructor(
    private readonly db: Db,
    private readonly ranking: Pick<RankOptions, 'bm25' | 'proximity'> = {},
  ) {
    this.file = db.name;
    applyMigrations(db, 'memories', MEMORY_MIGRATIONS);
    this.index = new LexicalIndex(db);
    this.stmt = withDbErrors(this.file, () => ({
      schemaCookie: db.prepare('PRAGMA schema_version').pluck(),
      insert: db.prepare(
        `INSERT INTO memories (id, user_id, project_id, text, source, conversation_id, model, metadata,
           idempotency_key, created_at, updated_at, tokens)
         VALUES (@id, @user_id, @project_id, @text, @source, @conversation_id, @model, @metadata,
           @idempotency_key, @created_at, @updated_at, @tokens)`,
      ),
      byId: db.prepare(`SELECT ${MEMORY_COLUMNS} FROM memories WHERE id = ?`),
      byKey: db.prepare(`SELECT ${MEMORY_COLUMNS} FROM memories WHERE idempotency_key = ?`),
      history: db.prepare(
        `INSERT INTO memory_history (id, memory_id, user_id, event, old_text, new_text, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      historyOf: db.prepare(
        'SELECT id, memory_id, user_id, event, old_text, new_text, created_at FROM memory_history WHERE memory_id = ? ORDER BY seq',
      ),
      update: db.prepare(
        'UPDATE memories SET text = ?, metadata = ?, updated_at = ?, tokens = ? WHERE id = ?',
      ),
      delete: db.prepare('DELETE FROM memories WHERE seq = ?'),
      // The seqs as one JSON array: one statement for any number of them, prepared once.
      bySeqs: db.prepare(
        `SELECT ${MEMORY_COLUMNS} FROM memories WHERE seq IN (SELECT value FROM json_each(?))`,
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
    const { indexed, tokens } = analyze(input.text);
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
      tokens,
    };
    const seq = Number(this.stmt.insert.run(row).lastInsertRowid);
    this.index.add({ seq, userId: row.user_id, projectId: row.project_id, tokens }, indexed);
    // The ADD entry's text is not written twice: history() derives it (see there).
    this.stmt.history.run(newId(), row.id, row.user_id, 'ADD', null, null, createdAt);
    return toMemory({ ...row, seq });
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
    return this.run(() =>
      this.db.transaction(() => this.index.batch(() => inputs.map((i) => this.insertOne(i)))).immediate(),
    );
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
          const tokens = text === row.text ? row.tokens : this.index.replace(indexed(row), text);
          this.stmt.update.run(text, metadata, now, tokens, id);
          this.stmt.history.run(newId(), id, row.user_id, 'UPDATE', row.text, text, now);
          return toMemory({ ...row, text, metadata, updated_at: now, tokens });
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
      this.index.remove(indexed(row));
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
    const parsed = parseQuery(query, { prefix: options.prefix ?? false });
    if (!parsed) return [];
    return this.run(() => {
      const rows = new Map<number, MemoryRow>();
      const textOf = (seqs: number[]) => {
        const wanted = seqs.filter((seq) => !rows.has(seq));
        if (wanted.length > 0) {
          const found = this.stmt.bySeqs.all(JSON.stringify(wanted)) as MemoryRow[];
          for (const row of found) rows.set(row.seq, row);
        }
        return new Map(seqs.flatMap((seq) => (rows.has(seq) ? [[seq, rows.get(seq)!.text] as const] : [])));
      };
      const ranked = rankLexical(this.index, parsed, filter, limit, textOf, {
        ...this.ranking,
        cap: options.preview ? PREVIEW_TERM_CAP : TERM_CAP,
      });
      textOf(ranked.map((r) => r.seq));
      return ranked.flatMap((r) => {
        const row = rows.get(r.seq);
        return row
          ? [
              {
                memory: toMemory(row),
                score: r.score,
                snippet: textExcerpt(row.text, query),
                matched: r.matched,
              },
            ]
          : [];
      });
    });
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
          this.index.forgetUser(userId);
          const { changes } = this.db.prepare('DELETE FROM memories WHERE user_id = ?').run(userId);
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
  async projects(userId: string): Promise<ProjectCount[]> {
    return this.run(
      () =>
        this.db
          .prepare(
            'SELECT project_id AS projectId, count(*) AS count FROM memories WHERE user_id = ? GROUP BY project_id ORDER BY count DESC',
          )
          .all(userId) as ProjectCount[],
    );
  }

  async close(): Promise<void> {
    // The database handle belongs to whoever opened it (the core); nothing of ours to release.
  }
}
