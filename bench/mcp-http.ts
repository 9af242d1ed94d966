// MCP over HTTP at 100,000 memories: search_memories latency (p50/p99) through the whole stack
// (token check, stateless MCP server, MemoryService, FTS5, audit), the cost of authentication
// alone, and 50 concurrent clients for a sustained period with no errors.
// Run: npm run bench -- mcp-http      Flags (env): BENCH_MEMORIES=100000 BENCH_DURATION=60
//      BENCH_CLIENTS=50 BENCH_DIR=/path (keeps the database between runs)
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Core } from '../main/core/core.js';
import { openDatabase } from '../main/core/db/database.js';
import { silentLogger } from '../main/core/log.js';
import { createAccessFeature } from '../main/core/access/access-feature.js';
import { AuditLog } from '../main/core/access/audit-log.js';
import { Authenticator } from '../main/core/access/authenticate.js';
import { createMcpFeature } from '../main/core/mcp/feature.js';
import { FailureLimiter } from '../main/core/access/rate-limit.js';
import { TokenStore } from '../main/core/access/tokens.js';
import { LocalMemoryBackend } from '../main/core/memory/local-backend.js';
import type { NewMemory } from '../main/core/memory/types.js';
import { makeCorpus, ms, summarize } from './support/corpus.js';

const arg = (name: string, fallback: number) => {
  const flag = process.argv.find((a) => a.startsWith(`--${name}=`));
  const raw = flag?.split('=')[1] ?? process.env[`BENCH_${name.toUpperCase()}`];
  return raw ? Number(raw) : fallback;
};
const N = arg('memories', 100_000);
const DURATION_S = arg('duration', 60);
const CLIENTS = arg('clients', 50);
const SEQUENTIAL = arg('sequential', 2000);

const keep = process.env.BENCH_DIR;
const dir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mem0-bench-mcp-'));
fs.mkdirSync(dir, { recursive: true });
console.log(
  `mcp-http benchmark: ${N} memories, ${CLIENTS} clients for ${DURATION_S} s, ${os.cpus().length} cores, node ${process.version}`,
);

// ---- data: realistic few-hundred-word memories, 90% the caller's, 10% another user's ----
const corpus = makeCorpus(11);
{
  const db = openDatabase(path.join(dir, 'mem0-tray.db'));
  const backend = new LocalMemoryBackend(db);
  const existing = (await backend.list({ userId: 'me' }, { limit: 1, withTotal: true })).total ?? 0;
  if (existing === 0) {
    const t0 = performance.now();
    const base = Date.UTC(2025, 0, 1);
    for (let done = 0; done < N; done += 5000) {
      const batch: NewMemory[] = [];
      for (let i = done; i < Math.min(N, done + 5000); i++) {
        batch.push({
          userId: i % 10 === 0 ? 'other-user' : 'me',
          text: corpus.text(),
          source: 'proxy',
          projectId: `project-${i % 20}`,
          createdAt: new Date(base + i * 60_000).toISOString(),
        });
      }
      backend.addBatch(batch);
    }
    console.log(`insert: ${N} memories in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } else console.log(`insert: skipped, reusing ${dir}`);
  db.close();
}

// ---- authentication alone, in process: token lookup + constant-time compare + audit row ----
{
  const db = openDatabase(path.join(dir, 'mem0-tray.db'));
  const tokens = new TokenStore(db);
  const audit = new AuditLog(db);
  const auth = new Authenticator(tokens, audit, new FailureLimiter());
  const { token } = tokens.create({ userId: 'me', name: 'bench-auth' });
  const creds = { token, claimedUserId: null, problem: null };
  const client = {
    via: 'mcp' as const,
    transport: 'http' as const,
    clientIp: '127.0.0.1',
    userAgent: 'bench',
  };
  for (let i = 0; i < 2000; i++) auth.authenticate(creds, client);
  const samples: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const t0 = performance.now();
    const r = auth.authenticate(creds, client);
    samples.push(performance.now() - t0);
    if (!r.ok) throw new Error('auth failed in benchmark');
  }
  audit.close();
  const s = summarize(samples);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  console.log(
    `auth (valid token, incl. audit row): mean ${ms(mean)}  p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  (target ≤ 0.50 ms)`,
  );
  db.close();
}

// ---- the served stack ----
const core = await Core.start({
  env: { MEM0_TRAY_HOME: dir, MEM0_TRAY_API_PORT: '0', MEM0_TRAY_USER_ID: 'me' },
  log: silentLogger,
  features: [createAccessFeature({ limiter: { maxFailures: 1_000_000 } }), createMcpFeature()],
  writeRuntime: false,
});
const access = core.feature('access')!;
const { token } = access.createToken({ userId: 'me', name: 'bench' });
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS + 5 });
let rpcId = 0;

/** One tools/call over HTTP as Claude Code sends it (stateless: no session header). */
function searchOnce(query: string): Promise<{ ok: boolean; ms: number; detail?: string }> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: ++rpcId,
    method: 'tools/call',
    params: { name: 'search_memories', arguments: { query, limit: 10 } },
  });
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: core.api.port,
        path: '/mcp',
        method: 'POST',
        agent,
        headers: {
          host: `127.0.0.1:${core.api.port}`,
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-06-18',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const elapsed = performance.now() - t0;
          const text = Buffer.concat(chunks).toString('utf8');
          let ok = res.statusCode === 200;
          try {
            const parsed = JSON.parse(text) as { result?: { isError?: boolean }; error?: unknown };
            ok = ok && !!parsed.result && parsed.result.isError !== true;
          } catch {
            ok = false;
          }
          resolve({ ok, ms: elapsed, detail: ok ? undefined : `${res.statusCode} ${text.slice(0, 200)}` });
        });
      },
    );
    req.on('error', (err) => resolve({ ok: false, ms: performance.now() - t0, detail: err.message }));
    req.end(body);
  });
}

// A real SDK client first: the protocol works end to end on this database.
{
  const client = new Client({ name: 'bench', version: '0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${core.api.baseUrl}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  const r = await client.callTool({ name: 'search_memories', arguments: { query: corpus.query() } });
  console.log(
    `sdk client: search_memories ok (${(r.structuredContent as { results: unknown[] }).results.length} hits)`,
  );
  await client.close();
}

// The same queries in process, straight to MemoryService: what the HTTP + MCP stack adds on top.
const inProcessQueries = makeCorpus(99);
const httpQueries = makeCorpus(99);
{
  const caller = { userId: 'me', via: 'mcp' as const };
  for (let i = 0; i < 200; i++)
    await core.memories.search(caller, inProcessQueries.query(), {}, { limit: 10 });
  const direct: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const q = inProcessQueries.query();
    const t = performance.now();
    await core.memories.search(caller, q, {}, { limit: 10 });
    direct.push(performance.now() - t);
  }
  const d = summarize(direct);
  console.log(`MemoryService.search in process (${SEQUENTIAL}): p50 ${ms(d.p50)}  p99 ${ms(d.p99)}`);
}

// Sequential latency over HTTP.
for (let i = 0; i < 200; i++) await searchOnce(httpQueries.query());
const seq: number[] = [];
let seqErrors = 0;
for (let i = 0; i < SEQUENTIAL; i++) {
  const r = await searchOnce(httpQueries.query());
  seq.push(r.ms);
  if (!r.ok) seqErrors++;
}
const s = summarize(seq);
console.log(
  `search_memories over HTTP, sequential (${SEQUENTIAL}): p50 ${ms(s.p50)}  p95 ${ms(s.p95)}  p99 ${ms(s.p99)}  max ${ms(s.max)}  errors ${seqErrors}  (targets p50 ≤ 5 ms, p99 ≤ 20 ms)`,
);

// Sustained concurrency.
const until = Date.now() + DURATION_S * 1000;
const loadSamples: number[] = [];
let loadErrors = 0;
let firstError: string | undefined;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    while (Date.now() < until) {
      const r = await searchOnce(corpus.query());
      loadSamples.push(r.ms);
      if (!r.ok) {
        loadErrors++;
        firstError ??= r.detail;
      }
    }
  }),
);
const seconds = (performance.now() - t0) / 1000;
const l = summarize(loadSamples);
console.log(
  `${CLIENTS} concurrent clients for ${seconds.toFixed(1)} s: ${loadSamples.length} calls, ${Math.round(loadSamples.length / seconds)} calls/s, p50 ${ms(l.p50)}  p99 ${ms(l.p99)}  max ${ms(l.max)}  errors ${loadErrors}${firstError ? ` (first: ${firstError})` : ''}`,
);
const auditRows = access.audit({ limit: 1 }).total;
console.log(`audit rows written: ${auditRows}`);

agent.destroy();
await core.stop();
if (!keep) fs.rmSync(dir, { recursive: true, force: true });
if (seqErrors || loadErrors) process.exitCode = 1;
