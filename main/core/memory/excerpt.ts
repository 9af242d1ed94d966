// Excerpts for search-as-you-type hits, cut from the memory's own text. FTS5's snippet() re-reads a
// prefix term's merged posting list for every row it marks (about 2.5 ms a row at 100,000
// memories), which made a ten-hit preview cost ~25 ms; the words were already found by the index,
// so marking them in the text is enough.
import { SNIPPET_MARK } from './types.js';

const WORD = /[\p{L}\p{N}_]+/gu;
/** Tokens shown, as in snippet(…, 24). */
const WINDOW = 24;
/** Tokens kept before the first match, so it is read in context. */
const LEAD = 6;

/**
 * How a query word is recognised in text: the index stores Porter stems ("deployment" → "deploy"),
 * so a text word matches when it starts with the query word less up to two trailing characters
 * (never below four), which covers the common suffixes without a stemmer.
 */
function matcher(words: readonly string[]): (token: string) => boolean {
  const stems = words.map((w) => {
    const lower = w.toLowerCase();
    return lower.length > 4 ? lower.slice(0, Math.max(4, lower.length - 2)) : lower;
  });
  return (token) => {
    const t = token.toLowerCase();
    return stems.some((s) => t.startsWith(s));
  };
}

/** A snippet of `text` around the first query word, with every query word marked. */
export function textExcerpt(text: string, query: string): string {
  const words = query.normalize('NFKC').match(WORD) ?? [];
  const tokens = [...text.matchAll(WORD)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    word: m[0],
  }));
  if (tokens.length === 0) return text.slice(0, 200);
  const isMatch = matcher(words);
  const first = Math.max(
    0,
    tokens.findIndex((t) => isMatch(t.word)),
  );
  const from = Math.max(0, Math.min(first - LEAD, tokens.length - WINDOW));
  const to = Math.min(tokens.length, from + WINDOW);
  let out = from > 0 ? '…' : '';
  let at = from > 0 ? tokens[from]!.start : 0;
  for (let i = from; i < to; i++) {
    const t = tokens[i]!;
    out += text.slice(at, t.start);
    out += isMatch(t.word) ? `${SNIPPET_MARK.open}${t.word}${SNIPPET_MARK.close}` : t.word;
    at = t.end;
  }
  out += to < tokens.length ? '…' : text.slice(at);
  return out;
}
