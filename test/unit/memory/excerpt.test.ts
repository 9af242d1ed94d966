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
