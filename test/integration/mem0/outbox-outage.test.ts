// The real outbox (memory/outbox.ts) delivering to the Mem0 Platform backend: Mem0 goes away in
// the middle of a capture session and the process restarts before it is back; afterwards every
// capture is in Mem0 exactly once, in order within each conversation.
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { settingsSchema } from '../../../main/core/config/settings.js';
import { openDatabase } from '../../../main/core/db/database.js';
import { createBackend } from '../../../main/core/memory/backend-factory.js';
import { Outbox } from '../../../main/core/memory/outbox.js';
import { EnvOverrideSecretStore, KeytarSecretStore } from '../../../main/core/secrets/secret-store.js';
import { FakeMem0Platform } from '../../fakes/mem0-platform.js';
import { tempDir } from '../../support/tmp.js';
import { until } from '../../support/until.js';

const fake = new FakeMem0Platform({ processingMs: 3 });
beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});

it('survives an outage and a restart: every capture delivered exactly once, in order per conversation', async () => {
  const file = path.join(tempDir(), 'mem0-tray.db');
  const settings = {
    ...settingsSchema.parse({ backend: 'mem0-platform', mem0Host: fake.url }),
    userId: 'olga',
  };
  const secrets = new EnvOverrideSecretStore(
    new KeytarSecretStore({
      load: async () => {
        throw new Error('none');
      },
    }),
    { MEM0_API_KEY: fake.apiKey },
  );
  const open = () => {
    const db = openDatabase(file);
    const backend = createBackend(settings, { db, secrets });
    const outbox = new Outbox({
      db,
      backend: () => backend,
      concurrency: 4,
      backoff: { baseMs: 20, maxMs: 80 },
    });
    return { db, backend, outbox };
  };
  const capture = (outbox: Outbox, i: number) =>
    outbox.enqueue({
      conversationId: `conv-${i % 3}`,
      key: `cap-${i}`,
      memory: { userId: 'olga', text: `turn ${i}`, source: 'proxy', conversationId: `conv-${i % 3}` },
    });

  let run = open();
  run.outbox.start();
  for (let i = 0; i < 9; i++) capture(run.outbox, i);
  await until(() => run.outbox.status().pending === 0);

  await fake.stop();
  for (let i = 9; i < 21; i++) capture(run.outbox, i);
  await until(() => (run.outbox.status().lastError?.message ?? '').includes('Cannot reach Mem0'));
  await new Promise((r) => setTimeout(r, 150)); // a few retries fail while it is down
  expect(run.outbox.status().pending).toBe(12);

  // Restart while Mem0 is still down.
  await run.outbox.stop();
  await run.backend.close();
  run.db.close();
  run = open();
  expect(run.outbox.status().pending).toBe(12);

  await fake.start();
  run.outbox.start();
  await until(() => run.outbox.status().pending === 0);
  await run.outbox.stop();

  const texts = fake.memoriesOf('olga').map((m) => m.memory);
  expect(texts).toHaveLength(21);
  expect(new Set(texts).size).toBe(21);
  // Within each conversation, Mem0 received the turns in the order they were captured.
  const order = fake.requests
    .filter((r) => r.path === '/v3/memories/add/')
    .map((r) => Number(/turn (\d+)/.exec(JSON.stringify(r.body))![1]));
  for (let c = 0; c < 3; c++) {
    const seen = order.filter((i) => i % 3 === c);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  }
  run.db.close();
});
