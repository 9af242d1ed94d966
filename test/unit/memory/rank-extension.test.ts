import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../main/core/db/database.js';
import { LocalMemoryBackend } from '../../../main/core/memory/local-backend.js';
import { loadRanking, rankExtensionFile } from '../../../main/core/memory/rank-extension.js';
import { partAvailable } from '../../support/available.js';
import { tempDir } from '../../support/tmp.js';

// bm25_df (native/bm25-df.c) must rank exactly as SQLite's bm25() when it counts for itself, and
// with the frequencies it is given otherwise; the store falls back to bm25() without it.
const built = rankExtensionFile();
const haveExtension = partAvailable(
  'the search ranking extension (dist/native)',
  built !== null && fs.existsSync(built),
  'npm run build compiles it with the system C compiler, cc',
);

const VOCABULARY = Array.from({ length: 120 }, (_, i) => `w${i.toString(36)}x`);
function corpus(n: number, seed: number): string[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, () => {
    const words = 5 + Math.floor(random() * 60);
    // Skewed towards the first words: some are in most memories, most in a few.
    return Array.from(
      { length: words },
      () => VOCABULARY[Math.floor(random() ** 3 * VOCABULARY.length)],
    ).join(' ');
  });
}

const QUERIES = [
  '"w0x"',
  '"w5x"',
  '"w1x" AND "w9x"',
  '"w2x" OR "w3bx" OR "w10x"',
  '"w1x"*',
  '"w3x" AND "w1x"*',
];

type Scores = Array<{ seq: number; score: number }>;
function scores(db: Db, fn: string, match: string, ...args: number[]): Scores {
  return db
    .prepare(
      `SELECT rowid AS seq, ${fn} AS score FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid`,
    )
    .all(...args, match) as Scores;
}
/** The very same doubles: scores of common words are ~1e-6, so "close" would prove little. */
function expectSameScores(actual: Scores, expected: Scores): void {
  expect(actual).toEqual(expected);
}

describe.runIf(haveExtension)('bm25_df', () => {
  it('gives bm25()’s scores when it counts for itself, through edits, deletes and another connection’s writes', async () => {
    const file = path.join(tempDir(), 'mem0-tray.db');
    const db = openDatabase(file);
    const backend = new LocalMemoryBackend(db);
    expect(backend.ranking).toEqual({ fn: 'bm25_df' });
    const added = backend.addBatch(
      corpus(400, 7).map((text) => ({ userId: 'u', text, source: 'manual' as const })),
    );
    const check = () => {
      for (const q of QUERIES)
        expectSameScores(scores(db, 'bm25_df(memories_fts)', q), scores(db, 'bm25(memories_fts)', q));
    };
    check();
    // Lengths are cached per connection: a changed text, a deleted memory and a new one must show.
    for (const m of added.slice(0, 40))
      await backend.update(m.id, { text: `${m.text} w0x w1x w0x`.slice(0, 200) });
    for (const m of added.slice(40, 60)) await backend.delete(m.id);
    backend.addBatch(corpus(30, 11).map((text) => ({ userId: 'u', text, source: 'manual' as const })));
    check();
    const other = new LocalMemoryBackend(openDatabase(file));
    await other.update(added[100]!.id, { text: 'w0x' });
    check();
    // Inside a transaction: this connection's writes before they commit, and after a rollback.
    db.exec('BEGIN');
    check();
    await backend.update(added[101]!.id, { text: 'w0x w0x w5x' });
    check();
    db.exec('ROLLBACK');
    check();
    await other.close();
    await backend.close();
    db.close();
  });

  it('is loaded once per connection, however many stores are made on it', () => {
    const db = openDatabase(path.join(tempDir(), 'mem0-tray.db'));
    let loads = 0;
    const load = db.loadExtension.bind(db) as (...args: unknown[]) => Db;
    Object.assign(db, { loadExtension: (...args: unknown[]) => (loads++, load(...args)) });
    expect(new LocalMemoryBackend(db).ranking).toEqual({ fn: 'bm25_df' });
    expect(new LocalMemoryBackend(db).ranking).toEqual({ fn: 'bm25_df' });
    expect(loads).toBe(1);
    db.close();
  });

  it('uses the frequencies it is given, one per phrase, and counts for itself given any other number', () => {
    const db = openDatabase(path.join(tempDir(), 'mem0-tray.db'));
    const backend = new LocalMemoryBackend(db);
    backend.addBatch(corpus(300, 3).map((text) => ({ userId: 'u', text, source: 'manual' as const })));
    const count = (phrase: string) =>
      db
        .prepare('SELECT count(*) FROM memories_fts WHERE memories_fts MATCH ?')
        .pluck()
        .get(phrase) as number;
    const q = '"w1x" AND "w9x"';
    const exact = scores(db, 'bm25(memories_fts)', q);
    expectSameScores(scores(db, 'bm25_df(memories_fts, ?, ?)', q, count('"w1x"'), count('"w9x"')), exact);
    // Told "w9x" is rare, the ranking leans on it: other scores.
    const told = scores(db, 'bm25_df(memories_fts, ?, ?)', q, count('"w1x"'), 1);
    expect(told.some((r, i) => Math.abs(r.score - exact[i]!.score) > 1e-6)).toBe(true);
    expectSameScores(scores(db, 'bm25_df(memories_fts, ?)', q, 1), exact);
    db.close();
  });
});

describe('local store without the ranking extension', () => {
  it('ranks with bm25() and says why, with the same results for a small store', async () => {
    const file = path.join(tempDir(), 'mem0-tray.db');
    const missing = path.join(tempDir(), 'no-such-extension.so');
    const without = new LocalMemoryBackend(openDatabase(file), { rankExtension: missing });
    expect(without.ranking.fn).toBe('bm25');
    expect(without.ranking.fn === 'bm25' && without.ranking.reason).toContain(missing);
    expect(loadRanking(openDatabase(file), null)).toMatchObject({ fn: 'bm25' });
    without.addBatch(corpus(300, 5).map((text) => ({ userId: 'u', text, source: 'manual' as const })));
    const ids = async (b: LocalMemoryBackend, q: string) =>
      (await b.search(q, { userId: 'u' }, { limit: 10 })).map((h) => h.memory.id);
    expect(await ids(without, 'w4x w7x')).toHaveLength(10);
    if (haveExtension) {
      // Fewer than FREQUENCY_SAMPLE memories per word: the estimates are exact counts.
      const withIt = new LocalMemoryBackend(openDatabase(file));
      for (const q of ['w4x w7x', 'w20x', 'w3x w2hx', 'w1x w2x w3x'])
        expect(await ids(withIt, q)).toEqual(await ids(without, q));
      await withIt.close();
    }
    await without.close();
  });
});
