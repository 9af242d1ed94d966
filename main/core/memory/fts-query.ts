// Turns what a person types into a safe FTS5 query: words only (FTS5 operators and quotes in the
// input are never interpreted), every word required, with an any-word variant as a fallback.

export interface FtsQuery {
  /** Every word must match. */
  all: string;
  /** Any word may match. */
  any: string;
}

const WORD = /[\p{L}\p{N}_]+/gu;
const MAX_TERMS = 32;
/**
 * A prefix shorter than this expands to a large part of the vocabulary: slow, and no help to the
 * person typing. Such a last fragment is left out until it grows (or matched as a whole word alone).
 * Matches the FTS5 prefix index (prefix = '3') of the memories table.
 */
export const MIN_PREFIX = 3;

export function toFtsQuery(input: string, options: { prefix?: boolean } = {}): FtsQuery | null {
  const words = (input.normalize('NFKC').match(WORD) ?? []).slice(0, MAX_TERMS);
  if (words.length === 0) return null;
  const typing = options.prefix === true && /[\p{L}\p{N}_]$/u.test(input);
  const fragment = typing ? words.pop()! : null;
  if (fragment !== null && (fragment.length >= MIN_PREFIX || words.length === 0)) words.push(fragment);
  const terms = words.map((w, i) => {
    const quoted = `"${w}"`;
    return fragment !== null && i === words.length - 1 && w === fragment && w.length >= MIN_PREFIX
      ? `${quoted}*`
      : quoted;
  });
  return { all: terms.join(' '), any: terms.join(' OR ') };
}
