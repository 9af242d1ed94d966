// LoCoMo (Maharana et al., ACL 2024), the development split in ../shared/data/locomo-dev/: long
// conversations with questions and the ids of the utterances that answer them. Loads a conversation
// as the memories a capture would make of it (one per pair of consecutive utterances, as one turn),
// scores evidence recall, and runs the plain FTS5 baseline over the same memories.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Caller } from '../../main/core/events.js';
import type { MemoryService } from '../../main/core/memory/service.js';

/** Where the data lives: LOCOMO_DIR, else shared/ beside the checkout (as on CI). */
export const LOCOMO_DIR =
  process.env.LOCOMO_DIR ?? path.resolve(import.meta.dirname, '../../../shared/data/locomo-dev');

export const CATEGORIES: Record<number, string> = {
  1: 'multi-hop',
  2: 'temporal',
  3: 'open-domain',
  4: 'single-hop',
};

interface Utterance {
  speaker: string;
  dia_id: string;
  text: string;
  blip_caption?: string;
}

export interface LocomoMemory {
  text: string;
  createdAt: string;
  /** The utterances this memory holds. */
  diaIds: string[];
}

export interface LocomoQuestion {
  question: string;
  category: number;
  evidence: string[];
}

export interface LocomoConversation {
  /** conv-26, … */
  name: string;
  speakers: [string, string];
  memories: LocomoMemory[];
  /** Categories 1–4 (5, adversarial, has no answer in the conversation). */
  questions: LocomoQuestion[];
}

export function locomoFiles(dir = LOCOMO_DIR): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /^conv-\d+\.json$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** "1:56 pm on 8 May, 2023" → ISO 8601. */
function sessionTime(value: string): string {
  const m = /^(\d{1,2}):(\d{2})\s*(am|pm) on (\d{1,2}) (\w+),? (\d{4})$/i.exec(value.trim());
  if (!m) throw new Error(`LoCoMo: unreadable session time "${value}"`);
  const [, h, min, half, d, month, y] = m;
  let hour = Number(h) % 12;
  if (half!.toLowerCase() === 'pm') hour += 12;
  const t = Date.parse(`${d} ${month} ${y} ${String(hour).padStart(2, '0')}:${min}:00 UTC`);
  if (Number.isNaN(t)) throw new Error(`LoCoMo: unreadable session time "${value}"`);
  return new Date(t).toISOString();
}

function line(u: Utterance): string {
  const photo = u.blip_caption ? ` [shares a photo: ${u.blip_caption}]` : '';
  return `${u.speaker}: ${u.text}${photo}`;
}

export function loadConversation(file: string): LocomoConversation {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown> & {
    speaker_a: string;
    speaker_b: string;
    qa: Array<{ question: string; category: number; evidence: string[] }>;
  };
  const sessions = Object.keys(raw)
    .map((k) => /^session_(\d+)$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const memories: LocomoMemory[] = [];
  for (const n of sessions) {
    const utterances = raw[`session_${n}`] as Utterance[];
    const start = Date.parse(sessionTime(raw[`session_${n}_date_time`] as string));
    for (let i = 0; i < utterances.length; i += 2) {
      const pair = utterances.slice(i, i + 2);
      memories.push({
        text: pair.map(line).join('\n'),
        // A second apart within a session, so memories keep the conversation's order.
        createdAt: new Date(start + i * 1000).toISOString(),
        diaIds: pair.map((u) => u.dia_id),
      });
    }
  }
  return {
    name: path.basename(file, '.json'),
    speakers: [raw.speaker_a, raw.speaker_b],
    memories,
    questions: raw.qa
      .filter((q) => q.category >= 1 && q.category <= 4)
      .map((q) => ({ question: String(q.question), category: q.category, evidence: q.evidence })),
  };
}

/** What one question's top results found. */
export interface QuestionScore {
  category: number;
  /** Share of the evidence in the top 5 and top 10. */
  recall5: number;
  recall10: number;
  /** At least one piece of evidence in the top 10. */
  hit10: boolean;
  empty: boolean;
}

/** Scores ranked results, each given as the utterance ids its memory holds. */
export function scoreQuestion(q: LocomoQuestion, ranked: ReadonlyArray<readonly string[]>): QuestionScore {
  const found = (k: number) => {
    const ids = new Set(ranked.slice(0, k).flat());
    // Some questions name an utterance twice, or one that is not in the conversation.
    const evidence = [...new Set(q.evidence)];
    return evidence.filter((e) => ids.has(e)).length / Math.max(1, evidence.length);
  };
  return {
    category: q.category,
    recall5: found(5),
    recall10: found(10),
    hit10: found(10) > 0,
    empty: ranked.length === 0,
  };
}

export interface RecallSummary {
  questions: number;
  recall5: number;
  recall10: number;
  hit10: number;
  empty: number;
  byCategory: Record<number, { questions: number; recall10: number }>;
}

export function summarizeScores(scores: readonly QuestionScore[]): RecallSummary {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const byCategory: RecallSummary['byCategory'] = {};
  for (const c of Object.keys(CATEGORIES).map(Number)) {
    const of = scores.filter((s) => s.category === c);
    byCategory[c] = { questions: of.length, recall10: mean(of.map((s) => s.recall10)) };
  }
  return {
    questions: scores.length,
    recall5: mean(scores.map((s) => s.recall5)),
    recall10: mean(scores.map((s) => s.recall10)),
    hit10: mean(scores.map((s) => (s.hit10 ? 1 : 0))),
    empty: scores.filter((s) => s.empty).length,
    byCategory,
  };
}

/** A common English stop list (NLTK's), for the baseline only. */
const BASELINE_STOP_WORDS = new Set(
  (
    "i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves " +
    "he him his himself she she's her hers herself it it's its itself they them their theirs themselves " +
    "what which who whom this that that'll these those am is are was were be been being have has had " +
    'having do does did doing a an the and but if or because as until while of at by for with about ' +
    'against between into through during before after above below to from up down in out on off over ' +
    'under again further then once here there when where why how all any both each few more most other ' +
    "some such no nor not only own same so than too very s t can will just don don't should should've " +
    "now d ll m o re ve y ain aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't hasn " +
    "hasn't haven haven't isn isn't ma mightn mightn't mustn mustn't needn needn't shan shan't shouldn " +
    "shouldn't wasn wasn't weren weren't won won't wouldn wouldn't"
  ).split(' '),
);

/**
 * The plain baseline: an FTS5 table (porter unicode61) over the same memories, each question's
 * words OR-ed without stop words, ranked by bm25(), restricted to the asking user's memories.
 */
export class Fts5Baseline {
  private readonly db = new Database(':memory:');
  private readonly insert;
  private readonly query;

  constructor() {
    this.db.exec(`CREATE TABLE m (seq INTEGER PRIMARY KEY, user_id TEXT NOT NULL, ref TEXT NOT NULL);
      CREATE VIRTUAL TABLE f USING fts5 (text, tokenize = 'porter unicode61');`);
    this.insert = this.db.transaction((userId: string, ref: string, text: string) => {
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO m (user_id, ref) VALUES (?, ?)')
        .run(userId, ref);
      this.db.prepare('INSERT INTO f (rowid, text) VALUES (?, ?)').run(lastInsertRowid, text);
    });
    this.query = this.db.prepare(
      `SELECT m.ref FROM f JOIN m ON m.seq = f.rowid
       WHERE f MATCH ? AND m.user_id = ? ORDER BY bm25(f) LIMIT ?`,
    );
  }

  add(userId: string, ref: string, text: string): void {
    this.insert(userId, ref, text);
  }

  search(userId: string, question: string, limit: number): string[] {
    const words = (question.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [])
      .map((w) => w.replace(/'s$/, '').replace(/'/g, ''))
      .filter((w) => w && !BASELINE_STOP_WORDS.has(w));
    if (words.length === 0) return [];
    const match = [...new Set(words)].map((w) => `"${w}"`).join(' OR ');
    return (this.query.all(match, userId, limit) as Array<{ ref: string }>).map((r) => r.ref);
  }

  close(): void {
    this.db.close();
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface RecallRun {
  /** Per question, in the order of the conversations and their questions. */
  ours: QuestionScore[];
  baseline: QuestionScore[];
  /** Milliseconds per MemoryService.search. */
  latencies: number[];
  emptyWhereBaselineFinds: number;
  /** The utterances each stored memory holds, by memory id. */
  utterancesOf: Map<string, readonly string[]>;
}

/**
 * Stores each conversation as one user's memories through MemoryService (the write path of REST
 * and MCP), then asks its questions through MemoryService.search (the search of search_memories,
 * POST /search and the review UI), and the baseline over the same memories.
 */
export async function measureRecall(
  memories: MemoryService,
  conversations: readonly LocomoConversation[],
): Promise<RecallRun> {
  const baseline = new Fts5Baseline();
  const utterancesOf = new Map<string, readonly string[]>();
  const callers = new Map<string, Caller>();
  for (const conv of conversations) {
    const caller: Caller = { userId: conv.name, via: 'rest' };
    callers.set(conv.name, caller);
    for (const m of conv.memories) {
      const [added] = await memories.add(caller, { text: m.text, source: 'manual', createdAt: m.createdAt });
      utterancesOf.set(added!.id, m.diaIds);
      baseline.add(conv.name, added!.id, m.text);
    }
  }
  const run: RecallRun = { ours: [], baseline: [], latencies: [], emptyWhereBaselineFinds: 0, utterancesOf };
  for (const conv of conversations) {
    for (const q of conv.questions) {
      const start = performance.now();
      const hits = await memories.search(callers.get(conv.name)!, q.question, {}, { limit: 10 });
      run.latencies.push(performance.now() - start);
      run.ours.push(
        scoreQuestion(
          q,
          hits.map((h) => utterancesOf.get(h.memory.id) ?? []),
        ),
      );
      const refs = baseline.search(conv.name, q.question, 10);
      run.baseline.push(
        scoreQuestion(
          q,
          refs.map((id) => utterancesOf.get(id) ?? []),
        ),
      );
      if (hits.length === 0 && refs.length > 0) run.emptyWhereBaselineFinds++;
    }
  }
  baseline.close();
  return run;
}
