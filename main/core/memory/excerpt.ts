// Excerpts for search hits, cut from the memory's own text. FTS5's snippet() re-tokenizes the whole
// memory for every hit it marks (0.2–0.4 ms a hit at 100,000 memories, and about 2.5 ms a hit for a
// prefix term, whose merged posting list it re-reads); the index has already found the words, so
// marking them in the text is enough.
import { SNIPPET_MARK } from './types.js';

const WORD = /[\p{L}\p{N}_]+/gu;
/** Tokens shown, as in snippet(…, 24). */
const WINDOW = 24;
/** Tokens kept before the match shown, so it is read in context. */
const LEAD = 6;
/** Query words looked for: one bit each in a 32-bit mask. */
const MAX_WORDS = 32;

/**
 * How a query word is recognised in text: the index stores Porter stems ("deployment" → "deploy"),
 * so a text word matches when it starts with the query word less up to two trailing characters
 * (never below four), which covers the common suffixes without a stemmer.
 */
function stemsOf(words: readonly string[]): string[] {
  return words.map((w) => {
    const lower = w.toLowerCase();
    return lower.length > 4 ? lower.slice(0, Math.max(4, lower.length - 2)) : lower;
  });
}

/**
 * A snippet of `text` where the most different query words are close together (the first such
 * place), with every query word marked: what FTS5's snippet() picks, without its cost. Only the
 * window shown is split into words: a memory is a few hundred words, and this runs for every hit.
 */
export function textExcerpt(text: string, query: string): string {
  const stems = stemsOf((query.normalize('NFKC').match(WORD) ?? []).slice(0, MAX_WORDS));
  // One matcher for choosing the place and for marking: the finder, whose group tells the word.
  const hits =
    stems.length === 0
      ? []
      : [...text.matchAll(finder(stems))]
          .filter((m) => !insideWord(text, m.index))
          .map((m) => ({ at: m.index, word: m.slice(1).findIndex(Boolean) }));
  const hitAt = new Set(hits.map((h) => h.at));
  // The place to show: the match with the most different query words in the span that follows it.
  let anchor = 0;
  let best = 0;
  for (const h of hits) {
    let seen = 0; // one bit per query word
    for (const o of hits) if (o.at >= h.at && o.at < h.at + SPAN_CHARS) seen |= 1 << o.word;
    const distinct = popcount(seen);
    if (distinct > best) [anchor, best] = [h.at, distinct];
  }
  const after = tokensFrom(text, anchor, WINDOW);
  const before = anchor === 0 ? [] : tokensFrom(text.slice(0, anchor), Math.max(0, anchor - LOOKBACK_CHARS));
  const lead = before.slice(-Math.max(LEAD, WINDOW - after.length));
  const shown = [...lead, ...after].slice(0, WINDOW);
  if (shown.length === 0) return text.slice(0, 200);
  const last = shown[shown.length - 1]!;
  let out = shown[0]!.start > 0 ? '…' : '';
  let at = shown[0]!.start > 0 ? shown[0]!.start : 0;
  for (const t of shown) {
    const word = text.slice(t.start, t.end);
    out += text.slice(at, t.start);
    out += hitAt.has(t.start) ? `${SNIPPET_MARK.open}${word}${SNIPPET_MARK.close}` : word;
    at = t.end;
  }
  out += WORD_AFTER.test(text.slice(last.end)) ? '…' : text.slice(at);
  return out;
}

/** About the length of WINDOW tokens of prose, for choosing where to cut. */
const SPAN_CHARS = 160;
/** How far back the lead-in words are looked for. */
const LOOKBACK_CHARS = 400;
const WORD_AFTER = /[\p{L}\p{N}_]/u;
const WORD_BEFORE = /[\p{L}\p{N}_]$/u;

/**
 * Where one of the stems occurs; group i + 1 is set when stem i matched. Only the stems are in it:
 * compiling a case-insensitive Unicode regex that holds \p{L} costs about 1 ms, every search has
 * new stems, and that compile was most of a search's excerpt time. Word starts are checked apart.
 */
function finder(stems: readonly string[]): RegExp {
  // Stems are runs of word characters, so none needs escaping.
  return new RegExp(stems.map((s) => `(${s})`).join('|'), 'giu');
}

/** A match at `at` continues a word rather than starting one. */
function insideWord(text: string, at: number): boolean {
  // Two code units: the character before may be a surrogate pair.
  return at > 0 && WORD_BEFORE.test(text.slice(Math.max(0, at - 2), at));
}

/** Up to `max` words of `text` from offset `from` on (all of them when max is omitted). */
function tokensFrom(text: string, from: number, max = Infinity): Array<{ start: number; end: number }> {
  const re = new RegExp(WORD.source, 'gu');
  re.lastIndex = from;
  const out: Array<{ start: number; end: number }> = [];
  for (let m = re.exec(text); m && out.length < max; m = re.exec(text))
    out.push({ start: m.index, end: m.index + m[0].length });
  // Starting inside a word: its tail is not a word of its own.
  if (from > 0 && out[0]?.start === from && WORD_AFTER.test(text[from - 1]!)) out.shift();
  return out;
}

function popcount(bits: number): number {
  let n = 0;
  for (let b = bits; b !== 0; b &= b - 1) n++;
  return n;
}

/** A memory's text on one line, whitespace collapsed, cut to `max` characters with an ellipsis. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
