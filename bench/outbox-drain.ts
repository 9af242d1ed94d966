// The outbox against a backend that takes 20 ms per add (the local SQLite store behind a delay):
// 1. drain rate of a backlog spread over many conversations (one in flight per conversation);
// 2. capture-to-delivered latency while captures arrive at a steady rate and the backend is up;
// 3. the full capture path (sink → parse → track → privacy → outbox → backend) at the same rate.
// Targets: drain >= 200 captures/s; capture-to-delivered p50 <= 100 ms.
// Run: npm run bench -- outbox-drain
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCapturePipeline } from '../main/core/capture/pipeline.js';
import type { CapturedExchange } from '../main/core/capture/exchange.js';
import { createTestCore } from '../test/support/core-context.js';
import { openDatabase } from '../main/core/db/database.js';
import { CoreEvents } from '../main/core/events.js';
import { LocalMemoryBackend } from '../main/core/memory/local-backend.js';
import { Outbox } from '../main/core/memory/outbox.js';
import type { Memory, MemoryBackend, NewMemory } from '../main/core/memory/types.js';

const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 20);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 2000);
const CONVERSATIONS = 50;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const LIVE = 300;
const LIVE_RATE = 150; // captures per second while measuring latency

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

function slowBackend(inner: LocalMemoryBackend): MemoryBackend {
  return Object.assign(Object.create(inner) as LocalMemoryBackend, {
    add: async (input: NewMemory): Promise<Memory[]> => {
      await sleep(LATENCY);
      return inner.add(input);
    },
  });
}

function freshDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `mem0-bench-${name}-`));
}

async function waitDrained(outbox: Outbox, limitMs = 120_000): Promise<void> {
  const end = Date.now() + limitMs;
  for (;;) {
    const s = outbox.status();
    if (s.pending === 0 && s.inFlight === 0) return;
    if (Date.now() > end) throw new Error(`not drained: ${JSON.stringify(s)}`);
    await sleep(2);
  }
}

// ---------------------------------------------------------------- 1 + 2: the outbox alone
{
  const dir = freshDir('outbox');
  const db = openDatabase(path.join(dir, 'mem0-tray.db'));
  const local = new LocalMemoryBackend(db);
  const backend = slowBackend(local);
  const events = new CoreEvents();
  const outbox = new Outbox({ db, backend: () => backend, events, concurrency: CONCURRENCY });
  let n = 0;
  const enqueue = () => {
    const i = n++;
    const conv = `conv-${i % CONVERSATIONS}`;
    outbox.enqueue({
      conversationId: conv,
      key: `cap-${i}`,
      memory: {
        userId: 'bench',
        text: `User: question ${i}\n\nAssistant: answer ${i}`,
        source: 'proxy',
        conversationId: conv,
      },
    });
    return `cap-${i}`;
  };

  const t0 = performance.now();
  for (let i = 0; i < BACKLOG; i++) enqueue();
  const enqueueMs = performance.now() - t0;
  const t1 = performance.now();
  outbox.start();
  await waitDrained(outbox);
  const drainMs = performance.now() - t1;
  const stored = (await local.list({ userId: 'bench' }, { limit: 1, withTotal: true })).total;

  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  events.on('memory.added', (memories) => {
    for (const m of memories) {
      const started = sentAt.get(m.text);
      if (started !== undefined) latencies.push(performance.now() - started);
    }
  });
  for (let i = 0; i < LIVE; i++) {
    const text = `User: question ${n}\n\nAssistant: answer ${n}`;
    sentAt.set(text, performance.now());
    enqueue();
    await sleep(1000 / LIVE_RATE);
  }
  await waitDrained(outbox);
  await outbox.stop();

  console.log(
    `outbox-drain (backend latency ${LATENCY} ms, concurrency ${CONCURRENCY}, ${CONVERSATIONS} conversations)`,
  );
  console.log(
    `  enqueue ${BACKLOG} captures: ${enqueueMs.toFixed(0)} ms (${((BACKLOG / enqueueMs) * 1000).toFixed(0)}/s)`,
  );
  console.log(
    `  drain backlog of ${BACKLOG}: ${drainMs.toFixed(0)} ms = ${((BACKLOG / drainMs) * 1000).toFixed(0)} captures/s (stored ${stored})  [target >= 200/s]`,
  );
  console.log(
    `  capture-to-delivered at ${LIVE_RATE}/s (${latencies.length} captures): p50 ${pct(latencies, 50).toFixed(1)} ms, p95 ${pct(latencies, 95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms  [target p50 <= 100 ms]`,
  );
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- 3: the whole pipeline
{
  const dir = freshDir('pipeline');
  const core = createTestCore({ dataDir: dir, settings: { userId: 'bench' }, backend: slowBackend });
  const { ctx } = core;
  const { db, events } = ctx;
  const pipeline = createCapturePipeline(ctx, { outboxOptions: { concurrency: CONCURRENCY } });

  const sse = (text: string) =>
    [
      [
        'message_start',
        { type: 'message_start', message: { id: 'm', model: 'claude-opus-5-5', content: [] } },
      ],
      [
        'content_block_start',
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      ],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' } }],
      ['message_stop', { type: 'message_stop' }],
    ]
      .map(([e, d]) => `event: ${e as string}\ndata: ${JSON.stringify(d)}\n\n`)
      .join('');
  const exchangeFor = (i: number): CapturedExchange => {
    const session = `session-${i % CONVERSATIONS}`;
    const body = {
      model: 'claude-opus-5-5',
      max_tokens: 32000,
      stream: true,
      tools: [{ name: 'Bash' }],
      metadata: { user_id: JSON.stringify({ device_id: 'd', session_id: session }) },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: `<system-reminder>ctx</system-reminder>` },
            { type: 'text', text: `question ${i}` },
          ],
        },
        { role: 'system', content: `# Environment\n - Primary working directory: /home/bench/p${i % 5}` },
      ],
    };
    const now = new Date().toISOString();
    return {
      route: 'proxy',
      host: 'api.anthropic.com',
      method: 'POST',
      path: '/v1/messages?beta=true',
      requestHeaders: { 'user-agent': 'bench' },
      requestBody: Buffer.from(JSON.stringify(body)),
      status: 200,
      responseHeaders: { 'content-type': 'text/event-stream' },
      responseBody: Buffer.from(sse(`answer ${i}`)),
      complete: true,
      startedAt: now,
      endedAt: now,
    };
  };
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  events.on('memory.added', (memories) => {
    for (const m of memories) {
      const started = sentAt.get(m.conversationId + '|' + m.text);
      if (started !== undefined) latencies.push(performance.now() - started);
    }
  });
  const sinkCosts: number[] = [];
  for (let i = 0; i < LIVE; i++) {
    const ex = exchangeFor(i);
    sentAt.set(
      `session-${i % CONVERSATIONS}|User: question ${i}\n\nAssistant: answer ${i}`,
      performance.now(),
    );
    const s = performance.now();
    pipeline.sink(ex);
    sinkCosts.push(performance.now() - s);
    await sleep(1000 / LIVE_RATE);
  }
  await pipeline.idle();
  await waitDrained(pipeline.outbox);
  const status = pipeline.status();
  await pipeline.stop();
  console.log(`capture pipeline (sink → outbox → backend, ${LIVE_RATE}/s, ${LIVE} turns)`);
  console.log(
    `  sink call: p50 ${(pct(sinkCosts, 50) * 1000).toFixed(0)} µs, max ${(Math.max(...sinkCosts) * 1000).toFixed(0)} µs`,
  );
  console.log(
    `  exchange-to-delivered: p50 ${pct(latencies, 50).toFixed(1)} ms, p95 ${pct(latencies, 95).toFixed(1)} ms (${latencies.length} delivered, captured ${status.captured}, errors ${status.errors})`,
  );
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
