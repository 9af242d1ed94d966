// Delivery to the Mem0 backends against local fakes with 20 ms latency per request: how long one
// capture takes to be stored (capture-to-delivered, one at a time) and how many captures per second
// get through at a given concurrency. These are the per-delivery costs the outbox builds on.
// Run: npm run bench -- mem0-delivery
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../main/core/db/database.js';
import { sqliteAddLedger } from '../main/core/memory/mem0-add-ledger.js';
import { Mem0PlatformBackend } from '../main/core/memory/mem0-platform-backend.js';
import { Mem0ServerBackend } from '../main/core/memory/mem0-server-backend.js';
import type { MemoryBackend, NewMemory } from '../main/core/memory/types.js';
import { FakeMem0Platform } from '../test/fakes/mem0-platform.js';
import { FakeMem0Server } from '../test/fakes/mem0-server.js';

const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 20);
const SEQUENTIAL = 200;
const TOTAL = 1000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mem0-bench-delivery-'));
const db = openDatabase(path.join(dir, 'mem0-tray.db'));
const ledger = sqliteAddLedger(db);

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
let seq = 0;
const capture = (user: string): NewMemory => {
  const n = seq++;
  return {
    userId: user,
    text: `turn ${n}`,
    source: 'proxy' as const,
    conversationId: `conv-${n % 50}`,
    idempotencyKey: `bench-${n}`,
    messages: [
      { role: 'user', content: `question ${n} about the deploy script` },
      { role: 'assistant', content: `answer ${n}: it lives in tools/deploy.sh` },
    ],
  };
};

async function measure(name: string, backend: MemoryBackend) {
  const lat: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t0 = performance.now();
    await backend.add(capture('seq'));
    lat.push(performance.now() - t0);
  }
  console.log(
    `${name}: capture-to-delivered (one at a time, n=${SEQUENTIAL}) p50 ${pct(lat, 50).toFixed(1)} ms, p95 ${pct(lat, 95).toFixed(1)} ms`,
  );
  for (const concurrency of [1, 8, 32]) {
    const n = concurrency === 1 ? SEQUENTIAL : TOTAL;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) {
          next++;
          await backend.add(capture(`c${concurrency}`));
        }
      }),
    );
    const s = (performance.now() - t0) / 1000;
    console.log(
      `${name}: concurrency ${String(concurrency).padStart(2)}: ${(n / s).toFixed(0)} captures/s (${n} in ${s.toFixed(2)} s)`,
    );
  }
}

console.log(`mem0 delivery benchmark: fake latency ${LATENCY} ms per request, node ${process.version}`);
const platform = await new FakeMem0Platform({ latencyMs: LATENCY, processingMs: 5 }).start();
await measure(
  'mem0-platform',
  new Mem0PlatformBackend({ host: platform.url, apiKey: async () => platform.apiKey, ledger }),
);
const stored = platform.memories.size;
console.log(`mem0-platform: ${stored} memories stored for ${seq} captures (duplicates: ${stored - seq})`);
await platform.stop();

const before = seq;
const server = await new FakeMem0Server({ latencyMs: LATENCY }).start();
await measure(
  'mem0-server',
  new Mem0ServerBackend({ url: server.url, apiKey: async () => server.apiKey, ledger }),
);
console.log(
  `mem0-server: ${server.memories.size} memories stored for ${seq - before} captures (duplicates: ${server.memories.size - (seq - before)})`,
);
await server.stop();
db.close();
fs.rmSync(dir, { recursive: true, force: true });
