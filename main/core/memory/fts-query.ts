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

export function toFtsQuery(input: string, options: { prefix?: boolean } = {}): FtsQuery | null {
  const words = (input.normalize('NFKC').match(WORD) ?? []).slice(0, MAX_TERMS);
  if (words.length === 0) return null;
  const endsInWord = /[\p{L}\p{N}_]$/u.test(input);
  const terms = words.map((w, i) => {
    const quoted = `"${w}"`;
    return options.prefix && endsInWord && i === words.length - 1 ? `${quoted}*` : quoted;
  });
  return { all: terms.join(' '), any: terms.join(' OR ') };
}
