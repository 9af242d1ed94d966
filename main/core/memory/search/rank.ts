// Ranks a caller's memories for a query, in two steps:
// 1. Candidates: for each term, the memories of the scope that hold it (all of them for a term
//    rarer than the cap; the newest `cap` for a common one, plus the newest that hold every term),
//    scored by BM25 on which terms each holds and its length.
// 2. The best of those are read and scored again from their text: how often each term occurs, and
//    a bonus for different terms close together.
// Every statistic is of the caller's scope (see bm25.ts).
import type { MemoryFilter } from '../types.js';
import { bm25, BM25, idf, type Bm25Params } from './bm25.js';
import type { LexicalIndex } from './lexical-index.js';
import { termMatches } from './matches.js';
import type { ParsedQuery } from './query.js';

export interface RankOptions {
  /** Matches read per term at most (see LexicalIndex.postings). */
  cap: number;
  bm25?: Bm25Params;
  /** Weight of the proximity bonus against BM25. */
  proximity?: number;
}

/** Matches read per term for a search, and for a keystroke's preview. */
export const TERM_CAP = 500;
export const PREVIEW_TERM_CAP = 200;
/** Weight of the proximity bonus, tuned on the LoCoMo development split. */
export const PROXIMITY_WEIGHT = 0.25;

export interface Ranked {
  seq: number;
  score: number;
  /** How many of the query's terms the memory holds, their summed weight, and that of all of them. */
  matched: { words: number; weight: number; of: number };
}

interface Candidate {
  seq: number;
  tokens: number;
  holds: Uint8Array;
}

/** How many candidates of step 1 are read again from their text. */
const rescored = (limit: number) => Math.max(30, 3 * limit);

export function rankLexical(
  index: LexicalIndex,
  query: ParsedQuery,
  filter: MemoryFilter,
  limit: number,
  textOf: (seqs: number[]) => Map<number, string>,
  options: RankOptions,
): Ranked[] {
  const stats = index.stats(filter);
  if (stats.memories <= 0) return [];
  const { terms } = query;
  const params = options.bm25 ?? BM25;
  const weights = new Float64Array(terms.length);
  const candidates = new Map<number, Candidate>();
  const candidate = (seq: number, tokens: number) => {
    let c = candidates.get(seq);
    if (!c) {
      c = { seq, tokens, holds: new Uint8Array(terms.length) };
      candidates.set(seq, c);
    }
    return c;
  };
  // Below this seq, a common term's older matches were not read (0: every match was).
  let unread = 0;
  const matches = terms.map((term) => index.matchOf(term));
  terms.forEach((term, i) => {
    const postings = index.postings(matches[i]!, filter, stats, options.cap);
    weights[i] = idf(stats, postings.count);
    if (postings.count > postings.matches.length) unread = Math.max(unread, postings.matches.at(-1)!.seq);
    for (const m of postings.matches) candidate(m.seq, m.tokens).holds[i] = 1;
  });
  // The memories that hold every term are read there too (above it, what each holds is known).
  if (unread > 0 && terms.length > 1) {
    const every = matches.map((m) => `(${m})`).join(' AND ');
    for (const m of index.matchesBefore(every, filter, unread, options.cap))
      candidate(m.seq, m.tokens).holds.fill(1);
  }
  const first = [...candidates.values()]
    .map((c) => ({ c, score: bm25(c.holds, weights, c.tokens, stats, params) }))
    .sort((a, b) => b.score - a.score || b.c.seq - a.c.seq)
    .slice(0, rescored(limit));
  const texts = textOf(first.map((f) => f.c.seq));
  const proximityWeight = options.proximity ?? PROXIMITY_WEIGHT;
  const of = weights.reduce((sum, w) => sum + w, 0);
  const matched = (holds: Uint8Array) => ({
    words: holds.reduce((n, h) => n + (h > 0 ? 1 : 0), 0),
    weight: weights.reduce((sum, w, i) => sum + (holds[i]! > 0 ? w : 0), 0),
    of,
  });
  return first
    .map(({ c, score }): Ranked => {
      const text = texts.get(c.seq);
      if (text === undefined) return { seq: c.seq, score, matched: matched(c.holds) };
      const found = termMatches(text, terms, weights);
      // The index found the term even where this reading of the text does not (a stemming edge).
      const tf = found.tf.map((n, i) => Math.max(n, c.holds[i]!));
      return {
        seq: c.seq,
        score: bm25(tf, weights, c.tokens, stats, params) + proximityWeight * found.proximity,
        matched: matched(c.holds),
      };
    })
    .sort((a, b) => b.score - a.score || b.seq - a.seq)
    .slice(0, limit);
}
