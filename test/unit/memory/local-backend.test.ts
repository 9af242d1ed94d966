import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyMigrations, openDatabase } from '../../../main/core/db/database.js';
import {
  LocalMemoryBackend,
  MEMORY_MIGRATIONS,
  PREVIEW_RANK_WINDOW,
  RANK_WINDOW,
} from '../../../main/core/memory/local-backend.js';
import { SNIPPET_MARK } from '../../../main/core/memory/types.js';
import { runMemoryBackendContract } from '../../contract/memory-backend.contract.js';
import { tempDir } from '../../support/tmp.js';

runMemoryBackendContract('local SQLite', async () => {
  const db = openDatabase(path.join(tempDir(), 'mem0-tray.db'));
  const backend = new LocalMemoryBackend(db);
  const close = backend.close.bind(backend);
  backend.close = async () => {
    await close();
    db.close();
  };
  return backend;
});

// What the local store ranks (its own choices, beyond the contract every backend meets).
describe('local store ranking windows', () => {
  it('ranks the newest RANK_WINDOW matches for a search, and the newest PREVIEW_RANK_WINDOW for a preview', async () => {
    const db = openDatabase(path.join(tempDir(), 'mem0-tray.db'));
    const backend = new LocalMemoryBackend(db);
    const base = Date.UTC(2025, 0, 1);
    // The oldest memory is the best match by far; 1,500 newer ones mention the word once in long text.
    const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor '.repeat(4);
    backend.addBatch([
      { userId: 'u', text: 'zebra zebra zebra', source: 'manual', createdAt: new Date(base).toISOString() },
      ...Array.from({ length: 1500 }, (_, i) => ({
        userId: 'u',
        text: `${filler} zebra ${i}`,
        source: 'manual' as const,
        createdAt: new Date(base + (i + 1) * 1000).toISOString(),
      })),
    ]);
    expect(PREVIEW_RANK_WINDOW).toBeLessThan(1500);
    expect(RANK_WINDOW).toBeGreaterThan(1501);
    const full = await backend.search('zebr', { userId: 'u' }, { limit: 10, prefix: true });
    expect(full[0]!.memory.text).toBe('zebra zebra zebra');
    expect(full[0]!.snippet).toContain(`${SNIPPET_MARK.open}zebra${SNIPPET_MARK.close}`);
    const preview = await backend.search('zebr', { userId: 'u' }, { limit: 10, prefix: true, preview: true });
    expect(preview).toHaveLength(10);
    expect(preview.map((h) => h.memory.text)).not.toContain('zebra zebra zebra');
    await backend.close();
    db.close();
  });
  it('ranks the newest RANK_WINDOW matches that pass a filter, whatever other projects hold', async () => {
    const db = openDatabase(path.join(tempDir(), 'mem0-tray.db'));
    const backend = new LocalMemoryBackend(db);
    const base = Date.UTC(2025, 0, 1);
    let at = 0;
    const filler = (projectId: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        userId: 'u',
        projectId,
        text: `lorem ipsum dolor sit amet consectetur adipiscing elit ${projectId} zebra ${i}`,
        source: 'manual' as const,
        createdAt: new Date(base + ++at * 1000).toISOString(),
      }));
    // The best match is project a's oldest memory; project b's 3,000 newer matches come after it.
    backend.addBatch([
      {
        userId: 'u',
        projectId: 'a',
        text: 'zebra zebra zebra',
        source: 'manual',
        createdAt: new Date(base).toISOString(),
      },
      ...filler('a', 1000),
      ...filler('b', 3000),
    ]);
    const inA = () => backend.search('zebra', { userId: 'u', projectId: 'a' }, { limit: 5 });
    const found = await inA();
    expect(found[0]!.memory.text).toBe('zebra zebra zebra');
    expect(found.every((h) => h.memory.projectId === 'a')).toBe(true);
    // Project a's own newer matches do push it out of the window.
    backend.addBatch(filler('a', RANK_WINDOW));
    expect((await inA()).map((h) => h.memory.text)).not.toContain('zebra zebra zebra');
    await backend.close();
    db.close();
  });
});

describe('local store search when no memory has every word', () => {
  const texts = (hits: Array<{ memory: { text: string } }>) => hits.map((h) => h.memory.text).sort();
  it('leaves out the word the most memories have, then ranks the memories with the rest', async () => {
    const db = openDatabase(path.join(tempDir(), 'mem0-tray.db'));
    const backend = new LocalMemoryBackend(db);
    backend.addBatch([
      ...Array.from({ length: 30 }, (_, i) => ({
        userId: 'u',
        text: `postgres upgrade ${i}`,
        source: 'manual' as const,
      })),
      { userId: 'u', text: 'vacuum ran for an hour on the orders table', source: 'manual' },
      { userId: 'u', text: 'autovacuum settings: vacuum cost limit raised', source: 'manual' },
    ]);
    const hits = await backend.search('postgres vacuum', { userId: 'u' });
    expect(texts(hits)).toEqual([
      'autovacuum settings: vacuum cost limit raised',
      'vacuum ran for an hour on the orders table',
    ]);
    expect(hits[0]!.snippet).toContain(`${SNIPPET_MARK.open}vacuum${SNIPPET_MARK.close}`);
    // A word found nowhere goes first; the two that are left still must both be there.
    backend.addBatch([{ userId: 'u', text: 'postgres vacuum full locks the table', source: 'manual' }]);
    expect(texts(await backend.search('postgres vacuum qqxzv', { userId: 'u' }))).toEqual([
      'postgres vacuum full locks the table',
    ]);
    // Three words, no memory with all: the two rarer ones together.
    expect(texts(await backend.search('vacuum orders upgrade', { userId: 'u' }))).toEqual([
      'vacuum ran for an hour on the orders table',
    ]);
    expect(await backend.search('qqxzv zzqxw', { userId: 'u' })).toEqual([]);
    // While typing, the half-typed word is kept the longest, and left out only if found nowhere.
    const typed = (text: string) => backend.search(text, { userId: 'u' }, { prefix: true });
    expect(texts(await typed('upgrade orders vacu'))).toEqual(['vacuum ran for an hour on the orders table']);
    expect(texts(await typed('upgrade vacu'))).toEqual([
      'autovacuum settings: vacuum cost limit raised',
      'postgres vacuum full locks the table',
      'vacuum ran for an hour on the orders table',
    ]);
    expect(await typed('orders qqxz')).toHaveLength(1);
    await backend.close();
    db.close();
  });
  it('finds an old memory with the rare word behind more than RANK_WINDOW newer ones with the common word', async () => {
    const db = openDatabase(path.join(tempDir(), 'mem0-tray.db'));
    const backend = new LocalMemoryBackend(db);
    const base = Date.UTC(2025, 0, 1);
    backend.addBatch([
      {
        userId: 'u',
        text: 'the kafka consumer group rebalanced',
        source: 'manual',
        createdAt: new Date(base).toISOString(),
      },
      ...Array.from({ length: RANK_WINDOW + 100 }, (_, i) => ({
        userId: 'u',
        text: `deploy number ${i} went out`,
        source: 'manual' as const,
        createdAt: new Date(base + (i + 1) * 1000).toISOString(),
      })),
    ]);
    // Ranking any-word matches looked only at the newest RANK_WINDOW of them: all "deploy".
    expect(texts(await backend.search('deploy rebalanced', { userId: 'u' }))).toEqual([
      'the kafka consumer group rebalanced',
    ]);
    await backend.close();
    db.close();
  });
});

describe('local store full-text index', () => {
  const integrityCheck = (db: ReturnType<typeof openDatabase>) =>
    // For a table with external content, FTS5 checks the index against the memories table itself.
    db.exec(`INSERT INTO memories_fts (memories_fts, rank) VALUES ('integrity-check', 1)`);

  it('indexes each memory exactly once, in a new database and in one made before inserts were indexed in code', async () => {
    const file = path.join(tempDir(), 'mem0-tray.db');
    // A database of the first schema, whose insert trigger indexed the text.
    const old = openDatabase(file);
    applyMigrations(old, 'memories', MEMORY_MIGRATIONS.slice(0, 1));
    old
      .prepare(
        `INSERT INTO memories (id, user_id, text, source, created_at, updated_at)
         VALUES ('old-1', 'u', 'walrus written by the first schema', 'manual', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')`,
      )
      .run();
    old.close();

    const db = openDatabase(file);
    const backend = new LocalMemoryBackend(db);
    await backend.add({ userId: 'u', text: 'walrus added one by one', source: 'manual' });
    backend.addBatch([
      { userId: 'u', text: 'walrus in a batch', source: 'manual' },
      { userId: 'u', text: 'narwhal in a batch', source: 'manual' },
    ]);
    const [edited] = await backend.add({ userId: 'u', text: 'walrus before an edit', source: 'manual' });
    await backend.update(edited!.id, { text: 'seal after an edit' });
    expect(() => integrityCheck(db)).not.toThrow();
    const texts = (await backend.search('walrus', { userId: 'u' }, { limit: 10 })).map((h) => h.memory.text);
    expect(texts.sort()).toEqual([
      'walrus added one by one',
      'walrus in a batch',
      'walrus written by the first schema',
    ]);
    expect((await backend.search('seal', { userId: 'u' })).map((h) => h.memory.id)).toEqual([edited!.id]);
    expect(await backend.delete(edited!.id)).toBe(true);
    expect(await backend.search('seal', { userId: 'u' })).toEqual([]);
    expect(() => integrityCheck(db)).not.toThrow();
    // The old database got the larger pending-terms buffer too (FTS5 keeps it in its config table).
    expect(db.prepare(`SELECT v FROM memories_fts_config WHERE k = 'hashsize'`).pluck().get()).toBe(16777216);
    db.close();
  });

  it('keeps the index in step through deletes of many and of all of a user’s memories', async () => {
    const db = openDatabase(path.join(tempDir(), 'mem0-tray.db'));
    const backend = new LocalMemoryBackend(db);
    const add = (userId: string, n: number) =>
      backend.addBatch(
        Array.from({ length: n }, (_, i) => ({
          userId,
          text: `walrus ${userId} ${i}`,
          source: 'manual' as const,
        })),
      );
    const [a, b, c, d] = add('u', 4).map((m) => m.id);
    const [theirs] = add('v', 1).map((m) => m.id);
    // Out of rowid order, repeated, and one of someone else's: each of u's deleted once, v's kept.
    expect(backend.deleteMany('u', [c!, a!, c!, theirs!, b!])).toEqual([c, a, b]);
    expect(() => integrityCheck(db)).not.toThrow();
    expect((await backend.search('walrus', { userId: 'u' })).map((h) => h.memory.id)).toEqual([d]);
    expect((await backend.history(c!)).map((h) => h.event)).toEqual(['ADD', 'DELETE']);

    // A user with a few of the store's memories (their words are unindexed), then one with most
    // (the index is rebuilt from what stays).
    add('w', 20);
    add('big', 60);
    expect(await backend.deleteAllOfUser('u')).toBe(1);
    expect(() => integrityCheck(db)).not.toThrow();
    expect(await backend.deleteAllOfUser('big')).toBe(60);
    expect(() => integrityCheck(db)).not.toThrow();
    expect(await backend.search('walrus', { userId: 'big' })).toEqual([]);
    expect(await backend.search('walrus', { userId: 'w' }, { limit: 50 })).toHaveLength(20);
    expect((await backend.search('walrus', { userId: 'v' })).map((h) => h.memory.id)).toEqual([theirs]);
    db.close();
  });

  it('checks the schema again when another process changed it, before a write touches the index', async () => {
    const file = path.join(tempDir(), 'mem0-tray.db');
    const db = openDatabase(file);
    const backend = new LocalMemoryBackend(db);
    const [kept, gone] = backend.addBatch([
      { userId: 'u', text: 'walrus kept', source: 'manual' },
      { userId: 'u', text: 'walrus gone', source: 'manual' },
    ]);
    // A restore of an older backup, seen by this open connection: the index triggers are back.
    const other = openDatabase(file);
    const firstSchemaTriggers = (MEMORY_MIGRATIONS[0] as string).match(
      /CREATE TRIGGER memories_fts_(delete|update)\b[\s\S]*?END;/g,
    )!;
    expect(firstSchemaTriggers).toHaveLength(2);
    other.exec(firstSchemaTriggers.join('\n'));
    other.exec(`UPDATE schema_migrations SET version = 2 WHERE module = 'memories';`);
    // Unindexed by the trigger and again in code, the index would no longer match the table.
    expect(await backend.delete(gone!.id)).toBe(true);
    expect(() => integrityCheck(db)).not.toThrow();
    expect((await backend.search('walrus', { userId: 'u' })).map((h) => h.memory.id)).toEqual([kept!.id]);

    // A newer Mem0 Tray migrated the file meanwhile: no write, and the error says what to do.
    other.exec(
      `UPDATE schema_migrations SET version = 99 WHERE module = 'memories'; CREATE TABLE later (x);`,
    );
    await expect(backend.add({ userId: 'u', text: 'walrus', source: 'manual' })).rejects.toThrow(
      /newer Mem0 Tray/,
    );
    other.close();
    db.close();
  });

  it('rolls the index back with the memory when an insert fails part-way through a batch', async () => {
    const db = openDatabase(path.join(tempDir(), 'mem0-tray.db'));
    const backend = new LocalMemoryBackend(db);
    expect(() =>
      backend.addBatch([
        { userId: 'u', text: 'walrus that will be rolled back', source: 'manual' },
        { userId: 'u', text: '   ', source: 'manual' },
      ]),
    ).toThrow(/non-empty text/);
    expect(await backend.search('walrus', { userId: 'u' })).toEqual([]);
    expect(() => integrityCheck(db)).not.toThrow();
    db.close();
  });
});
