// Pure text operations on a profile: put our marked block in (replacing an older one in place),
// take it out, and tell whether it is there. Everything between the markers is ours; nothing
// outside them is ever changed.
export const BEGIN_MARKER = '# >>> mem0-tray >>>';
export const END_MARKER = '# <<< mem0-tray <<<';

export interface BlockSpan {
  start: number;
  end: number;
}

export function detectEol(text: string): '\n' | '\r\n' {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** The span of our block including its trailing line break, or null. */
export function findBlock(text: string): BlockSpan | null {
  const start = text.search(new RegExp(`^${escapeRe(BEGIN_MARKER)}[ \\t]*\\r?$`, 'm'));
  if (start < 0) return null;
  const endRe = new RegExp(`^${escapeRe(END_MARKER)}[ \\t]*(\\r?\\n|$)`, 'm');
  const rest = text.slice(start);
  const m = endRe.exec(rest);
  if (!m) return null;
  return { start, end: start + m.index + m[0].length };
}

/** The block's body between the markers, or null. */
export function blockBody(text: string): string | null {
  const span = findBlock(text);
  return span ? text.slice(span.start, span.end) : null;
}

export function wrapBlock(lines: string[], eol: string): string {
  return [BEGIN_MARKER, ...lines, END_MARKER].join(eol) + eol;
}

/**
 * Adds or replaces our block; the text is returned unchanged if it already holds exactly this
 * block. No blank line is added around it, so install then uninstall gives back the same bytes.
 * A text without a final newline gets the line break our block needs before it, and the block
 * then ends the text without one: that shape tells removeBlock to take the line break back.
 */
export function upsertBlock(text: string, block: string): string {
  const span = findBlock(text);
  if (span) {
    const replacement = endsWithoutBreak(text, span) ? withoutFinalBreak(block) : block;
    return text.slice(0, span.start) + replacement + text.slice(span.end);
  }
  if (text === '' || text.endsWith('\n')) return text + block;
  return text + detectEol(text) + withoutFinalBreak(block);
}

/** Removes our block, and nothing else: the bytes from before upsertBlock come back. */
export function removeBlock(text: string): string {
  const span = findBlock(text);
  if (!span) return text;
  let start = span.start;
  // A block that ends the text without a line break was added to a text without a final newline:
  // the line break before it was ours.
  if (endsWithoutBreak(text, span)) start -= text.slice(0, start).endsWith('\r\n') ? 2 : 1;
  return text.slice(0, Math.max(start, 0)) + text.slice(span.end);
}

function endsWithoutBreak(text: string, span: BlockSpan): boolean {
  return span.end === text.length && !text.endsWith('\n');
}

function withoutFinalBreak(block: string): string {
  return block.replace(/\r?\n$/, '');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
