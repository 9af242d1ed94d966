import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyMigrations, openDatabase } from '../../../main/core/db/database.js';
import { LocalMemoryBackend, MEMORY_MIGRATIONS } from '../../../main/core/memory/local-backend.js';
import { TERM_CAP } from '../../../main/core/memory/search/rank.js';
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

// What the local store finds and ranks (its own choices, beyond the contract every backend meets).
const texts = (hits: Array<{ memory: { text: string } }>) => hits.map((h) => h.memory.text);
const newStore = () => {
  const db = openDatabase(path.join(tempDir(), 'mem0-tray.db'));
  return { db, backend: new LocalMemoryBackend(db) };
};

describe('local store search: any content word finds a memory', () => {
  it('answers a question in its own words: question forms, stop words and punctuation never empty it', async () => {
    const { db, backend } = newStore();
    backend.addBatch([
      {
        userId: 'u',
        text: 'Gina: I designed a new logo and shelves for my clothing store!',
        source: 'manual',
      },
      { userId: 'u', text: 'Jon: We visited Paris and then Rome on the tour.', source: 'manual' },
      { userId: 'u', text: 'Jon: My dance studio opens next week.', source: 'manual' },
    ]);
    // Every word required (the old strategy) found nothing for these.
    expect(texts(await backend.search('What did Gina design for her store?', { userId: 'u' }))[0]).toMatch(
      /logo/,
    );
    expect(texts(await backend.search('Which cities has Jon visited?', { userId: 'u' }))[0]).toMatch(/Paris/);
    expect(await backend.search('What did she do? Why?', { userId: 'u' })).toEqual([]);
    // Only stop words: searched as they are rather than not at all.
    expect(texts(await backend.search('and then', { userId: 'u' }))[0]).toBe(
      'Jon: We visited Paris and then Rome on the tour.',
    );
    db.close();
  });

  it('ranks memories with more of the words, and rarer words, higher; words side by side higher still', async () => {
    const { db, backend } = newStore();
    backend.addBatch([
      ...Array.from({ length: 20 }, (_, i) => ({
        userId: 'u',
        text: `mysql upgrade ${i}`,
        source: 'manual' as const,
      })),
      { userId: 'u', text: 'vacuum ran for an hour on the orders table', source: 'manual' },
      { userId: 'u', text: 'postgres vacuum full locks the orders table', source: 'manual' },
      { userId: 'u', text: 'the orders table got a vacuum, then postgres was restarted', source: 'manual' },
    ]);
    const hits = await backend.search('postgres vacuum full', { userId: 'u' });
    expect(texts(hits).slice(0, 3)).toEqual([
      'postgres vacuum full locks the orders table',
      'the orders table got a vacuum, then postgres was restarted',
      'vacuum ran for an hour on the orders table',
    ]);
    const { text, matches } = hits[0]!.snippet;
    expect(matches.map(([a, b]) => text.slice(a, b))).toContain('vacuum');
    // A word found nowhere leaves the others to find what they find.
    expect(texts(await backend.search('vacuum qqxzv', { userId: 'u' }))).toHaveLength(3);
    expect(await backend.search('qqxzv zzqxw', { userId: 'u' })).toEqual([]);
    db.close();
  });

  it('finds an old memory with a rare word behind more than TERM_CAP newer ones with a common word', async () => {
    const { db, backend } = newStore();
    const base = Date.UTC(2025, 0, 1);
    backend.addBatch([
      {
        userId: 'u',
        text: 'the kafka consumer group rebalanced',
        source: 'manual',
        createdAt: new Date(base).toISOString(),
      },
      {
        userId: 'u',
        text: 'deploy went out, the release notes too',
        source: 'manual',
        createdAt: new Date(base + 1).toISOString(),
      },
      ...Array.from({ length: TERM_CAP + 100 }, (_, i) => ({
        userId: 'u',
        text: `deploy number ${i} went out${i % 2 ? ' with release' : ''}`,
        source: 'manual' as const,
        createdAt: new Date(base + (i + 2) * 1000).toISOString(),
      })),
    ]);
    expect(texts(await backend.search('deploy rebalanced', { userId: 'u' }))[0]).toBe(
      'the kafka consumer group rebalanced',
    );
    // Three words, two of them common: memories with all three are found however old.
    expect(texts(await backend.search('deploy release notes', { userId: 'u' }))[0]).toBe(
      'deploy went out, the release notes too',
    );
    db.close();
  });

  it('finds an identifier by a part of it, and a number inside a word', async () => {
    const { db, backend } = newStore();
    backend.addBatch([
      { userId: 'u', text: 'renamed getUserName to fetchProfile', source: 'manual' },
      { userId: 'u', text: 'set MEM0_TRAY_HOME in the snake_case config', source: 'manual' },
      { userId: 'u', text: 'see src/memory/searchIndex.ts line 42', source: 'manual' },
      { userId: 'u', text: 'target es2022 and HTTPServer', source: 'manual' },
    ]);
    const first = async (q: string) => texts(await backend.search(q, { userId: 'u' }))[0];
    expect(await first('user name')).toMatch(/getUserName/);
    expect(await first('getUserName')).toMatch(/getUserName/);
    expect(await first('profile')).toMatch(/fetchProfile/);
    expect(await first('tray home')).toMatch(/MEM0_TRAY_HOME/);
    expect(await first('snake')).toMatch(/snake_case/);
    expect(await first('index')).toMatch(/searchIndex/);
    expect(await first('2022')).toMatch(/es2022/);
    expect(await first('server')).toMatch(/HTTPServer/);
    db.close();
  });

  it('while typing, never returns nothing where the full search finds something', async () => {
    const { db, backend } = newStore();
    backend.addBatch(
      [
        'billing service retries webhooks with backoff',
        'the design review moved to thursday',
        'caching in redis: keys expire after an hour',
        'Jon visited Paris and Rome',
      ].map((text) => ({ userId: 'u', text, source: 'manual' as const })),
    );
    for (const query of [
      'billing webhooks',
      'when did the design review move',
      'caching redis keys',
      'cities Jon visited',
    ]) {
      for (let n = 1; n <= query.length; n++) {
        const typed = query.slice(0, n);
        const full = await backend.search(typed, { userId: 'u' });
        const live = await backend.search(typed, { userId: 'u' }, { prefix: true, preview: true });
        if (full.length > 0) expect(live.length, `"${typed}"`).toBeGreaterThan(0);
      }
    }
    expect(texts(await backend.search('billi', { userId: 'u' }, { prefix: true }))).toEqual([
      'billing service retries webhooks with backoff',
    ]);
    db.close();
  });

  it('while typing, matches the words the fragment starts, not all that start like its stem', async () => {
    const { db, backend } = newStore();
    backend.addBatch(
      ['the house by the lake', 'a flight to Houston', 'the hound barked', 'a tie and ties'].map((text) => ({
        userId: 'u',
        text,
        source: 'manual' as const,
      })),
    );
    // FTS5 stems a prefix too: "hous"* would be "hou"* and find the hound. "house" is indexed as
    // "hous", which Porter shortens again: it is still found.
    const typed = async (q: string) =>
      texts(await backend.search(q, { userId: 'u' }, { prefix: true, preview: true })).sort();
    expect(await typed('hous')).toEqual(['a flight to Houston', 'the house by the lake']);
    // The word as typed, as the full search looks for it ("ties" is "ti").
    expect(await typed('ties')).toEqual(['a tie and ties']);
    db.close();
  });
});

describe('local store search: what a caller gets depends only on what it may read', () => {
  it('gives the same results, order and scores before and after others add memories with the same and rare words', async () => {
    const { db, backend } = newStore();
    backend.addBatch([
      {
        userId: 'root',
        projectId: 'p',
        text: 'caching layer uses redis with a ttl of one hour',
        source: 'manual',
      },
      {
        userId: 'root',
        projectId: 'p',
        text: 'caching of builds in CI keeps node_modules',
        source: 'manual',
      },
      { userId: 'root', projectId: 'q', text: 'redis cluster failover drill on friday', source: 'manual' },
      { userId: 'root', projectId: null, text: 'general note: caching is hard', source: 'manual' },
    ]);
    const queries = [
      'caching zanzibarquokka',
      'caching zanzibarnotthere',
      'caching redis',
      'redis',
      'zanzibarquokka',
    ];
    const filters = [
      { userId: 'root' },
      { userId: 'root', projectId: 'p' },
      { userId: 'root', projectId: null },
    ];
    const answers = async () => {
      const out: unknown[] = [];
      for (const filter of filters)
        for (const q of queries)
          out.push((await backend.search(q, filter)).map((h) => [h.memory.id, h.score, h.snippet]));
      return out;
    };
    const before = await answers();
    // Bob's memories and root's other project hold the rare word, and many of root's words.
    backend.addBatch([
      ...Array.from({ length: 50 }, (_, i) => ({
        userId: 'bob',
        projectId: 'p',
        text: `zanzibarquokka caching redis ${i} ${'filler '.repeat(i)}`,
        source: 'manual' as const,
      })),
      { userId: 'root', projectId: 'zzz', text: 'zanzibarquokka caching redis redis', source: 'manual' },
    ]);
    const after = await answers();
    // Root's own other project is readable without a project filter: only scoped answers must hold.
    const scoped = (a: unknown[]) => a.slice(queries.length);
    expect(scoped(after)).toEqual(scoped(before));
    expect(before[1]).not.toEqual([]);
    // Without a project filter the new memory of root's is found, and bob's never are.
    expect((await backend.search('zanzibarquokka', { userId: 'root' })).map((h) => h.memory.userId)).toEqual([
      'root',
    ]);
    db.close();
  });

  it('sees writes at once: of this connection and of another process', async () => {
    const file = path.join(tempDir(), 'mem0-tray.db');
    const db = openDatabase(file);
    const server = new LocalMemoryBackend(db);
    await server.add({ userId: 'u', text: 'Gina got a tattoo of a rose', source: 'manual' });
    expect(await server.search('When did Gina get her tattoo?', { userId: 'u' })).toHaveLength(1);
    const cliDb = openDatabase(file);
    const cli = new LocalMemoryBackend(cliDb);
    await cli.add({ userId: 'u', text: 'the tattoo healed in two weeks', source: 'manual' });
    expect(await server.search('When did Gina get her tattoo?', { userId: 'u' })).toHaveLength(2);
    const [first] = await server.search('tattoo', { userId: 'u' });
    await cli.delete(first!.memory.id);
    expect(await server.search('tattoo', { userId: 'u' })).toHaveLength(1);
    cliDb.close();
    db.close();
  });
});

describe('local store full-text index', () => {
  // FTS5's own check of the index, and the index and the counts against the memories table.
  const integrityCheck = (db: ReturnType<typeof openDatabase>) => {
    db.exec(`INSERT INTO memory_index (memory_index, rank) VALUES ('integrity-check', 1)`);
    const indexed = db.prepare('SELECT rowid FROM memory_index ORDER BY rowid').pluck().all();
    const stored = db.prepare('SELECT seq FROM memories ORDER BY seq').pluck().all();
    if (JSON.stringify(indexed) !== JSON.stringify(stored)) throw new Error('index and memories differ');
    const counts = db
      .prepare(
        'SELECT user_id, project_key, memories, tokens FROM memory_counts WHERE memories > 0 ORDER BY 1, 2',
      )
      .all();
    const actual = db
      .prepare(
        `SELECT user_id, coalesce(project_id, '') AS project_key, count(*) AS memories, sum(tokens) AS tokens
         FROM memories GROUP BY 1, 2 ORDER BY 1, 2`,
      )
      .all();
    if (JSON.stringify(counts) !== JSON.stringify(actual)) throw new Error('counts and memories differ');
  };

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
    expect(db.prepare(`SELECT v FROM memory_index_config WHERE k = 'hashsize'`).pluck().get()).toBe(16777216);
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
    const firstSchema = (MEMORY_MIGRATIONS[0] as string).match(
      /CREATE VIRTUAL TABLE memories_fts[\s\S]*?\);|CREATE TRIGGER memories_fts_(delete|update)\b[\s\S]*?END;/g,
    )!;
    expect(firstSchema).toHaveLength(3);
    other.exec(firstSchema.join('\n'));
    other.exec(`UPDATE schema_migrations SET version = 2 WHERE module = 'memories';`);
    // The write applies the later steps again first: the old index and its triggers go.
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

  it('builds an index of an earlier format again, with word positions and all', async () => {
    const file = path.join(tempDir(), 'mem0-tray.db');
    const old = openDatabase(file);
    new LocalMemoryBackend(old).addBatch([
      { userId: 'u', text: 'walrus on the ice', source: 'manual' },
      { userId: 'u', text: 'narwhal in the sea', source: 'manual' },
    ]);
    // The format of the step that first made the index: positions kept, empty here.
    old.exec(`DROP TABLE memory_index;
      CREATE VIRTUAL TABLE memory_index USING fts5 (
        text, content = '', contentless_delete = 1, tokenize = 'porter unicode61 remove_diacritics 2');
      UPDATE schema_migrations SET version = ${MEMORY_MIGRATIONS.length - 1} WHERE module = 'memories';`);
    old.close();
    const db = openDatabase(file);
    const backend = new LocalMemoryBackend(db);
    expect(texts(await backend.search('walrus', { userId: 'u' }))).toEqual(['walrus on the ice']);
    expect(db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'memory_index'`).pluck().get()).toMatch(
      /detail = none/,
    );
    expect(() => integrityCheck(db)).not.toThrow();
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
