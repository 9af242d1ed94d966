// Excerpts for search hits, cut from the memory's own text. FTS5's snippet() re-tokenizes the whole
// memory for every hit it marks, and a prefix term re-reads its merged posting list; the index has
// already found the words, so finding them again in the text is enough.
import type { Excerpt } from './types.js';

/** A word, with its combining marks, so a cut never separates a letter from its accent. */
const WORD = /[\p{L}\p{M}\p{N}_]+/gu;
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
 * An excerpt of `text` where the most different query words are close together (the first such
 * place), with every query word found: what FTS5's snippet() picks, without its cost. Only the
 * window shown is split into words: a memory is a few hundred words, and this runs for every hit.
 */
export function textExcerpt(text: string, query: string): Excerpt {
  const stems = stemsOf((query.normalize('NFKC').match(WORD) ?? []).slice(0, MAX_WORDS));
  // One matcher for choosing the place and for the matches: the finder, whose group tells the word.
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
  if (shown.length === 0) return { text: headOf(text, FALLBACK_CHARS), matches: [] };
  const first = shown[0]!;
  const last = shown[shown.length - 1]!;
  // Cut only where words are left out: what stands before the first word or after the last stays.
  const from = WORD_AFTER.test(text.slice(0, first.start)) ? first.start : 0;
  const to = WORD_AFTER.test(text.slice(last.end)) ? last.end : text.length;
  const head = from > 0 ? ELLIPSIS : '';
  const shift = head.length - from;
  const matches: Excerpt['matches'] = shown
    .filter((t) => hitAt.has(t.start))
    .map((t) => [t.start + shift, t.end + shift]);
  return { text: head + text.slice(from, to) + (to < text.length ? ELLIPSIS : ''), matches };
}

/**
 * Whether `excerpt` was cut from `text`: every part between its ellipses is in the text, and its
 * matches are ordered, non-overlapping ranges inside it that split no character.
 */
export function isExcerptOf(excerpt: Excerpt, text: string): boolean {
  if (!excerpt.text.split(ELLIPSIS).every((part) => text.includes(part))) return false;
  let end = 0;
  for (const [a, b] of excerpt.matches) {
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < end || b <= a || b > excerpt.text.length)
      return false;
    if (splitsPair(excerpt.text, a) || splitsPair(excerpt.text, b)) return false;
    end = b;
  }
  return true;
}

/** The start of `text`, at most `max` code units and never half a surrogate pair, '…' if cut. */
export function headOf(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = splitsPair(text, max - 1) ? max - 2 : max - 1;
  return text.slice(0, end) + ELLIPSIS;
}

/** Offset `at` falls between the two halves of a surrogate pair. */
function splitsPair(text: string, at: number): boolean {
  const before = text.charCodeAt(at - 1);
  const here = text.charCodeAt(at);
  return before >= 0xd800 && before <= 0xdbff && here >= 0xdc00 && here <= 0xdfff;
}

const ELLIPSIS = '…';
/** How much of a text without words (symbols, emoji) an excerpt shows. */
const FALLBACK_CHARS = 200;
/** About the length of WINDOW tokens of prose, for choosing where to cut. */
const SPAN_CHARS = 160;
/** How far back the lead-in words are looked for. */
const LOOKBACK_CHARS = 400;
const WORD_AFTER = /[\p{L}\p{M}\p{N}_]/u;
const WORD_BEFORE = /[\p{L}\p{M}\p{N}_]$/u;

/**
 * Where one of the stems occurs; group i + 1 is set when stem i matched. Only the stems are in it:
 * a case-insensitive Unicode regex that holds \p{L} is costly to compile and every search has new
 * stems, so word starts are checked apart.
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
  return headOf(text.replace(/\s+/g, ' ').trim(), max);
}
