// Words as the search index sees them. SQLite's unicode61 tokenizer splits text at everything
// that is not a letter or a digit (so snake_case, kebab-case, paths and dotted numbers are already
// words apart) and keeps camelCase identifiers whole; the parts of those are added to the indexed
// text, so that a search for a part ("user") finds the whole ("getUserName"). Queries go through
// the same splitting, and the index stems with Porter, as `stem` does here.
import { stemmer } from 'stemmer';

/** A run of letters and digits: one unicode61 token. */
export const TOKEN = /[\p{L}\p{N}]+/gu;

/** Where an identifier breaks into parts: lower→Upper, UPPER→Upper+lower, letter↔digit. */
const PART_BREAK =
  /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;

/** Parts shorter than this ("v" of "v2") are too common to find anything by. */
const MIN_PART = 2;

/** The parts of one token that is an identifier ("getUserName" → get, User, Name); [] for a plain word. */
export function partsOf(token: string): string[] {
  const parts = token.split(PART_BREAK);
  return parts.length > 1 ? parts.filter((p) => p.length >= MIN_PART) : [];
}

/** What the index holds of a memory: its text, then the parts of its identifiers; and the token count. */
export function analyze(text: string): { indexed: string; tokens: number } {
  const parts: string[] = [];
  let tokens = 0;
  for (const [token] of text.matchAll(TOKEN)) {
    tokens++;
    // Only a token with a capital or a digit can break into parts.
    if (token !== token.toLowerCase() || /\p{N}/u.test(token)) parts.push(...partsOf(token));
  }
  return {
    indexed: parts.length === 0 ? text : `${text}\n${parts.join(' ')}`,
    tokens: tokens + parts.length,
  };
}

/** Lower case without diacritics, as unicode61 (remove_diacritics 2) folds a token. */
export function fold(token: string): string {
  // Most words are ASCII, which has nothing to take off.
  if (!/[^ -~]/.test(token)) return token.toLowerCase();
  return token.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

const stems = new Map<string, string>();
/** The Porter stem of a folded token, as the index's porter tokenizer makes it. */
export function stem(folded: string): string {
  let s = stems.get(folded);
  if (s === undefined) {
    // Porter is defined for English letters; numbers and other scripts are kept as they are.
    s = /^[a-z]+$/.test(folded) ? stemmer(folded) : folded;
    if (stems.size > 50_000) stems.clear();
    stems.set(folded, s);
  }
  return s;
}
