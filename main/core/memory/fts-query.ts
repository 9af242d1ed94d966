// Turns what a person types into a safe FTS5 query: words only (FTS5 operators and quotes in the
// input are never interpreted), every word required; the words one by one for searching with fewer.

export interface FtsQuery {
  /** Every word must match. */
  all: string;
  /**
   * Like `all`, with the word being typed also matched with its last characters trimmed (see
   * prefixTerm); tried only when `all` finds nothing, because the extra prefixes are costly.
   */
  loose: string;
  /** Each word's term as in `all`, in the order typed, once each (a search with fewer words). */
  terms: string[];
}

const WORD = /[\p{L}\p{N}_]+/gu;
const MAX_TERMS = 32;
/**
 * A prefix shorter than this expands to a large part of the vocabulary: slow, and no help to the
 * person typing. Such a last fragment is left out until it grows (or matched as a whole word alone).
 */
export const MIN_PREFIX = 4;

/**
 * Words so common that requiring them narrows nothing while reading their huge posting lists costs
 * most of a query's time. Left out of multi-word queries; a query of only such words keeps them.
 */
const STOP_WORDS = new Set(
  'a an and are as at be but by for from has have i if in into is it its me my no not of on or our so than that the their them then there these they this to was we were what when where which who will with you your'.split(
    ' ',
  ),
);

export function toFtsQuery(input: string, options: { prefix?: boolean } = {}): FtsQuery | null {
  const found = (input.normalize('NFKC').match(WORD) ?? []).slice(0, MAX_TERMS);
  if (found.length === 0) return null;
  const content = found.filter(
    (w, i) => !STOP_WORDS.has(w.toLowerCase()) || (options.prefix && i === found.length - 1),
  );
  const words = content.length > 0 ? content : found;
  const typing = options.prefix === true && /[\p{L}\p{N}_]$/u.test(input);
  const fragment = typing ? words.pop()! : null;
  if (fragment !== null && (fragment.length >= MIN_PREFIX || words.length === 0)) words.push(fragment);
  const isFragment = (w: string, i: number) =>
    fragment !== null && i === words.length - 1 && w === fragment && w.length >= MIN_PREFIX;
  const terms = words.map((w, i) => (isFragment(w, i) ? `"${w}"*` : `"${w}"`));
  const loose = words.map((w, i) => (isFragment(w, i) ? prefixTerm(w) : `"${w}"`));
  return { all: allOf(terms), loose: allOf(loose), terms: [...new Set(terms)] };
}

/** A query for the memories that have every one of the terms. */
export function allOf(terms: readonly string[]): string {
  // Explicit AND: FTS5's implicit AND does not accept a parenthesised group (see prefixTerm).
  return terms.join(' AND ');
}

/**
 * A word being typed, as a prefix. The index holds Porter stems ("billing" is stored as "bill"),
 * and a half-typed word is stemmed differently or not at all ("billi" stays "billi"), so the
 * fragment also matches with its last one or two characters trimmed, never below MIN_PREFIX.
 */
function prefixTerm(fragment: string): string {
  const variants = [fragment];
  for (let cut = 1; cut <= 2 && fragment.length - cut >= MIN_PREFIX; cut++)
    variants.push(fragment.slice(0, -cut));
  const terms = variants.map((v) => `"${v}"*`);
  return terms.length === 1 ? terms[0]! : `(${terms.join(' OR ')})`;
}
