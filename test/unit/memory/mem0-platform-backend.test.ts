import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewMemory } from '../../../main/core/memory/types.js';
import { Mem0PlatformBackend } from '../../../main/core/memory/mem0-platform-backend.js';
import { runMemoryBackendContract } from '../../contract/memory-backend.contract.js';
import { FakeMem0Platform } from '../../fakes/mem0-platform.js';

const fake = new FakeMem0Platform({ processingMs: 5 });
beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});

function backend(
  key: string | null = fake.apiKey,
  retry?: { rateLimitAttempts: number; networkAttempts: number; baseMs: number; maxMs: number },
) {
  return new Mem0PlatformBackend({
    host: fake.url,
    apiKey: async () => key,
    eventPoll: { firstMs: 2, maxMs: 20, timeoutMs: 2000 },
    retry: retry ?? { rateLimitAttempts: 4, networkAttempts: 2, baseMs: 5, maxMs: 20 },
  });
}

runMemoryBackendContract(
  'mem0-platform (mem0ai SDK against the fake platform)',
  async () => {
    fake.memories.clear();
    fake.history.length = 0;
    return backend();
  },
  { verbatimText: true, recordsHistory: true },
);

describe('mem0-platform wire protocol and errors', () => {
  it('sends a captured turn as user/assistant messages with the user id and our metadata, and follows the event', async () => {
    const b = backend();
    const before = fake.requests.length;
    const turn: NewMemory = {
      userId: 'carol',
      text: 'user: where do builds go?\nassistant: into dist/',
      source: 'proxy' as const,
      projectId: 'proj-x',
      conversationId: 'conv-9',
      messages: [
        { role: 'user', content: 'where do builds go?' },
        { role: 'assistant', content: 'into dist/' },
      ],
    };
    const added = await b.add(turn);
    expect(added).toHaveLength(1);
    expect(added[0]!.projectId).toBe('proj-x');
    expect(added[0]!.conversationId).toBe('conv-9');
    const seen = fake.requests.slice(before);
    const add = seen.find((r) => r.path === '/v3/memories/add/')!;
    expect(add.auth).toBe(`Token ${fake.apiKey}`);
    expect(add.body).toMatchObject({
      user_id: 'carol',
      infer: true,
      messages: turn.messages,
      metadata: { tray_project_id: 'proj-x', tray_conversation_id: 'conv-9', tray_source: 'proxy' },
    });
    expect(seen.some((r) => /^\/v1\/event\/[^/]+\/$/.test(r.path))).toBe(true);
    const list = seen.find((r) => r.path.startsWith('/v3/memories/?'));
    expect(list).toBeUndefined();
  });

  it('a first keyed add goes straight to the add endpoint (no lookup round trip, no extra GET)', async () => {
    const before = fake.requests.length;
    const [m] = await backend().add({
      userId: 'gus',
      text: 'first try',
      source: 'manual',
      idempotencyKey: 'k-gus',
    });
    expect(m).toMatchObject({ userId: 'gus', text: 'first try', source: 'manual' });
    const paths = fake.requests.slice(before).map((r) => r.path);
    expect(paths[0]).toBe('/v3/memories/add/');
    expect(paths.slice(1).every((p) => /^\/v1\/event\/[^/]+\/$/.test(p))).toBe(true);
  });

  it('puts entity ids inside filters for list and search', async () => {
    const b = backend();
    const before = fake.requests.length;
    await b.list({ userId: 'carol', projectId: 'proj-x' });
    await b.search('builds', { userId: 'carol' });
    const [list, search] = fake.requests.slice(before);
    expect(list!.path).toMatch(/^\/v3\/memories\/\?page=1&page_size=\d+$/);
    expect(list!.body).toEqual({
      filters: { AND: [{ user_id: 'carol' }, { metadata: { tray_project_id: 'proj-x' } }] },
    });
    expect(search!.path).toBe('/v3/memories/search/');
    expect(search!.body).toMatchObject({ query: 'builds', filters: { AND: [{ user_id: 'carol' }] } });
    expect((search!.body as Record<string, unknown>).user_id).toBeUndefined();
  });

  it('says the key was rejected on 401, without the key in the message', async () => {
    const b = backend('m0-wrong-key-123456789');
    const err = await b.list({ userId: 'carol' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unauthorized' });
    expect(String((err as Error).message)).toMatch(/API key was rejected.*apikey set/);
    expect(String((err as Error).message)).not.toContain('m0-wrong-key');
  });

  it('asks for a key when none is set', async () => {
    await expect(backend(null).list({ userId: 'carol' })).rejects.toMatchObject({
      code: 'unauthorized',
      message: /apikey set/,
    });
  });

  it('retries 429 with backoff, then gives a clear message', async () => {
    const b = backend();
    fake.throttleNext(2);
    await expect(b.list({ userId: 'carol' })).resolves.toBeDefined();
    fake.throttleNext(10);
    await expect(b.list({ userId: 'carol' })).rejects.toMatchObject({
      code: 'backend_unavailable',
      message: /429/,
    });
    fake.throttleNext(0);
  });

  it('reports a failed extraction event and lets a retry add again', async () => {
    const b = backend();
    fake.failNextEvents(1);
    const input = {
      userId: 'dora',
      text: 'flaky extraction',
      source: 'manual' as const,
      idempotencyKey: 'fail-1',
    };
    await expect(b.add(input)).rejects.toMatchObject({ code: 'failure' });
    const again = await b.add(input);
    expect(again).toHaveLength(1);
    expect(fake.memoriesOf('dora')).toHaveLength(1);
  });

  it('a retry with the same key while the first add is still pending follows the same event', async () => {
    fake.processingMs = 150;
    try {
      const slow = new Mem0PlatformBackend({
        host: fake.url,
        apiKey: async () => fake.apiKey,
        eventPoll: { firstMs: 5, maxMs: 10, timeoutMs: 30 },
      });
      const input = { userId: 'erin', text: 'slow one', source: 'manual' as const, idempotencyKey: 'slow-1' };
      await expect(slow.add(input)).rejects.toMatchObject({
        code: 'backend_unavailable',
        message: /still processing/,
      });
      const patient = Object.assign(slow, {});
      (patient as unknown as { poll: { firstMs: number; maxMs: number; timeoutMs: number } }).poll = {
        firstMs: 5,
        maxMs: 20,
        timeoutMs: 2000,
      };
      const got = await patient.add(input);
      expect(got).toHaveLength(1);
      expect(fake.memoriesOf('erin')).toHaveLength(1);
      expect(
        fake.requests.filter(
          (r) => r.path === '/v3/memories/add/' && (r.body as { user_id?: string }).user_id === 'erin',
        ),
      ).toHaveLength(1);
    } finally {
      fake.processingMs = 5;
    }
  });

  it('a retry after a lost add reply (no event id ever arrived) waits for the pending add instead of adding twice', async () => {
    fake.processingMs = 200;
    try {
      // Production retry settings: network failures are retried, but never an add's.
      const b = backend(fake.apiKey, { rateLimitAttempts: 4, networkAttempts: 2, baseMs: 5, maxMs: 20 });
      const input = { userId: 'fay', text: 'said once', source: 'manual' as const, idempotencyKey: 'lost-1' };
      fake.dropNextAddReplies(1);
      await expect(b.add(input)).rejects.toMatchObject({ code: 'backend_unavailable' });
      // Still PENDING at Mem0: a list does not show it yet.
      expect(fake.memoriesOf('fay')).toHaveLength(0);
      const got = await b.add(input);
      expect(got.map((m) => m.text)).toEqual(['said once']);
      expect(fake.memoriesOf('fay')).toHaveLength(1);
      const adds = fake.requests.filter(
        (r) => r.path === '/v3/memories/add/' && (r.body as { user_id?: string }).user_id === 'fay',
      );
      expect(adds).toHaveLength(1);
    } finally {
      fake.processingMs = 5;
    }
  });

  it('a retry long after a lost attempt that never reached Mem0 looks once, then adds', async () => {
    const b = new Mem0PlatformBackend({
      host: fake.url,
      apiKey: async () => fake.apiKey,
      eventPoll: { firstMs: 2, maxMs: 20, timeoutMs: 50 },
    });
    const input = {
      userId: 'gil',
      text: 'never arrived',
      source: 'manual' as const,
      idempotencyKey: 'gone-1',
    };
    await fake.stop();
    await expect(b.add(input)).rejects.toMatchObject({ code: 'backend_unavailable' });
    await fake.start();
    await new Promise((r) => setTimeout(r, 60));
    const before = fake.requests.length;
    expect(await b.add(input)).toHaveLength(1);
    const paths = fake.requests.slice(before).map((r) => r.path);
    expect(paths.filter((p) => p.startsWith('/v3/memories/?') || p === '/v3/memories/')).toHaveLength(1);
    expect(fake.memoriesOf('gil')).toHaveLength(1);
  });
});
