import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsSchema, type Settings } from '../../../main/core/config/settings.js';
import { openDatabase } from '../../../main/core/db/database.js';
import { createBackend, SwitchableBackend } from '../../../main/core/memory/backend-factory.js';
import { EnvOverrideSecretStore, KeytarSecretStore } from '../../../main/core/secrets/secret-store.js';
import { FakeMem0Platform } from '../../fakes/mem0-platform.js';
import { tempDir } from '../../support/tmp.js';

const fake = new FakeMem0Platform({ processingMs: 2 });
beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});

const settings = (patch: Record<string, unknown>): Settings => ({
  ...settingsSchema.parse(patch),
  userId: 'alice',
});
const noKeychain = new KeytarSecretStore({
  load: async () => {
    throw new Error('none');
  },
});

describe('backend factory', () => {
  it('builds each backend kind, and explains a missing server URL', () => {
    const db = openDatabase(path.join(tempDir(), 'mem0-tray.db'));
    const deps = { db, secrets: noKeychain };
    expect(createBackend(settings({}), deps).kind).toBe('local');
    expect(createBackend(settings({ backend: 'mem0-platform' }), deps).kind).toBe('mem0-platform');
    expect(
      createBackend(settings({ backend: 'mem0-server', mem0ServerUrl: 'http://127.0.0.1:1' }), deps).kind,
    ).toBe('mem0-server');
    expect(() => createBackend(settings({ backend: 'mem0-server' }), deps)).toThrow(
      /mem0ServerUrl.*MEM0_TRAY_MEM0_SERVER_URL/,
    );
    db.close();
  });

  it('switches while a delivery is in flight: it finishes on the old backend, the next goes to the new one', async () => {
    const db = openDatabase(path.join(tempDir(), 'mem0-tray.db'));
    const secrets = new EnvOverrideSecretStore(noKeychain, { MEM0_API_KEY: fake.apiKey });
    const sw = new SwitchableBackend({ db, secrets }, settings({}), 10);
    const held = sw.current();
    fake.processingMs = 80;
    const s1 = settings({ backend: 'mem0-platform', mem0Host: fake.url });
    const inFlight = sw
      .current()
      .add({ userId: 'alice', text: 'before the switch', source: 'manual', idempotencyKey: 'a' });
    expect(sw.apply(s1)).toBe(true);
    expect(sw.apply(s1)).toBe(false);
    const during = sw
      .current()
      .add({ userId: 'alice', text: 'after the switch', source: 'manual', idempotencyKey: 'b' });
    const [first, second] = await Promise.all([inFlight, during]);
    fake.processingMs = 2;
    expect(held.kind).toBe('local');
    expect((await held.list({ userId: 'alice' })).items.map((m) => m.id)).toEqual([first[0]!.id]);
    expect(fake.memoriesOf('alice').map((m) => m.id)).toEqual([second[0]!.id]);
    // A bad new setting leaves the working backend in place.
    expect(() => sw.apply(settings({ backend: 'mem0-server' }))).toThrow(/mem0ServerUrl/);
    expect(sw.current().kind).toBe('mem0-platform');
    await sw.close();
    db.close();
  });
});
