// A remote backend goes away in the middle of a capture session and the process restarts before
// it is back: every capture is delivered exactly once afterwards. Captures wait in a durable queue
// (a stand-in for the outbox: a SQLite table, deleted only after the backend has the memory) and
// each delivery carries its idempotency key, which the Mem0 backends honour across restarts.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsSchema, type Settings } from '../../../main/core/config/settings.js';
import { openDatabase, type Db } from '../../../main/core/db/database.js';
import { UserError } from '../../../main/core/errors.js';
import { createBackend } from '../../../main/core/memory/backend-factory.js';
import type { MemoryBackend } from '../../../main/core/memory/types.js';
import { EnvOverrideSecretStore, KeytarSecretStore } from '../../../main/core/secrets/secret-store.js';
import { FakeMem0Platform } from '../../fakes/mem0-platform.js';
import { FakeMem0Server } from '../../fakes/mem0-server.js';
import { tempDir } from '../../support/tmp.js';
import { until } from '../../support/until.js';

const noKeychain = new KeytarSecretStore({
  load: async () => {
    throw new Error('no keychain in this test');
  },
});

function settingsFor(kind: 'mem0-platform' | 'mem0-server', url: string): Settings {
  return {
    ...settingsSchema.parse({ backend: kind, mem0Host: url, mem0ServerUrl: url }),
    userId: 'alice',
  };
}

/** The durable queue: a capture stays until the backend has it. */
function queue(db: Db) {
  db.exec(
    `CREATE TABLE IF NOT EXISTS test_pending (seq INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, text TEXT NOT NULL)`,
  );
  return {
    push: (key: string, text: string) =>
      db.prepare('INSERT INTO test_pending (key, text) VALUES (?, ?)').run(key, text),
    size: () => (db.prepare('SELECT count(*) AS n FROM test_pending').get() as { n: number }).n,
    /** Delivers in order; stops at the first failure (the outbox would back off and retry). */
    async drain(backend: MemoryBackend): Promise<{ delivered: number; error: UserError | null }> {
      let delivered = 0;
      for (const row of db.prepare('SELECT key, text FROM test_pending ORDER BY seq').all() as Array<{
        key: string;
        text: string;
      }>) {
        try {
          await backend.add({
            userId: 'alice',
            text: row.text,
            source: 'proxy',
            conversationId: 'conv-outage',
            idempotencyKey: row.key,
          });
        } catch (err) {
          if (err instanceof UserError) return { delivered, error: err };
          throw err;
        }
        db.prepare('DELETE FROM test_pending WHERE key = ?').run(row.key);
        delivered++;
      }
      return { delivered, error: null };
    },
  };
}

describe('outage and restart: mem0-platform', () => {
  const fake = new FakeMem0Platform({ processingMs: 5 });
  beforeAll(async () => {
    await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('delivers every capture exactly once, including one Mem0 accepted just before contact was lost', async () => {
    const file = path.join(tempDir(), 'mem0-tray.db');
    const secrets = new EnvOverrideSecretStore(noKeychain, { MEM0_API_KEY: fake.apiKey });
    let db = openDatabase(file);
    let q = queue(db);
    let backend = createBackend(settingsFor('mem0-platform', fake.url), { db, secrets });

    for (let i = 0; i < 5; i++) q.push(`cap-${i}`, `turn ${i} about the build`);
    expect(await q.drain(backend)).toEqual({ delivered: 5, error: null });

    // Mem0 accepts capture 5 (PENDING), then the network goes: the event is never seen to finish.
    fake.processingMs = 150;
    q.push('cap-5', 'turn 5 accepted then lost');
    const inFlight = q.drain(backend);
    await until(() =>
      fake.requests.some((r) => r.path === '/v3/memories/add/' && JSON.stringify(r.body).includes('turn 5')),
    );
    await fake.stop();
    const during = await inFlight;
    expect(during.delivered).toBe(0);
    expect(during.error?.code).toBe('backend_unavailable');
    expect(during.error?.message).toMatch(/Cannot reach Mem0/);

    // More captures arrive during the outage; every attempt fails and nothing is dropped.
    for (let i = 6; i < 12; i++) q.push(`cap-${i}`, `turn ${i} during the outage`);
    expect((await q.drain(backend)).error?.code).toBe('backend_unavailable');
    expect(q.size()).toBe(7);

    // The process restarts while Mem0 is still away.
    await backend.close();
    db.close();
    db = openDatabase(file);
    q = queue(db);
    backend = createBackend(settingsFor('mem0-platform', fake.url), { db, secrets });
    expect(q.size()).toBe(7);

    // Mem0 comes back (it finished processing capture 5 in the meantime).
    fake.processingMs = 5;
    await fake.start();
    expect(await q.drain(backend)).toEqual({ delivered: 7, error: null });
    expect(q.size()).toBe(0);

    const texts = fake
      .memoriesOf('alice')
      .map((m) => m.memory)
      .sort();
    expect(texts).toHaveLength(12);
    expect(new Set(texts).size).toBe(12);
    const adds = fake.requests.filter(
      (r) => r.path === '/v3/memories/add/' && JSON.stringify(r.body).includes('turn 5 accepted'),
    );
    expect(adds).toHaveLength(1);
    // Once more, for good measure: a replay of everything creates nothing new.
    for (let i = 0; i < 12; i++) {
      await backend.add({ userId: 'alice', text: 'replayed', source: 'proxy', idempotencyKey: `cap-${i}` });
    }
    expect(fake.memoriesOf('alice')).toHaveLength(12);
    await backend.close();
    db.close();
  });
});

describe('outage and restart: mem0-server', () => {
  const fake = new FakeMem0Server();
  beforeAll(async () => {
    await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('delivers every capture exactly once, including one stored by the server whose reply timed out', async () => {
    const file = path.join(tempDir(), 'mem0-tray.db');
    const secrets = new EnvOverrideSecretStore(noKeychain, { MEM0_API_KEY: fake.apiKey ?? '' });
    let db = openDatabase(file);
    let q = queue(db);
    const make = (d: Db) => createBackend(settingsFor('mem0-server', fake.url), { db: d, secrets });
    let backend = make(db);

    for (let i = 0; i < 4; i++) q.push(`cap-${i}`, `turn ${i} on the server`);
    expect(await q.drain(backend)).toEqual({ delivered: 4, error: null });

    // The server stores capture 4 but its reply never arrives: the connection drops.
    fake.addReplyDelayMs = 300;
    q.push('cap-4', 'turn 4 stored but reply lost');
    const inFlight = q.drain(backend);
    await until(() => fake.memoriesOf('alice').some((m) => m.memory.includes('reply lost')));
    await fake.stop();
    expect((await inFlight).error?.code).toBe('backend_unavailable');
    fake.addReplyDelayMs = 0;

    for (let i = 5; i < 9; i++) q.push(`cap-${i}`, `turn ${i} while the server is down`);
    expect((await q.drain(backend)).error?.message).toMatch(/Cannot reach the Mem0 server/);

    await backend.close();
    db.close();
    db = openDatabase(file);
    q = queue(db);
    backend = make(db);
    await fake.start();
    expect(await q.drain(backend)).toEqual({ delivered: 5, error: null });

    const texts = fake.memoriesOf('alice').map((m) => m.memory);
    expect(texts).toHaveLength(9);
    expect(new Set(texts).size).toBe(9);
    await backend.close();
    db.close();
  });
});
