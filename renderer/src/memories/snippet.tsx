// A search excerpt with its matches highlighted (the core marks them with « and »).
const OPEN = '\u00ab';
const CLOSE = '\u00bb';

export function SnippetText({ snippet }: { snippet: string }) {
  const parts: Array<{ text: string; hit: boolean }> = [];
  let rest = snippet;
  while (rest.length) {
    const a = rest.indexOf(OPEN);
    if (a < 0) {
      parts.push({ text: rest, hit: false });
      break;
    }
    const b = rest.indexOf(CLOSE, a + 1);
    if (b < 0) {
      parts.push({ text: rest.replace(OPEN, ''), hit: false });
      break;
    }
    if (a > 0) parts.push({ text: rest.slice(0, a), hit: false });
    parts.push({ text: rest.slice(a + 1, b), hit: true });
    rest = rest.slice(b + 1);
  }
  return <>{parts.map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}</>;
}
