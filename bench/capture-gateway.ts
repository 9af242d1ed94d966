// Gateway route against the same fake upstream as a direct connection: added latency for a small
// JSON call and per SSE event, throughput with 50 keep-alive clients, and resident memory across
// 10,000 captured requests (the full core: gateway, tap, pipeline, outbox, local store).
// Run: npm run bench -- capture-gateway
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { openDatabase } from '../main/core/db/database.js';
import { startFakeAnthropic } from '../test/fakes/anthropic-api.js';
import { ms, summarize } from './support/corpus.js';
import { GC_ON_SIGNAL, residentGrowth, residentOf, settledResident } from './support/resident.js';
import { coreEnv } from '../test/support/core-env.js';

const fake = await startFakeAnthropic({ chunkDelayMs: 0 });
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mem0-bench-gw-'));
// The core runs as `mem0-tray serve` in its own process, as it does for a user; the client and the
// fake upstream share this process in both the direct and the gateway runs.
const serve = spawn(process.execPath, [...GC_ON_SIGNAL, path.resolve('bin/mem0-tray.js'), 'serve'], {
  env: { ...process.env, ...coreEnv({ MEM0_TRAY_USER_ID: 'bench', MEM0_TRAY_UPSTREAM: fake.url }, home) },
  stdio: 'ignore',
});
const runtimeFile = path.join(home, 'runtime.json');
while (!fs.existsSync(runtimeFile)) await new Promise((r) => setTimeout(r, 20));
const runtime = JSON.parse(fs.readFileSync(runtimeFile, 'utf8')) as { gatewayPort: number };
const gateway = `http://127.0.0.1:${runtime.gatewayPort}`;
const storedMemories = () => {
  const db = openDatabase(path.join(home, 'mem0-tray.db'), { readonly: true });
  const n = (db.prepare('SELECT count(*) AS n FROM memories').get() as { n: number }).n;
  db.close();
  return n;
};
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
let seq = 0;

function post(
  base: string,
  body: object,
): Promise<{ status: number; firstByte: number; events: number[]; end: number }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const t0 = performance.now();
    const req = http.request(
      `${base}/v1/messages`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'x-api-key': 'bench',
        },
      },
      (res) => {
        const events: number[] = [];
        let first = 0;
        res.on('data', (chunk: Buffer) => {
          const now = performance.now() - t0;
          if (!first) first = now;
          const n = chunk.toString().split('\n\n').length - 1;
          for (let i = 0; i < n; i++) events.push(now);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, firstByte: first, events, end: performance.now() - t0 }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

// Each request is a new conversation, so every one is captured (one memory each).
const small = (stream: boolean) => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 50,
  stream,
  metadata: { user_id: JSON.stringify({ session_id: `bench-${seq}` }) },
  messages: [{ role: 'user', content: `benchmark question number ${seq++}` }],
});

async function latency(base: string, n: number, stream: boolean) {
  const total: number[] = [];
  const perEvent: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await post(base, small(stream));
    total.push(r.end);
    for (let k = 1; k < r.events.length; k++) perEvent.push(r.events[k]! - r.events[k - 1]!);
  }
  return { total: summarize(total), perEvent: summarize(perEvent) };
}

async function throughput(base: string, clients: number, seconds: number) {
  let done = 0;
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        try {
          const r = await post(base, small(false));
          if (r.status === 200) done++;
          else errors++;
        } catch {
          errors++;
        }
      }
    }),
  );
  return { rps: done / seconds, errors };
}

console.log(`capture gateway benchmark: node ${process.version}, ${os.cpus().length} cores`);
await latency(fake.url, 200, false);
await latency(gateway, 200, false);
const dJson = await latency(fake.url, 1000, false);
const gJson = await latency(gateway, 1000, false);
console.log(
  `small JSON call: direct p50 ${ms(dJson.total.p50)}, gateway p50 ${ms(gJson.total.p50)} → added p50 ${ms(gJson.total.p50 - dJson.total.p50)}`,
);
const dSse = await latency(fake.url, 300, true);
const gSse = await latency(gateway, 300, true);
console.log(
  `SSE stream: direct p50 ${ms(dSse.total.p50)}, gateway p50 ${ms(gSse.total.p50)}; gap between events p50 direct ${ms(dSse.perEvent.p50)}, gateway ${ms(gSse.perEvent.p50)}`,
);
// Every gateway request so far was a new conversation: wait until each one is a memory.
async function waitStored(expected: number, limitMs: number): Promise<number> {
  let stored = storedMemories();
  for (let waited = 0; stored < expected && waited < limitMs; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    stored = storedMemories();
  }
  return stored;
}
// 200 + 1000 + 300 calls went through the gateway so far (the rest went direct).
const throughGateway = 1500;
console.log(
  `captured so far: ${await waitStored(throughGateway, 60_000)} memories for ${throughGateway} gateway calls`,
);

const dThr = await throughput(fake.url, 50, 10);
const gThr = await throughput(gateway, 50, 10);
console.log(
  `50 keep-alive clients, 10 s: direct ${dThr.rps.toFixed(0)} req/s, gateway ${gThr.rps.toFixed(0)} req/s (${((100 * gThr.rps) / dThr.rps).toFixed(0)}% of direct), errors ${dThr.errors}/${gThr.errors}`,
);

// Memory of the core across 10,000 captured requests (each a new conversation: one memory each),
// after the load above, as the proxy benchmark measures it: a core that has not yet filled its
// SQLite page cache (32 MB) and V8 heap would show their warming as growth. Idle before and after
// (see settledResident). Batches of 50 concurrent calls, each sent once the core has stored the one
// before (give or take 100): every call is captured, none dropped as overload.
// The throughput phase's captures are all stored first (at most 5 minutes).
for (let last = -1, i = 0; storedMemories() !== last && i < 600; i++) {
  last = storedMemories();
  await new Promise((r) => setTimeout(r, 500));
}
const rss0 = await settledResident(serve.pid!);
const t0 = performance.now();
const base = storedMemories();
let posted = 0;
for (let i = 0; i < 10_000; i += 50) {
  await Promise.all(Array.from({ length: 50 }, () => post(gateway, small(i % 100 === 0))));
  posted += 50;
  for (let w = 0; w < 200 && storedMemories() - base < posted - 100; w++)
    await new Promise((r) => setTimeout(r, 10));
}
const stored = (await waitStored(base + posted, 120_000)) - base;
const seconds = (performance.now() - t0) / 1000;
const loaded = residentOf(serve.pid!);
const rss1 = await settledResident(serve.pid!);
console.log(
  `10,000 captured requests: ${stored} new memories in ${seconds.toFixed(1)} s (${(10_000 / seconds).toFixed(0)} captures/s end to end); core RSS idle before → idle after: ${residentGrowth(rss0, rss1)}; right after the load ${(loaded.total / 1e6).toFixed(0)} MB`,
);

serve.kill('SIGTERM');
await new Promise((r) => serve.on('exit', r));
await fake.close();
agent.destroy();
fs.rmSync(home, { recursive: true, force: true });
