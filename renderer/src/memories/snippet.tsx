// A search excerpt with its matches highlighted. The core sends the text and the ranges that
// matched beside it, so every character of a memory, « and » included, shows as it is.
import type { ReactNode } from 'react';
import type { ExcerptDto } from '../../../main/core/ui-api/contract';

export function SnippetText({ snippet }: { snippet: ExcerptDto }) {
  const { text, matches } = snippet;
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of matches) {
    // The contract promises ordered ranges; one that is not would repeat or drop text.
    if (start < at || end <= start) continue;
    if (start > at) parts.push(text.slice(at, start));
    parts.push(<mark key={start}>{text.slice(start, end)}</mark>);
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}
