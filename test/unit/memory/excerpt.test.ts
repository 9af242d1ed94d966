// Excerpts for search-as-you-type hits, cut from the memory's own text.
import { describe, expect, it } from 'vitest';
import { headOf, isExcerptOf, oneLine, textExcerpt } from '../../../main/core/memory/excerpt.js';
import type { Excerpt } from '../../../main/core/memory/types.js';

/** The excerpt with its matches in brackets, to read in an assertion (no test text holds brackets). */
function marked(e: Excerpt): string {
  let out = '';
  let at = 0;
  for (const [a, b] of e.matches) {
    out += `${e.text.slice(at, a)}[${e.text.slice(a, b)}]`;
    at = b;
  }
  return out + e.text.slice(at);
}
const mark = (w: string) => `[${w}]`;
/** The excerpt's text, checked to be the memory's own, and the matched words. */
function excerpt(text: string, query: string): string {
  const e = textExcerpt(text, query);
  expect(isExcerptOf(e, text)).toBe(true);
  return marked(e);
}
const plain = (s: string) => s.replaceAll('[', '').replaceAll(']', '');

describe('textExcerpt', () => {
  it('marks the words being typed, stems included, in the text itself', () => {
    const text = 'The billing service retries failed invoices nightly; billed twice is a bug.';
    expect(excerpt(text, 'billi')).toBe(
      `The ${mark('billing')} service retries failed invoices nightly; ${mark('billed')} twice is a bug.`,
    );
    expect(excerpt(text, 'service retr')).toContain(`${mark('service')} ${mark('retries')}`);
  });

  it('cuts a window around the first match of a long text, and every part is the memory’s own', () => {
    const words = Array.from({ length: 200 }, (_, i) => `word${i}`);
    words[120] = 'Kubernetes';
    const text = words.join(' ');
    const ex = excerpt(text, 'kubern');
    expect(ex.startsWith('…')).toBe(true);
    expect(ex.endsWith('…')).toBe(true);
    expect(ex).toContain(mark('Kubernetes'));
    for (const part of plain(ex).split('…').filter(Boolean)) expect(text).toContain(part.trim());
    expect(plain(ex).split(/\s+/).filter(Boolean).length).toBeLessThanOrEqual(24);
  });

  it('starts at the beginning when nothing in the text looks like the query', () => {
    expect(excerpt('Short note about lunch', 'zzzz')).toBe('Short note about lunch');
  });
});

describe('textExcerpt picks where the query words meet', () => {
  const filler = (from: number, n: number) => Array.from({ length: n }, (_, i) => `w${from + i}`).join(' ');

  it('shows the place with both words over an earlier place with one', () => {
    const text = `${filler(0, 40)} postgres alone here ${filler(100, 60)} the postgres migration failed ${filler(200, 60)}`;
    const ex = excerpt(text, 'postgres migration');
    expect(ex).toContain(`${mark('postgres')} ${mark('migration')}`);
    expect(ex).not.toContain('alone');
  });

  it('leads in with whole words only, and keeps the window full near the end', () => {
    const text = `${filler(0, 80)} ends with kubernetes`;
    const ex = excerpt(text, 'kubernetes');
    expect(ex.startsWith('…w')).toBe(true);
    expect(ex.endsWith(mark('kubernetes'))).toBe(true);
    expect(plain(ex).slice(1).split(/\s+/)).toHaveLength(24);
    for (const part of plain(ex).split('…').filter(Boolean)) expect(` ${text}`).toContain(` ${part.trim()}`);
  });

  it('matches case-insensitively and finds words anywhere in a long text', () => {
    const text = `${filler(0, 300)} Terraform state lives in S3 ${filler(400, 300)}`;
    expect(excerpt(text, 'terraform')).toContain(mark('Terraform'));
  });
});

describe('textExcerpt places the window at whole words only', () => {
  const filler = (from: number, n: number) => Array.from({ length: n }, (_, i) => `w${from + i}`).join(' ');

  it('is not drawn to the query word inside other words, even after a letter outside the BMP', () => {
    const text = `${filler(0, 5)} retest contest 𝒜test ${filler(100, 60)} the test itself ${filler(200, 60)}`;
    const ex = excerpt(text, 'test');
    expect(ex).toContain(`the ${mark('test')} itself`);
    expect(ex).not.toContain('retest');
  });

  it('still finds the word after a match inside another word', () => {
    // The stem "deployme" first matches inside "redeployment"; the whole word later still counts.
    const text = `${filler(0, 5)} redeployment ${filler(100, 60)} deployment notes ${filler(200, 60)}`;
    expect(excerpt(text, 'deployment')).toContain(`${mark('deployment')} notes`);
  });
});

describe('textExcerpt returns the text as it is, with match ranges', () => {
  const filler = (from: number, n: number) => Array.from({ length: n }, (_, i) => `w${from + i}`).join(' ');

  it('shows « and » of a memory exactly, the matches as ranges beside the text', () => {
    const text = '«Billing» runs nightly » then «billed» twice';
    const e = textExcerpt(text, 'billi');
    expect(e.text).toBe(text);
    expect(e.matches.map(([a, b]) => e.text.slice(a, b))).toEqual(['Billing', 'billed']);
    expect(e.matches).toEqual([
      [1, 8],
      [31, 37],
    ]);
  });

  it('keeps the ranges on the excerpt when it is cut, in UTF-16 offsets past emoji', () => {
    const text = `${filler(0, 80)} 🚀 deploy 👩‍👩‍👧 ran «deploy» ok ${filler(200, 80)}`;
    const e = textExcerpt(text, 'deploy');
    expect(e.text.startsWith('…')).toBe(true);
    expect(e.text).toContain('🚀 deploy 👩‍👩‍👧 ran «deploy» ok');
    expect(e.matches.map(([a, b]) => e.text.slice(a, b))).toEqual(['deploy', 'deploy']);
    expect(isExcerptOf(e, text)).toBe(true);
  });

  it('never cuts a character in two: emoji, letters outside the BMP, accents', () => {
    const emoji = '😀'.repeat(150);
    const head = textExcerpt(emoji, 'x');
    expect(head.text).toBe(`${'😀'.repeat(99)}…`);
    // A decomposed accent belongs to its letter, so the word ends after it.
    const accent = `${filler(0, 10)} cafe\u0301 ${filler(100, 40)}`;
    expect(textExcerpt(accent, 'cafe').text).toContain('cafe\u0301 ');
    expect(headOf('ab😀', 3)).toBe('ab…');
    expect(oneLine('a  b😀c', 4)).toBe('a b…');
  });
});

describe('isExcerptOf', () => {
  const text = 'Postgres vacuum full locks the orders table';

  it('accepts an excerpt cut from the text with valid ranges', () => {
    expect(isExcerptOf({ text: '…vacuum full…', matches: [[1, 7]] }, text)).toBe(true);
  });

  it('refuses another text, and ranges out of order, overlapping, empty, outside or inside a pair', () => {
    expect(isExcerptOf({ text: 'another memory', matches: [] }, text)).toBe(false);
    for (const matches of [
      [
        [9, 13],
        [0, 8],
      ],
      [
        [0, 8],
        [7, 10],
      ],
      [[3, 3]],
      [[30, 60]],
      [[-1, 2]],
      [[0.5, 2]],
    ] as Array<Array<[number, number]>>)
      expect(isExcerptOf({ text, matches }, text)).toBe(false);
    expect(isExcerptOf({ text: 'a😀b', matches: [[2, 4]] }, 'a😀b')).toBe(false);
  });
});
