// What a person or Claude types, turned into the terms a search looks for. Every content word is a
// term of its own and any of them is enough to find a memory (the ranking rewards memories with
// more of them): question forms, stop words and punctuation never make a search empty. Terms are
// quoted for FTS5, so its syntax in the input is never interpreted.
import { fold, partsOf, stem, TOKEN } from './words.js';

export interface Term {
  /** The word as folded (lower case, no diacritics); for a prefix, the fragment typed. */
  word: string;
  /** Its Porter stem: what the index matches (for a prefix: the start of what it matches). */
  stem: string;
  /** The stem the full search looks for: `stem`, but for a prefix the stem of the fragment typed. */
  whole: string;
  /**
   * An FTS5 query for the memories that hold the term. For a prefix it holds only where the start
   * is its own stem (FTS5 stems a prefix too: "vied"* is "vi"*); LexicalIndex.matchOf asks for the
   * words a prefix starts instead.
   */
  match: string;
  /** The half-typed last word of a search as you type. */
  prefix: boolean;
}

export interface ParsedQuery {
  terms: Term[];
}

const MAX_TERMS = 32;
/**
 * A prefix shorter than this expands to a large part of the vocabulary: slow, and no help to the
 * person typing. Such a fragment is searched as a whole word until it grows.
 */
export const MIN_PREFIX = 4;

/**
 * Function words, question words and auxiliaries: what a question is made of rather than what a
 * memory is about. They are searched only when a query holds nothing else.
 */
export const STOP_WORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be been before being below between ' +
    'both but by can could did do does doing done down during each either else ever few for from further ' +
    'get got had has have having he her here hers herself him himself his how i if in into is it its itself ' +
    'just let like may me might mine more most much must my myself no nor not now of off on once one only ' +
    'or other ought our ours ourselves out over own per same shall she should so some such than that the ' +
    'their theirs them themselves then there these they this those through to too under until up upon us ' +
    'very was we were what whatever when whenever where whereas wherever whether which while who whoever ' +
    'whom whose why will with within without would yet you your yours yourself yourselves ' +
    // the second halves of contractions (what's, don't, I've, we'll, they're, I'd)
    's t ve ll re d m'
  ).split(' '),
);

/** The words of a query, identifiers also in parts, folded, in the order typed. */
function wordsOf(input: string): string[] {
  const words: string[] = [];
  for (const [token] of input.normalize('NFKC').matchAll(TOKEN)) {
    words.push(fold(token));
    for (const part of partsOf(token)) words.push(fold(part));
  }
  return words;
}

/**
 * The terms of a query, once each by stem, stop words left out unless nothing else is left. With
 * `prefix` (search as you type), a last word still being typed also matches the words it starts.
 */
export function parseQuery(input: string, options: { prefix?: boolean } = {}): ParsedQuery | null {
  const all = wordsOf(input).slice(0, MAX_TERMS);
  if (all.length === 0) return null;
  const typing = options.prefix === true && /[\p{L}\p{N}]$/u.test(input);
  const last = all.length - 1;
  const content = all.filter((w) => !STOP_WORDS.has(w));
  const words = content.length > 0 ? content : [...all];
  // While typing, a stop word may be the start of another word ("the" of "theme").
  if (typing && content.length > 0 && STOP_WORDS.has(all[last]!)) words.push(all[last]!);
  const terms = new Map<string, Term>();
  words.forEach((word, i) => {
    const isFragment = typing && i === words.length - 1 && word === all[last] && word.length >= MIN_PREFIX;
    const term = isFragment ? prefixTerm(word) : wholeTerm(word);
    const key = `${term.prefix ? '*' : ''}${term.stem}`;
    if (!terms.has(key)) terms.set(key, term);
  });
  return { terms: [...terms.values()] };
}

function wholeTerm(word: string): Term {
  const s = stem(word);
  return { word, stem: s, whole: s, match: `"${word}"`, prefix: false };
}

/**
 * A word being typed. The index holds stems ("billing" as "bill"), and a half-typed word stems
 * differently or not at all ("billi" stays "billi"), so it matches the words that start with the
 * fragment less its last one or two characters (never below MIN_PREFIX), and the fragment as a
 * whole word, as the full search looks for it.
 */
function prefixTerm(fragment: string): Term {
  const start = fragment.slice(0, Math.max(MIN_PREFIX, fragment.length - 2));
  return {
    word: fragment,
    stem: start,
    whole: stem(fragment),
    match: `"${start}"* OR "${fragment}"`,
    prefix: true,
  };
}
