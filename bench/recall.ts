// Recall on LoCoMo (../shared/data/locomo-dev/): each conversation stored as one user's memories
// through MemoryService (the write path of REST and MCP), one memory per pair of utterances, all
// users in one store; every question of categories 1–4 asked through MemoryService.search, the
// search of search_memories, POST /search and the review UI. The plain FTS5 OR baseline runs over
// the same memories in the same run.
// Run: npm run bench -- recall        (LOCOMO_DIR=… for another copy of the data)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../main/core/db/database.js';
import { CoreEvents } from '../main/core/events.js';
import { LocalMemoryBackend } from '../main/core/memory/local-backend.js';
import { BM25 } from '../main/core/memory/search/bm25.js';
import { PROXIMITY_WEIGHT } from '../main/core/memory/search/rank.js';
import { MemoryService } from '../main/core/memory/service.js';
import {
  CATEGORIES,
  loadConversation,
  LOCOMO_DIR,
  locomoFiles,
  measureRecall,
  percentile,
  scoreQuestion,
  summarizeScores,
  type QuestionScore,
  type RecallSummary,
} from '../test/support/locomo.js';

const files = locomoFiles();
if (files.length === 0) {
  console.error(`no LoCoMo conversations in ${LOCOMO_DIR} (set LOCOMO_DIR)`);
  process.exit(2);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mem0-bench-recall-'));
const db = openDatabase(path.join(dir, 'mem0-tray.db'));
const backend = new LocalMemoryBackend(db);
const memories = new MemoryService(() => backend, new CoreEvents());
const conversations = files.map(loadConversation);
const t0 = performance.now();
const run = await measureRecall(memories, conversations);
const { ours, baseline: theirs, latencies, emptyWhereBaselineFinds, utterancesOf } = run;
console.log(
  `recall benchmark: ${conversations.length} conversations (${conversations.map((c) => c.name).join(', ')}), ` +
    `${utterancesOf.size} memories, ${ours.length} questions (categories 1–4), top 10, ` +
    `stored and asked in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const row = (name: string, s: RecallSummary) =>
  [
    name.padEnd(22),
    pct(s.recall5).padStart(10),
    pct(s.recall10).padStart(11),
    pct(s.hit10).padStart(9),
    String(s.empty).padStart(6),
    ...Object.keys(CATEGORIES).map((c) => pct(s.byCategory[Number(c)]!.recall10).padStart(13)),
  ].join(' ');
console.log(
  [
    ''.padEnd(22),
    'recall@5'.padStart(10),
    'recall@10'.padStart(11),
    'hit@10'.padStart(9),
    'empty'.padStart(6),
    ...Object.entries(CATEGORIES).map(([c, name]) => `${c} ${name}`.padStart(13)),
  ].join(' '),
);
const mine = summarizeScores(ours);
const base = summarizeScores(theirs);
console.log(row('Mem0 Tray search', mine));
console.log(row('FTS5 OR baseline', base));
console.log(
  `questions per category: ${Object.entries(mine.byCategory)
    .map(([c, s]) => `${c}: ${s.questions}`)
    .join(', ')}`,
);
console.log(`empty where the baseline found something: ${emptyWhereBaselineFinds}`);
let from = 0;
for (const conv of conversations) {
  const to = from + conv.questions.length;
  const [m, b] = [summarizeScores(ours.slice(from, to)), summarizeScores(theirs.slice(from, to))];
  console.log(
    `  ${conv.name}: recall@10 ${pct(m.recall10)} (baseline ${pct(b.recall10)}), recall@5 ${pct(m.recall5)} (${pct(b.recall5)})`,
  );
  from = to;
}
const sorted = [...latencies].sort((a, b) => a - b);
console.log(
  `search latency (MemoryService.search, top 10): p50 ${percentile(sorted, 50).toFixed(2)} ms, p95 ${percentile(sorted, 95).toFixed(2)} ms`,
);
const delta = (a: number, b: number) => `${a >= b ? '+' : ''}${(100 * (a - b)).toFixed(1)} points`;
console.log(
  `against the baseline: recall@10 ${delta(mine.recall10, base.recall10)}, recall@5 ${delta(mine.recall5, base.recall5)}`,
);

// The ranking's parameters, each varied alone around the defaults, over the same memories.
const recallWith = async (ranking: ConstructorParameters<typeof LocalMemoryBackend>[1]) => {
  const variant = new LocalMemoryBackend(db, ranking);
  const scores: QuestionScore[] = [];
  for (const conv of conversations)
    for (const q of conv.questions) {
      const hits = await variant.search(q.question, { userId: conv.name }, { limit: 10 });
      scores.push(
        scoreQuestion(
          q,
          hits.map((h) => utterancesOf.get(h.memory.id) ?? []),
        ),
      );
    }
  const s = summarizeScores(scores);
  return `@10 ${pct(s.recall10)} @5 ${pct(s.recall5)}`;
};
const sweep: Array<[string, ConstructorParameters<typeof LocalMemoryBackend>[1]]> = [
  ...[0, 0.25, 0.5, 0.75, 1].map((b) => [`b ${b}`, { bm25: { ...BM25, b } }] as [string, object]),
  ...[0.5, 0.9, 1.2, 1.6, 2.0].map((k1) => [`k1 ${k1}`, { bm25: { ...BM25, k1 } }] as [string, object]),
  ...[0, 0.25, 0.5, 1, 2].map((proximity) => [`proximity ${proximity}`, { proximity }] as [string, object]),
];
console.log(`ranking parameters (defaults: k1 ${BM25.k1}, b ${BM25.b}, proximity ${PROXIMITY_WEIGHT}):`);
for (const [name, ranking] of sweep) console.log(`  ${name.padEnd(16)} ${await recallWith(ranking)}`);

db.close();
fs.rmSync(dir, { recursive: true, force: true });
