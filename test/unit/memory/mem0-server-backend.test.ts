import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryAddLedger } from '../../../main/core/memory/mem0-records.js';
import { Mem0ServerBackend } from '../../../main/core/memory/mem0-server-backend.js';
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
});
