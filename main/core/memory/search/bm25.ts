// BM25 over the memories a caller may read. Every statistic (how many memories, their average
// length, how many hold each term) is of the caller's own scope, never of the whole store, so what a
// caller gets does not depend on anybody else's memories.

export interface Bm25Params {
  /** How fast repeats of a term stop adding to a memory's score. */
  k1: number;
  /** How much a memory's length (against the average) discounts its matches: 0 none, 1 fully. */
  b: number;
}

/** Tuned on the LoCoMo development split (`npm run bench -- recall` prints the sweep). */
export const BM25: Bm25Params = { k1: 1.2, b: 0.75 };

export interface ScopeStats {
  /** Memories in the scope. */
  memories: number;
  /** Their tokens, all together. */
  tokens: number;
}

/** Robertson–Spärck Jones weight, kept positive for a term that most memories hold (as Lucene does). */
export function idf(stats: ScopeStats, df: number): number {
  const n = Math.max(stats.memories, df);
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/**
 * One memory's score: `tf[i]` is how often it holds term i (0 when not), `weights[i]` that term's
 * idf, `length` its token count.
 */
export function bm25(
  tf: ArrayLike<number>,
  weights: ArrayLike<number>,
  length: number,
  stats: ScopeStats,
  params: Bm25Params = BM25,
): number {
  const average = stats.memories > 0 && stats.tokens > 0 ? stats.tokens / stats.memories : 1;
  const norm = params.k1 * (1 - params.b + (params.b * length) / average);
  let score = 0;
  for (let i = 0; i < tf.length; i++) {
    const f = tf[i]!;
    if (f > 0) score += (weights[i]! * f * (params.k1 + 1)) / (f + norm);
  }
  return score;
}
