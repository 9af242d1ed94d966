import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliEnv } from '../../../main/cli/env.js';
import { registerMigrateCommand } from '../../../main/cli/migrate.js';
import { loadSettings } from '../../../main/core/config/settings.js';
import { openDatabase } from '../../../main/core/db/database.js';
import { LocalMemoryBackend } from '../../../main/core/memory/local-backend.js';
import { sqliteAddLedger } from '../../../main/core/memory/mem0-add-ledger.js';
import { Mem0ServerBackend } from '../../../main/core/memory/mem0-server-backend.js';
import { migrateMemories, type MigrateProgress } from '../../../main/core/memory/migrate.js';
import type { MemoryBackend } from '../../../main/core/memory/types.js';
import { EnvOverrideSecretStore, KeytarSecretStore } from '../../../main/core/secrets/secret-store.js';
import { FakeMem0Platform } from '../../fakes/mem0-platform.js';
import { FakeMem0Server } from '../../fakes/mem0-server.js';
import { tempDir } from '../../support/tmp.js';

const server = new FakeMem0Server();
const platform = new FakeMem0Platform({ processingMs: 2 });
beforeAll(async () => {
  await Promise.all([server.start(), platform.start()]);
});
afterAll(async () => {
  await Promise.all([server.stop(), platform.stop()]);
});

function seedLocal(file: string, n: number) {
  const db = openDatabase(file);
  const local = new LocalMemoryBackend(db);
  local.addBatch(
    Array.from({ length: n }, (_, i) => ({
      userId: 'alice',
      text: `memory number ${i}`,
      source: i % 2 ? ('proxy' as const) : ('manual' as const),
      projectId: i % 3 ? 'proj' : null,
      createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
    })),
  );
  return { db, local };
}

describe('memories migrate', () => {
  it('copies oldest first, resumes after an interruption and never duplicates', async () => {
    const { db, local } = seedLocal(path.join(tempDir(), 'mem0-tray.db'), 30);
    // Like the app: every run's backend shares the add ledger kept in the same database.
    const ledger = sqliteAddLedger(db);
    const target = () =>
      new Mem0ServerBackend({
        url: server.url,
        apiKey: async () => server.apiKey,
        ledger,
        retry: { rateLimitAttempts: 2, networkAttempts: 1, baseMs: 1, maxMs: 1 },
      });

    // Run 1: the target goes away after 10 copies.
    let adds = 0;
    const flaky = target();
    const realAdd = flaky.add.bind(flaky);
    flaky.add = async (input) => {
      if (++adds === 11) await server.stop();
      return realAdd(input);
    };
    const seen: MigrateProgress[] = [];
    await expect(
      migrateMemories({ from: local, to: flaky, userId: 'alice', db, onProgress: (p) => seen.push(p) }),
    ).rejects.toMatchObject({
      code: 'backend_unavailable',
    });
    expect(server.memoriesOf('alice')).toHaveLength(10);
    expect(seen[0]).toEqual({ total: 30, done: 0, resumed: 0, failed: 0 });
    expect(seen.at(-1)!.done).toBe(10);
    await server.start();

    // Run 2: a "crash" right after the 15th copy reached the target, before it was recorded.
    adds = 0;
    const crashy = target();
    const add2 = crashy.add.bind(crashy);
    crashy.add = async (input) => {
      const out = await add2(input);
      if (++adds === 5) throw new Error('simulated crash after the add');
      return out;
    };
    await expect(migrateMemories({ from: local, to: crashy, userId: 'alice', db })).rejects.toThrow(
      /simulated crash/,
    );
    expect(server.memoriesOf('alice')).toHaveLength(15);

    // Run 3: finishes; the crashed item is found by its key instead of stored again.
    const result = await migrateMemories({ from: local, to: target(), userId: 'alice', db });
    expect(result).toMatchObject({ total: 30, done: 30, resumed: 14, copied: 16, failed: 0 });
    const texts = server.memoriesOf('alice').map((m) => m.memory);
    expect(texts).toHaveLength(30);
    expect(new Set(texts).size).toBe(30);

    // Provenance survives: dates, projects and sources read back the same.
    const copied = await target().list({ userId: 'alice' }, { limit: 100 });
    const original = await local.list({ userId: 'alice' }, { limit: 100 });
    const shape = (ms: typeof copied.items) => ms.map((m) => [m.text, m.createdAt, m.projectId, m.source]);
    expect(shape(copied.items)).toEqual(shape(original.items));

    // Run 4: nothing left to do.
    expect(await migrateMemories({ from: local, to: target(), userId: 'alice', db })).toMatchObject({
      copied: 0,
      resumed: 30,
    });
    await expect(
      migrateMemories({ from: local, to: local as MemoryBackend, userId: 'alice', db }),
    ).rejects.toMatchObject({ code: 'usage' });
    db.close();
  });

  it('mem0-tray memories migrate --to mem0-platform: plain progress lines when stderr is not a terminal', async () => {
    const dir = tempDir();
    const { db } = seedLocal(path.join(dir, 'mem0-tray.db'), 12);
    const env = { MEM0_TRAY_MEM0_HOST: platform.url, MEM0_TRAY_USER_ID: 'alice' };
    const progress = new PassThrough();
    let progressText = '';
    progress.on('data', (c: Buffer) => (progressText += c.toString()));
    const said = await cliFor(dir, db, env, () => platform.apiKey, progress)('--to', 'mem0-platform');
    expect(progressText).toMatch(/^local → mem0-platform: 0\/12 copied$/m);
    expect(progressText).toMatch(/^local → mem0-platform: 12\/12 copied$/m);
    expect(said).toMatch(/Copied 12 memories from local to mem0-platform/);
    expect(said).toMatch(/backend setting is still "local"/);
    expect(platform.memoriesOf('alice')).toHaveLength(12);
    // Migrated memories are stored verbatim (infer off), even captured turns.
    const adds = platform.requests.filter((r) => r.path === '/v3/memories/add/');
    expect(adds.every((r) => (r.body as { infer?: boolean }).infer === false)).toBe(true);
    db.close();
  });

  function cliFor(
    dir: string,
    db: ReturnType<typeof openDatabase>,
    env: Record<string, string>,
    key: () => string,
    progressStream = new PassThrough(),
  ) {
    const out: string[] = [];
    const cli = {
      env,
      settings: () => loadSettings(path.join(dir, 'settings.json'), env),
      db: () => db,
      out: (t: string) => void out.push(t),
      err: () => undefined,
    } as unknown as CliEnv;
    const noKeychain = new KeytarSecretStore({
      load: async () => {
        throw new Error('none');
      },
    });
    const run = async (...args: string[]) => {
      out.length = 0;
      const program = new Command().exitOverride();
      registerMigrateCommand(program.command('memories'), cli, {
        secrets: () => new EnvOverrideSecretStore(noKeychain, { MEM0_API_KEY: key() }),
        progressStream,
      });
      await program.parseAsync(['node', 'mem0-tray', 'memories', 'migrate', ...args]);
      return out.join('\n');
    };
    return run;
  }

  it('a new key on the same host (another Mem0 project) gets its own copy, not "already copied"', async () => {
    const own = await new FakeMem0Platform({ processingMs: 2, apiKey: 'm0-project-a-key-000000' }).start();
    try {
      const dir = tempDir();
      const { db } = seedLocal(path.join(dir, 'mem0-tray.db'), 5);
      const env = { MEM0_TRAY_MEM0_HOST: own.url, MEM0_TRAY_USER_ID: 'alice' };
      const run = cliFor(dir, db, env, () => own.apiKey);
      expect(await run('--to', 'mem0-platform')).toMatch(/Copied 5 memories/);
      expect(own.memoriesOf('alice')).toHaveLength(5);

      // apikey set with project B's key: same host, an empty project where A's ids do not exist.
      own.apiKey = 'm0-project-b-key-111111';
      own.memories.clear();
      const second = await run('--to', 'mem0-platform');
      expect(second).toMatch(/Copied 5 memories/);
      expect(second).not.toMatch(/already copied/);
      expect(own.memoriesOf('alice')).toHaveLength(5);
      // The key itself is never part of what is remembered; only a hash of it.
      const rows = JSON.stringify(db.prepare('SELECT * FROM memory_migrations').all());
      const ledger = JSON.stringify(db.prepare('SELECT scope FROM mem0_add_ledger').all());
      for (const text of [rows, ledger]) {
        expect(text).not.toContain('m0-project-a-key');
        expect(text).not.toContain('m0-project-b-key');
      }
      db.close();
    } finally {
      await own.stop();
    }
  });

  it('a wiped target is copied again: on a plain re-run and with --restart, never twice', async () => {
    const own = await new FakeMem0Server().start();
    try {
      const dir = tempDir();
      const { db } = seedLocal(path.join(dir, 'mem0-tray.db'), 6);
      const env = { MEM0_TRAY_MEM0_SERVER_URL: own.url, MEM0_TRAY_USER_ID: 'alice' };
      const run = cliFor(dir, db, env, () => own.apiKey!);
      expect(await run('--to', 'mem0-server')).toMatch(/Copied 6 memories/);

      own.memories.clear();
      const again = await run('--to', 'mem0-server');
      expect(again).toMatch(/Copied 6 memories/);
      expect(again).not.toMatch(/already copied/);
      expect(own.memoriesOf('alice')).toHaveLength(6);

      // Intact target: nothing to do, and it says so.
      expect(await run('--to', 'mem0-server')).toMatch(/Copied 0 memories .*\(6 were already copied/);

      own.memories.clear();
      expect(await run('--to', 'mem0-server', '--restart')).toMatch(/Copied 6 memories/);
      expect(own.memoriesOf('alice')).toHaveLength(6);
      // --restart on an intact target goes through everything again without storing anything twice.
      await run('--to', 'mem0-server', '--restart');
      const texts = own.memoriesOf('alice').map((m) => m.memory);
      expect(texts).toHaveLength(6);
      expect(new Set(texts).size).toBe(6);
      db.close();
    } finally {
      await own.stop();
    }
  });

  it('a new mem0ServerUrl is another target: copied there without --restart', async () => {
    const [a, b] = await Promise.all([new FakeMem0Server().start(), new FakeMem0Server().start()]);
    try {
      const dir = tempDir();
      const { db } = seedLocal(path.join(dir, 'mem0-tray.db'), 4);
      const env: Record<string, string> = { MEM0_TRAY_MEM0_SERVER_URL: a.url, MEM0_TRAY_USER_ID: 'alice' };
      const run = cliFor(dir, db, env, () => a.apiKey!);
      expect(await run('--to', 'mem0-server')).toMatch(/Copied 4 memories/);
      env.MEM0_TRAY_MEM0_SERVER_URL = b.url;
      const moved = await run('--to', 'mem0-server');
      expect(moved).toMatch(/Copied 4 memories/);
      expect(b.memoriesOf('alice')).toHaveLength(4);
      expect(a.memoriesOf('alice')).toHaveLength(4);
      db.close();
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('a source the server lists only in part stops the migration as failed, never "done"', async () => {
    const legacy = await new FakeMem0Server({ listApi: 'legacy' }).start();
    try {
      const dir = tempDir();
      const db = openDatabase(path.join(dir, 'mem0-tray.db'));
      const source = new Mem0ServerBackend({ url: legacy.url, apiKey: async () => legacy.apiKey });
      for (let i = 0; i < 150; i++) {
        await source.add({
          userId: 'alice',
          text: `server note ${i}`,
          source: 'manual',
          createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
        });
      }
      const local = new LocalMemoryBackend(db);
      await expect(migrateMemories({ from: source, to: local, userId: 'alice', db })).rejects.toMatchObject({
        code: 'failure',
        message: /listed only 100 memories/,
      });
      expect((await local.list({ userId: 'alice' }, { withTotal: true })).total).toBe(100);
      const row = db.prepare('SELECT status FROM memory_migrations').get() as { status: string };
      expect(row.status).toBe('failed');
      db.close();
    } finally {
      await legacy.stop();
    }
  });
});
