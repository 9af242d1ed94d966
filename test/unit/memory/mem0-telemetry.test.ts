// The mem0ai SDK reports usage to PostHog unless MEM0_TELEMETRY=false was set before it loaded.
// This file loads it only through our backend (vitest runs each file in a fresh process) and
// watches every fetch the process makes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Mem0PlatformBackend } from '../../../main/core/memory/mem0-platform-backend.js';
import { FakeMem0Platform } from '../../fakes/mem0-platform.js';

const fake = new FakeMem0Platform({ processingMs: 2 });
const seen: string[] = [];
const realFetch = globalThis.fetch;
beforeAll(async () => {
  await fake.start();
  globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    seen.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return realFetch(input, init);
  }) as typeof fetch;
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await fake.stop();
});

it('keeps the SDK telemetry off unless mem0Telemetry is on', async () => {
  delete process.env.MEM0_TELEMETRY;
  const backend = new Mem0PlatformBackend({
    host: fake.url,
    apiKey: async () => fake.apiKey,
    telemetry: false,
    eventPoll: { firstMs: 2, maxMs: 10, timeoutMs: 2000 },
  });
  await backend.add({ userId: 'tina', text: 'telemetry check', source: 'manual' });
  await backend.search('telemetry', { userId: 'tina' });
  await new Promise((r) => setTimeout(r, 50));
  expect(process.env.MEM0_TELEMETRY).toBe('false');
  expect(seen.length).toBeGreaterThan(2);
  expect(seen.filter((u) => !u.startsWith(fake.url))).toEqual([]);
});
