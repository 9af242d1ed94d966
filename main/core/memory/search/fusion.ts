// Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): several ranked lists of the
// same items (one per phrasing of a query; later, an embedder's list beside BM25's) become one, each
// item scoring the sum of 1 / (k + its rank) over the lists that hold it.

/** The constant of the original paper: damps the weight of the very first ranks. */
export const RRF_K = 60;

export interface Fused<T> {
  item: T;
  /** Sum of 1 / (RRF_K + rank) over the lists, rank counted from 1. */
  score: number;
}

/** Fuses ranked lists (best first) of items that `key` identifies; best first, ties by first seen. */
export function reciprocalRankFusion<T>(
  lists: ReadonlyArray<readonly T[]>,
  key: (item: T) => string,
  k = RRF_K,
): Array<Fused<T>> {
  const fused = new Map<string, Fused<T> & { first: number }>();
  let seen = 0;
  for (const list of lists) {
    list.forEach((item, rank) => {
      const id = key(item);
      const entry = fused.get(id) ?? { item, score: 0, first: seen++ };
      entry.score += 1 / (k + rank + 1);
      fused.set(id, entry);
    });
  }
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.first - b.first)
    .map(({ item, score }) => ({ item, score }));
}
