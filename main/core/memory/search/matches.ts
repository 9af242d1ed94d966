// Where a query's terms occur in one memory's text: how often each does (BM25's term frequency) and
// how close different terms stand (a proximity bonus). Read from the text of the few memories a
// search considers for its top results, with the stemming the index uses.
import type { Term } from './query.js';
import { fold, stem } from './words.js';

export interface TermMatches {
  /** Occurrences of each term, by the term's index. */
  tf: number[];
  /**
   * Sum over neighbouring occurrences of two different terms of min(weight) / distance²: highest
   * when the rarest terms stand side by side (a phrase), zero when at most one term occurs.
   */
  proximity: number;
}

/**
 * The words of a text as the index splits them, identifiers in their parts ("HTTPServer" → HTTP,
 * Server): a capitalised or lower-case run, a run of capitals, digits, or letters without case.
 */
const SUBWORD = /\p{Lu}?\p{Ll}+|\p{Lu}+(?!\p{Ll})|\p{N}+|\p{L}+/gu;

/** The terms (by index) a word of the text is a match for. */
function matcher(terms: readonly Term[]): (word: string) => number[] {
  // Most words start unlike every term: those are never stemmed. Two letters, as Porter may change
  // the third ("sky" → "ski", "ties" → "ti").
  const starts = new Set(terms.flatMap((t) => [t.stem.slice(0, 2), t.whole.slice(0, 2)]));
  const none: number[] = [];
  return (raw) => {
    const word = fold(raw);
    if (!starts.has(word.slice(0, 2))) return none;
    const stemmed = stem(word);
    const found: number[] = [];
    terms.forEach((t, i) => {
      if (stemmed === t.whole || (t.prefix && (stemmed.startsWith(t.stem) || word.startsWith(t.stem))))
        found.push(i);
    });
    return found;
  };
}

export function termMatches(text: string, terms: readonly Term[], weights: ArrayLike<number>): TermMatches {
  const tf = new Array<number>(terms.length).fill(0);
  const matchOf = matcher(terms);
  let proximity = 0;
  let last: { at: number; term: number } | null = null;
  let at = 0;
  for (const [word] of text.matchAll(SUBWORD)) {
    const here = matchOf(word);
    let best = -1;
    for (const i of here) {
      tf[i]!++;
      if (last && last.term !== i) {
        const d = at - last.at;
        proximity += Math.min(weights[i]!, weights[last.term]!) / (d * d);
      }
      if (best < 0 || weights[i]! > weights[best]!) best = i;
    }
    // The rarest term here stands for this place in what follows.
    if (best >= 0) last = { at, term: best };
    at++;
  }
  return { tf, proximity };
}
