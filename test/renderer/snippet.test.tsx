// A search excerpt is its text exactly, with the core's match ranges as <mark> elements.
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SnippetText } from '../../renderer/src/memories/snippet';

afterEach(cleanup);

function shown(text: string, matches: Array<[number, number]>) {
  const { container } = render(
    <div>
      <SnippetText snippet={{ text, matches }} />
    </div>,
  );
  return {
    text: container.textContent,
    marks: [...container.querySelectorAll('mark')].map((m) => m.textContent),
  };
}

describe('SnippetText', () => {
  it('shows guillemets and markup-like text as text, never as marks or HTML', () => {
    const text = '«not a match» <b>bold?</b> » match';
    expect(shown(text, [[text.length - 5, text.length]])).toEqual({ text, marks: ['match'] });
  });

  it('highlights by UTF-16 ranges past emoji and astral letters', () => {
    const text = '👩‍👩‍👧 deploy 𝒜 deploy';
    const first = text.indexOf('deploy');
    const second = text.lastIndexOf('deploy');
    expect(
      shown(text, [
        [first, first + 6],
        [second, second + 6],
      ]),
    ).toEqual({ text, marks: ['deploy', 'deploy'] });
  });

  it('keeps the text whole when a range is out of order or empty', () => {
    expect(
      shown('one two three', [
        [4, 7],
        [0, 3],
        [9, 9],
      ]),
    ).toEqual({ text: 'one two three', marks: ['two'] });
  });
});
