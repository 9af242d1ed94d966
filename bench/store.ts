// Local store at 100,000 memories: insert rate, open time, list page, search p95, core readiness.
// Run: npm run bench -- store
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../main/core/db/database.js';
import { LocalMemoryBackend } from '../main/core/memory/local-backend.js';
import type { NewMemory } from '../main/core/memory/types.js';
import { makeCorpus, ms, summarize } from './support/corpus.js';
import { coreEnv } from '../test/support/core-env.js';

const N = Number(process.env.BENCH_MEMORIES ?? 100_000);
// BENCH_DIR keeps the database between runs (to compare search strategies without re-inserting).
const keep = process.env.BENCH_DIR;
const dir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mem0-bench-store-'));
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, 'mem0-tray.db');
const corpus = makeCorpus(7);
const projects = Array.from({ length: 20 }, (_, i) => `project-${i}`);

console.log(`store benchmark: ${N} memories, ${os.cpus().length} cores, node ${process.version}`);

// Insert in batches of 5,000, as an import or a restore does.
let db = openDatabase(file);
let backend = new LocalMemoryBackend(db);
const batch = 5000;
const base = Date.UTC(2025, 0, 1);
let textBytes = 0;
let insertMs = 0;
const reuse = (await backend.list({ userId: 'me' }, { limit: 1, withTotal: true })).total! > 0;
for (let done = 0; !reuse && done < N; done += batch) {
  const inputs: NewMemory[] = [];
  for (let i = done; i < Math.min(N, done + batch); i++) {
    const text = corpus.text();
    textBytes += text.length;
    inputs.push({
      userId: i % 10 === 0 ? 'other-user' : 'me',
      text,
      source: i % 3 === 0 ? 'mcp' : 'proxy',
      projectId: projects[i % projects.length]!,
      conversationId: `conv-${Math.floor(i / 8)}`,
      model: 'claude-sonnet-4-5',
      metadata: { tools: ['Bash'] },
      createdAt: new Date(base + i * 60_000).toISOString(),
    });
  }
  const t0 = performance.now();
  backend.addBatch(inputs);
  insertMs += performance.now() - t0;
}
if (reuse) console.log(`insert: skipped, reusing ${file}`);
else
  console.log(
    `insert: ${Math.round(N / (insertMs / 1000))} memories/s (${(insertMs / 1000).toFixed(1)} s, avg ${Math.round(textBytes / N)} chars/memory)`,
  );
db.close();
console.log(`database size: ${(fs.statSync(file).size / 1e6).toFixed(0)} MB`);

// Open: a fresh process's first open, migrations check and first page.
const opens: number[] = [];
for (let i = 0; i < 10; i++) {
  const t0 = performance.now();
  db = openDatabase(file);
  backend = new LocalMemoryBackend(db);
  await backend.list({ userId: 'me' }, { limit: 50 });
  opens.push(performance.now() - t0);
  if (i < 9) db.close();
}
console.log(`open + first page: p50 ${ms(summarize(opens).p50)}, max ${ms(summarize(opens).max)}`);

const time = async (n: number, fn: (i: number) => Promise<unknown>) => {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
};

let cursor: string | null = null;
const list = await time(500, async () => {
  const page = await backend.list({ userId: 'me' }, { limit: 50, cursor });
  cursor = page.nextCursor;
});
console.log(`list page (50, keyset paging): p50 ${ms(list.p50)}, p95 ${ms(list.p95)}`);
const listProject = await time(300, (i) =>
  backend.list({ userId: 'me', projectId: projects[i % 20] }, { limit: 50 }),
);
console.log(`list page filtered by project: p50 ${ms(listProject.p50)}, p95 ${ms(listProject.p95)}`);
const listOffset = await time(200, (i) =>
  backend.list({ userId: 'me' }, { limit: 50, offset: (i * 449) % 89_000 }),
);
console.log(
  `list page at a random offset (virtual list): p50 ${ms(listOffset.p50)}, p95 ${ms(listOffset.p95)}`,
);

const queries = Array.from({ length: 1000 }, () => corpus.query());
let matched = 0;
const search = await time(queries.length, async (i) => {
  const hits = await backend.search(queries[i]!, { userId: 'me' }, { limit: 10 });
  if (hits.length) matched++;
});
console.log(
  `search (1–3 words, top 10, BM25 + snippets): p50 ${ms(search.p50)}, p95 ${ms(search.p95)}, p99 ${ms(search.p99)} (${matched}/${queries.length} queries matched)`,
);
// The same queries again: their index pages are now in memory. On a VM that pages out file cache
// unused for a minute (this one runs DAMON "pageout"), the first pass reads many of them from disk.
const again = await time(queries.length, (i) => backend.search(queries[i]!, { userId: 'me' }, { limit: 10 }));
console.log(
  `search, the same queries again: p50 ${ms(again.p50)}, p95 ${ms(again.p95)}, p99 ${ms(again.p99)}`,
);
const common = await time(200, (i) =>
  backend.search(corpus.vocabulary[i % 10]!, { userId: 'me' }, { limit: 10 }),
);
console.log(
  `search for one of the 10 most common words (worst case): p50 ${ms(common.p50)}, p95 ${ms(common.p95)}`,
);
// The review UI's filters: a project (a twentieth of the memories), then its most common words.
const inProject = await time(300, (i) =>
  backend.search(queries[i]!, { userId: 'me', projectId: projects[i % 20] }, { limit: 10 }),
);
const commonInProject = await time(100, (i) =>
  backend.search(corpus.vocabulary[i % 10]!, { userId: 'me', projectId: projects[i % 20] }, { limit: 10 }),
);
console.log(
  `search filtered by project: p50 ${ms(inProject.p50)}, p95 ${ms(inProject.p95)}; one of the 10 most common words: p50 ${ms(commonInProject.p50)}, p95 ${ms(commonInProject.p95)}`,
);
// Search as you type: every keystroke of 100 queries, from the second character on.
const keystrokes: string[] = [];
for (const q of queries.slice(0, 100)) for (let n = 2; n <= q.length; n++) keystrokes.push(q.slice(0, n));
const typing = await time(keystrokes.length, (i) =>
  backend.search(keystrokes[i]!, { userId: 'me' }, { limit: 10, prefix: true }),
);
console.log(
  `search as you type (${keystrokes.length} keystrokes): p50 ${ms(typing.p50)}, p95 ${ms(typing.p95)}, p99 ${ms(typing.p99)}`,
);
db.close();

// Readiness of the headless core: spawn `mem0-tray serve` on this 100k database until runtime.json.
const cli = path.resolve('bin/mem0-tray.js');
const ready: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: { ...process.env, ...coreEnv({}, dir) },
    stdio: 'ignore',
  });
  while (!fs.existsSync(path.join(dir, 'runtime.json'))) await new Promise((r) => setTimeout(r, 2));
  ready.push(performance.now() - t0);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  if (fs.existsSync(path.join(dir, 'runtime.json')))
    throw new Error('runtime.json left behind after SIGTERM');
}
console.log(
  `headless core ready (spawn → runtime.json): p50 ${ms(summarize(ready).p50)}, max ${ms(summarize(ready).max)}`,
);
if (!keep) fs.rmSync(dir, { recursive: true, force: true });
