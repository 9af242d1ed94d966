import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryAddLedger } from '../../../main/core/memory/mem0-add-ledger.js';
import { Mem0ServerBackend } from '../../../main/core/memory/mem0-server-backend.js';
import type { Memory } from '../../../main/core/memory/types.js';
import { runMemoryBackendContract } from '../../contract/memory-backend.contract.js';
import { FakeMem0Server } from '../../fakes/mem0-server.js';

const fake = new FakeMem0Server();
beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});

function backend(key: string | null = fake.apiKey) {
  return new Mem0ServerBackend({
    url: fake.url,
    apiKey: async () => key,
    retry: { rateLimitAttempts: 4, networkAttempts: 2, baseMs: 5, maxMs: 20 },
  });
}

// The OSS server keeps DELETE rows in its history table after a user is forgotten, so the
// contract's history checks are off here; history mapping is tested below.
runMemoryBackendContract(
  'mem0-server (self-hosted REST API fake)',
  async () => {
    fake.memories.clear();
    fake.history.length = 0;
    return backend();
  },
  { verbatimText: true, recordsHistory: false },
);

describe('mem0-server wire protocol and errors', () => {
  it('sends the key in X-API-Key, the turn as messages, and our fields as metadata', async () => {
    const before = fake.requests.length;
    const [m] = await backend().add({
      userId: 'carol',
      text: 'q and a',
      source: 'gateway',
      projectId: 'p1',
      conversationId: 'c1',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
    } as never);
    expect(m!.projectId).toBe('p1');
    expect(m!.text).toBe('q\na');
    const add = fake.requests.slice(before).find((r) => r.method === 'POST' && r.path === '/memories')!;
    expect(add.apiKey).toBe(fake.apiKey);
    expect(add.body).toMatchObject({
      user_id: 'carol',
      infer: true,
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
      metadata: { tray_project_id: 'p1', tray_conversation_id: 'c1', tray_source: 'gateway' },
    });
  });

  it('maps history rows (which carry no user id) to the memory owner', async () => {
    const b = backend();
    const [m] = await b.add({ userId: 'hank', text: 'Uses Node 20', source: 'manual' });
    await b.update(m!.id, { text: 'Uses Node 22' });
    const history = await b.history(m!.id);
    expect(history.map((h) => [h.event, h.oldText, h.newText, h.userId])).toEqual([
      ['ADD', null, 'Uses Node 20', 'hank'],
      ['UPDATE', 'Uses Node 20', 'Uses Node 22', 'hank'],
    ]);
    const put = fake.requests.filter((r) => r.method === 'PUT').at(-1)!;
    expect(put.body).toEqual({ data: 'Uses Node 22' });
  });

  it('refuses a metadata change the server cannot store, with a clear message', async () => {
    const b = backend();
    const [m] = await b.add({ userId: 'hank', text: 'meta', source: 'manual', metadata: { a: 1 } });
    await expect(b.update(m!.id, { metadata: { a: 2 } })).rejects.toMatchObject({
      code: 'invalid_input',
      message: /metadata/,
    });
  });

  it('401 says the key was rejected; an outage says the server cannot be reached', async () => {
    await expect(backend('wrong-key').list({ userId: 'x' })).rejects.toMatchObject({
      code: 'unauthorized',
      message: /rejected the API key/,
    });
    await expect(backend(null).list({ userId: 'x' })).rejects.toMatchObject({ code: 'unauthorized' });
    const down = new Mem0ServerBackend({
      url: 'http://127.0.0.1:9',
      apiKey: async () => 'k',
      retry: { rateLimitAttempts: 1, networkAttempts: 1, baseMs: 1, maxMs: 1 },
    });
    await expect(down.list({ userId: 'x' })).rejects.toMatchObject({
      code: 'backend_unavailable',
      message: /Cannot reach the Mem0 server/,
    });
  });

  it('retries 429', async () => {
    fake.throttleNext(2);
    await expect(backend().list({ userId: 'x' })).resolves.toMatchObject({ items: [] });
  });

  it('an add whose reply was lost is found by its key instead of stored twice', async () => {
    const ledger = memoryAddLedger();
    const b = new Mem0ServerBackend({
      url: fake.url,
      apiKey: async () => fake.apiKey,
      ledger,
      timeoutMs: 50,
      retry: { rateLimitAttempts: 1, networkAttempts: 1, baseMs: 1, maxMs: 1 },
    });
    const input = {
      userId: 'ivy',
      text: 'only once please',
      source: 'proxy' as const,
      idempotencyKey: 'k-ivy',
    };
    fake.addReplyDelayMs = 200;
    try {
      await expect(b.add(input)).rejects.toMatchObject({ code: 'backend_unavailable' });
    } finally {
      fake.addReplyDelayMs = 0;
    }
    expect(fake.memoriesOf('ivy')).toHaveLength(1);
    const searches = fake.requests.filter((r) => r.path === '/search').length;
    const again = await b.add(input);
    expect(again.map((m) => m.text)).toEqual(['only once please']);
    expect(fake.memoriesOf('ivy')).toHaveLength(1);
    expect(fake.requests.filter((r) => r.path === '/search').length).toBe(searches + 1);
  });

  it('a first attempt goes straight to POST /memories (no lookup round trip)', async () => {
    const before = fake.requests.length;
    await backend().add({ userId: 'jo', text: 'fresh', source: 'manual', idempotencyKey: 'k-jo' });
    expect(fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /memories']);
  });

  it('a lost add reply is not re-sent inside the call, even with network retries on', async () => {
    const b = new Mem0ServerBackend({
      url: fake.url,
      apiKey: async () => fake.apiKey,
      timeoutMs: 50,
      // The production default: network failures of reads are retried once.
      retry: { rateLimitAttempts: 4, networkAttempts: 2, baseMs: 1, maxMs: 1 },
    });
    const input = { userId: 'ivo', text: 'one copy', source: 'proxy' as const, idempotencyKey: 'k-ivo' };
    fake.addReplyDelayMs = 200;
    try {
      await expect(b.add(input)).rejects.toMatchObject({ code: 'backend_unavailable' });
    } finally {
      fake.addReplyDelayMs = 0;
    }
    await new Promise((r) => setTimeout(r, 10));
    expect(fake.memoriesOf('ivo')).toHaveLength(1);
    await b.add(input);
    expect(fake.memoriesOf('ivo')).toHaveLength(1);
  });
});

describe('mem0-server lists of more than the server returns at once', () => {
  async function seed(userId: string, n: number) {
    const b = backend();
    for (let i = 0; i < n; i++) {
      await b.add({
        userId,
        text: `note ${i}`,
        source: 'manual',
        createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
      });
    }
  }
  async function exported(b: Mem0ServerBackend, userId: string) {
    const out: Memory[] = [];
    let error: unknown = null;
    try {
      for await (const m of b.export({ userId })) out.push(m);
    } catch (err) {
      error = err;
    }
    return { out, error };
  }

  it('a server that takes top_k lists, totals and exports all 150', async () => {
    fake.listApi = 'top_k';
    await seed('many', 150);
    const b = backend();
    const page = await b.list({ userId: 'many' }, { limit: 500, withTotal: true });
    expect(page.total).toBe(150);
    expect(page.incomplete).toBeUndefined();
    // Newest first: the newest memory is there (a capped reply drops the newest).
    expect(page.items[0]!.text).toBe('note 149');
    const { out, error } = await exported(b, 'many');
    expect(error).toBeNull();
    expect(out.map((m) => m.text)).toEqual(Array.from({ length: 150 }, (_, i) => `note ${i}`));
    const list = fake.requests.filter((r) => r.path.startsWith('/memories?user_id=many')).at(-1)!;
    expect(list.path).toContain('top_k=1000');
  });

  it('a server before top_k (100 at most): list says incomplete, export throws after the 100 it read', async () => {
    fake.listApi = 'legacy';
    try {
      await seed('capped', 150);
      const b = backend();
      const page = await b.list({ userId: 'capped' }, { limit: 500, withTotal: true });
      expect(page).toMatchObject({ total: 100, incomplete: true });
      const { out, error } = await exported(b, 'capped');
      expect(out).toHaveLength(100);
      expect(error).toMatchObject({ code: 'failure' });
      expect(String((error as Error).message)).toMatch(/listed only 100 memories .* not everything/);
      // Exactly 100 on a server seen to honour the size is everything, not a false alarm.
      fake.listApi = 'top_k';
      const fresh = backend();
      await seed('hundred', 100);
      expect(await fresh.list({ userId: 'hundred' }, { withTotal: true })).not.toHaveProperty('incomplete');
      const { error: none } = await exported(fresh, 'hundred');
      expect(none).toBeNull();
    } finally {
      fake.listApi = 'top_k';
    }
  });
});
