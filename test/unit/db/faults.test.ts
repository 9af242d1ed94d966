// The store's behaviour when the disk or the file is not what it should be: clear errors with the
// path and what to do, and never a silently replaced or half-written database.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/core/db/database.js';
import { LocalMemoryBackend } from '../../../main/core/memory/local-backend.js';
import { UserError } from '../../../main/core/errors.js';
import { tempDir } from '../../support/tmp.js';

describe('database faults', () => {
  it('refuses a corrupt file with its path and leaves it untouched', () => {
    const file = path.join(tempDir(), 'mem0-tray.db');
    const garbage = Buffer.from('this is not an sqlite database at all, just some bytes'.repeat(100));
    fs.writeFileSync(file, garbage);
    let error: unknown;
    try {
      openDatabase(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('database_corrupt');
    expect((error as UserError).message).toContain(file);
    expect((error as UserError).message).toMatch(/restore/);
    expect(fs.readFileSync(file).equals(garbage)).toBe(true);
  });

  it('detects a database damaged in the middle when it is read', async () => {
    const file = path.join(tempDir(), 'mem0-tray.db');
    const db = openDatabase(file);
    const backend = new LocalMemoryBackend(db);
    backend.addBatch(
      Array.from({ length: 300 }, (_, i) => ({
        userId: 'u',
        text: `memory ${i} `.repeat(50),
        source: 'manual' as const,
      })),
    );
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    // Overwrite pages after the header with garbage.
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(16384, 0xab), 0, 16384, 8192);
    fs.closeSync(fd);
    const run = async () => {
      const again = new LocalMemoryBackend(openDatabase(file));
      await again.list({ userId: 'u' }, { limit: 500 });
      await again.search('memory', { userId: 'u' });
    };
    await expect(run()).rejects.toMatchObject({ code: 'database_corrupt' });
  });

  it('reports a read-only database file clearly and writes nothing', async () => {
    // As root, permissions do not stop writes; SQLite's own read-only mode is the same code path.
    const file = path.join(tempDir(), 'mem0-tray.db');
    const setup = new LocalMemoryBackend(openDatabase(file));
    await setup.add({ userId: 'u', text: 'kept', source: 'manual' });
    const db = openDatabase(file);
    db.pragma('query_only = ON');
    const backend = new LocalMemoryBackend(db);
    await expect(backend.add({ userId: 'u', text: 'new', source: 'manual' })).rejects.toMatchObject({
      code: 'read_only',
    });
    db.pragma('query_only = OFF');
    expect((await backend.list({ userId: 'u' })).items.map((m) => m.text)).toEqual(['kept']);
  });

  it('on a full disk fails the whole batch with a clear error and keeps what was there', async () => {
    const file = path.join(tempDir(), 'mem0-tray.db');
    const db = openDatabase(file);
    const backend = new LocalMemoryBackend(db);
    await backend.add({ userId: 'u', text: 'before the disk filled up', source: 'manual' });
    // SQLite's page limit is how a full disk looks to it: SQLITE_FULL on the next page it needs.
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);
    const big = Array.from({ length: 200 }, (_, i) => ({
      userId: 'u',
      text: `filler ${i} `.repeat(400),
      source: 'manual' as const,
    }));
    let error: unknown;
    try {
      backend.addBatch(big);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'disk_full' });
    expect((error as Error).message).toContain(file);
    const page = await backend.list({ userId: 'u' }, { withTotal: true });
    expect(page.total).toBe(1);
    expect(page.items[0]!.text).toBe('before the disk filled up');
  });

  it('refuses a database written by a newer version', () => {
    const file = path.join(tempDir(), 'mem0-tray.db');
    const db = openDatabase(file);
    new LocalMemoryBackend(db);
    db.prepare("UPDATE schema_migrations SET version = 99 WHERE module = 'memories'").run();
    expect(() => new LocalMemoryBackend(db)).toThrow(/newer Mem0 Tray/);
  });

  it('lets two connections (two processes) read and write the same file', async () => {
    const file = path.join(tempDir(), 'mem0-tray.db');
    const a = new LocalMemoryBackend(openDatabase(file));
    const b = new LocalMemoryBackend(openDatabase(file));
    await a.add({ userId: 'u', text: 'written by a', source: 'manual' });
    await b.add({ userId: 'u', text: 'written by b', source: 'manual' });
    expect((await a.list({ userId: 'u' })).items).toHaveLength(2);
    expect((await b.search('written', { userId: 'u' })).length).toBe(2);
  });
});
