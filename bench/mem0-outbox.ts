// The outbox draining into the Mem0 Platform backend (mem0ai SDK) against the fake platform with
// 20 ms latency per request: drain rate of a backlog, and capture-to-delivered latency when the
// backend is up. Targets: drain >= 200 captures/s; capture-to-delivered p50 <= 100 ms.
// Run: npm run bench -- mem0-outbox
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../main/core/db/database.js';
import { CoreEvents } from '../main/core/events.js';
import { sqliteAddLedger } from '../main/core/memory/mem0-add-ledger.js';
import { Mem0PlatformBackend } from '../main/core/memory/mem0-platform-backend.js';
import { Outbox } from '../main/core/memory/outbox.js';
import { FakeMem0Platform } from '../test/fakes/mem0-platform.js';

const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 20);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 2000);
const CONVERSATIONS = 64;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const LIVE = 200;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mem0-bench-outbox-'));
const db = openDatabase(path.join(dir, 'mem0-tray.db'));
const fake = await new FakeMem0Platform({ latencyMs: LATENCY, processingMs: 5 }).start();
const backend = new Mem0PlatformBackend({
  host: fake.url,
  apiKey: async () => fake.apiKey,
  ledger: sqliteAddLedger(db),
});
const events = new CoreEvents();
const outbox = new Outbox({ db, backend: () => backend, events, concurrency: CONCURRENCY });
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

let n = 0;
const enqueue = () => {
  const i = n++;
  const conv = `conv-${i % CONVERSATIONS}`;
  outbox.enqueue({
    conversationId: conv,
    key: `cap-${i}`,
    memory: {
      userId: 'bench',
      text: `turn ${i}`,
      source: 'proxy',
      conversationId: conv,
      messages: [
        { role: 'user', content: `question ${i} about the deploy script` },
        { role: 'assistant', content: `answer ${i}: tools/deploy.sh` },
      ],
    } as never,
  });
  return i;
};
const waitDrained = async () => {
  while (outbox.status().pending > 0) await new Promise((r) => setTimeout(r, 5));
};

console.log(
  `outbox → mem0-platform: fake latency ${LATENCY} ms/request, concurrency ${CONCURRENCY}, ${CONVERSATIONS} conversations, node ${process.version}`,
);

// 1. A backlog (as after an outage) drains at …
for (let i = 0; i < BACKLOG; i++) enqueue();
const t0 = performance.now();
outbox.start();
await waitDrained();
const s = (performance.now() - t0) / 1000;
console.log(
  `drain: ${BACKLOG} captures in ${s.toFixed(2)} s = ${(BACKLOG / s).toFixed(0)} captures/s (target >= 200)`,
);

// 2. Live capture, one every 25 ms across conversations: time from enqueue to delivered.
const startedAt = new Map<string, number>();
const latencies: number[] = [];
events.on('memory.added', (memories) => {
  for (const m of memories) {
    const i = /question (\d+)/.exec(m.text)?.[1];
    const t = i === undefined ? undefined : startedAt.get(`turn ${i}`);
    if (t !== undefined) latencies.push(performance.now() - t);
  }
});
// The fake stores the turn as "question i …\nanswer i …".
for (let k = 0; k < LIVE; k++) {
  const i = n;
  startedAt.set(`turn ${i}`, performance.now());
  enqueue();
  await new Promise((r) => setTimeout(r, 25));
}
await waitDrained();
await new Promise((r) => setTimeout(r, 50));
console.log(
  `capture-to-delivered (live, n=${latencies.length}): p50 ${pct(latencies, 50).toFixed(1)} ms, p95 ${pct(latencies, 95).toFixed(1)} ms (target p50 <= 100 ms)`,
);
const stored = fake.memories.size;
console.log(`stored ${stored} memories for ${n} captures (duplicates: ${stored - n})`);
await outbox.stop();
await fake.stop();
db.close();
fs.rmSync(dir, { recursive: true, force: true });
