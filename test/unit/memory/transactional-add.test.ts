// MemoryService.transactionalAdd: the capture pipeline's write inside its own transaction, offered
// only when the active backend keeps its memories in that very database.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../main/core/db/database.js';
import { CoreEvents } from '../../../main/core/events.js';
import { LocalMemoryBackend } from '../../../main/core/memory/local-backend.js';
import { MemoryService } from '../../../main/core/memory/service.js';
import type { MemoryBackend, NewMemory } from '../../../main/core/memory/types.js';
import { tempDir } from '../../support/tmp.js';
import { FlakyBackend } from '../outbox/flaky-backend.js';

const opened: Db[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

function database(): Db {
  const db = openDatabase(path.join(tempDir(), 'mem0-tray.db'));
  opened.push(db);
  return db;
}

const memory: NewMemory = { userId: 'u1', text: 'We deploy with a blue-green switch.', source: 'gateway' };

describe('MemoryService.transactionalAdd', () => {
  it('writes in the caller’s transaction: kept on commit, gone on rollback', async () => {
    const db = database();
    const local = new LocalMemoryBackend(db);
    const service = new MemoryService(() => local, new CoreEvents());
    const add = service.transactionalAdd(db);
    expect(add).not.toBeNull();
    const kept = db.transaction(() => add!(memory)).immediate();
    expect(() =>
      db
        .transaction(() => {
          add!({ ...memory, text: 'Rolled back with the rest.' });
          throw new Error('the caller’s other write failed');
        })
        .immediate(),
    ).toThrow('other write failed');
    const items = (await local.list({ userId: 'u1' })).items;
    expect(items.map((m) => m.id)).toEqual([kept.id]);
  });

  it('refuses to write outside a transaction (each statement would commit on its own)', () => {
    const db = database();
    const local = new LocalMemoryBackend(db);
    const add = new MemoryService(() => local, new CoreEvents()).transactionalAdd(db);
    expect(() => add!(memory)).toThrow(/transaction/);
  });

  it('says "not here" for a store in another database or a backend elsewhere', () => {
    const db = database();
    const other = new LocalMemoryBackend(database());
    expect(new MemoryService(() => other, new CoreEvents()).transactionalAdd(db)).toBeNull();
    // A wrapper that forwards elsewhere, as a Mem0 backend does: it has no transaction to join.
    const elsewhere = new FlakyBackend(new LocalMemoryBackend(db));
    expect(new MemoryService(() => elsewhere, new CoreEvents()).transactionalAdd(db)).toBeNull();
  });

  it('asks for the active backend each time (a backend switch takes effect at once)', () => {
    const db = database();
    const local = new LocalMemoryBackend(db);
    let active: MemoryBackend = local;
    const service = new MemoryService(() => active, new CoreEvents());
    expect(service.transactionalAdd(db)).not.toBeNull();
    active = new LocalMemoryBackend(database());
    expect(service.transactionalAdd(db)).toBeNull();
  });
});
