// Excerpts for search-as-you-type hits, cut from the memory's own text.
import { describe, expect, it } from 'vitest';
import { textExcerpt } from '../../../main/core/memory/excerpt.js';
import { SNIPPET_MARK } from '../../../main/core/memory/types.js';

const mark = (w: string) => `${SNIPPET_MARK.open}${w}${SNIPPET_MARK.close}`;
const plain = (s: string) => s.replaceAll(SNIPPET_MARK.open, '').replaceAll(SNIPPET_MARK.close, '');

describe('textExcerpt', () => {
  it('marks the words being typed, stems included, in the text itself', () => {
    const text = 'The billing service retries failed invoices nightly; billed twice is a bug.';
    expect(textExcerpt(text, 'billi')).toBe(
      `The ${mark('billing')} service retries failed invoices nightly; ${mark('billed')} twice is a bug.`,
    );
    expect(textExcerpt(text, 'service retr')).toContain(`${mark('service')} ${mark('retries')}`);
  });

  it('cuts a window around the first match of a long text, and every part is the memory’s own', () => {
    const words = Array.from({ length: 200 }, (_, i) => `word${i}`);
    words[120] = 'Kubernetes';
    const text = words.join(' ');
    const ex = textExcerpt(text, 'kubern');
    expect(ex.startsWith('…')).toBe(true);
    expect(ex.endsWith('…')).toBe(true);
    expect(ex).toContain(mark('Kubernetes'));
    for (const part of plain(ex).split('…').filter(Boolean)) expect(text).toContain(part.trim());
    expect(plain(ex).split(/\s+/).filter(Boolean).length).toBeLessThanOrEqual(24);
  });

  it('starts at the beginning when nothing in the text looks like the query', () => {
    expect(textExcerpt('Short note about lunch', 'zzzz')).toBe('Short note about lunch');
  });
});

describe('textExcerpt picks where the query words meet', () => {
  const filler = (from: number, n: number) => Array.from({ length: n }, (_, i) => `w${from + i}`).join(' ');

  it('shows the place with both words over an earlier place with one', () => {
    const text = `${filler(0, 40)} postgres alone here ${filler(100, 60)} the postgres migration failed ${filler(200, 60)}`;
    const ex = textExcerpt(text, 'postgres migration');
    expect(ex).toContain(`${mark('postgres')} ${mark('migration')}`);
    expect(ex).not.toContain('alone');
  });

  it('leads in with whole words only, and keeps the window full near the end', () => {
    const text = `${filler(0, 80)} ends with kubernetes`;
    const ex = textExcerpt(text, 'kubernetes');
    expect(ex.startsWith('…w')).toBe(true);
    expect(ex.endsWith(mark('kubernetes'))).toBe(true);
    expect(plain(ex).slice(1).split(/\s+/)).toHaveLength(24);
    for (const part of plain(ex).split('…').filter(Boolean)) expect(` ${text}`).toContain(` ${part.trim()}`);
  });

  it('matches case-insensitively and finds words anywhere in a long text', () => {
    const text = `${filler(0, 300)} Terraform state lives in S3 ${filler(400, 300)}`;
    expect(textExcerpt(text, 'terraform')).toContain(mark('Terraform'));
  });
});

describe('textExcerpt places the window at whole words only', () => {
  const filler = (from: number, n: number) => Array.from({ length: n }, (_, i) => `w${from + i}`).join(' ');

  it('is not drawn to the query word inside other words, even after a letter outside the BMP', () => {
    const text = `${filler(0, 5)} retest contest 𝒜test ${filler(100, 60)} the test itself ${filler(200, 60)}`;
    const ex = textExcerpt(text, 'test');
    expect(ex).toContain(`the ${mark('test')} itself`);
    expect(ex).not.toContain('retest');
  });

  it('still finds the word after a match inside another word', () => {
    // The stem "deployme" first matches inside "redeployment"; the whole word later still counts.
    const text = `${filler(0, 5)} redeployment ${filler(100, 60)} deployment notes ${filler(200, 60)}`;
    expect(textExcerpt(text, 'deployment')).toContain(`${mark('deployment')} notes`);
  });
});
