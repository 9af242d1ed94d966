// Content blocks as requests and non-streamed responses carry them (text, thinking, tool use and
// results, files as placeholders), and the small readers of untyped JSON the parsers share. A block
// type we do not know is named in `unknown` and kept as such, never an error.
import type { Block } from './anthropic-types.js';

export type Json = Record<string, unknown>;

export const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function parseContent(content: unknown, unknown: Set<string>): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  const blocks: Block[] = [];
  for (const b of content) {
    const block = parseBlock(b, unknown);
    if (block) blocks.push(block);
  }
  return blocks;
}

/** One content block of a request or a non-streamed response. */
export function parseBlock(b: unknown, unknown: Set<string>): Block | null {
  if (!isRecord(b) || typeof b.type !== 'string') return null;
  switch (b.type) {
    case 'text':
      return { type: 'text', text: str(b.text) ?? '' };
    case 'thinking':
      return { type: 'thinking', thinking: str(b.thinking) ?? '' };
    case 'redacted_thinking':
      return { type: 'redacted_thinking' };
    case 'tool_use':
    case 'server_tool_use':
    case 'mcp_tool_use':
      return {
        type: 'tool_use',
        id: str(b.id) ?? '',
        name: str(b.name) ?? 'unknown',
        input: b.input ?? {},
        server: b.type !== 'tool_use',
      };
    case 'image':
    case 'document':
    case 'search_result':
    case 'container_upload':
      return { type: 'placeholder', text: placeholderFor(b) };
    default:
      if (b.type === 'tool_result' || b.type.endsWith('_tool_result')) {
        return {
          type: 'tool_result',
          toolUseId: str(b.tool_use_id) ?? '',
          text: flatten(b.content),
          isError: b.is_error === true || (isRecord(b.content) && /error/.test(str(b.content.type) ?? '')),
        };
      }
      unknown.add(b.type);
      return { type: 'unknown', originalType: b.type };
  }
}

function placeholderFor(b: Json): string {
  const title = str(b.title) ?? (isRecord(b.source) ? str(b.source.file_id) : null);
  switch (b.type) {
    case 'image':
      return '[image]';
    case 'document':
      return title ? `[document: ${title}]` : '[document]';
    case 'search_result':
      return title ? `[search result: ${title}]` : '[search result]';
    default:
      return '[file]';
  }
}

/** Tool output as text: strings, text blocks, search results (title and URL), placeholders. */
function flatten(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map(flatten).filter(Boolean).join('\n');
  if (!isRecord(content)) return '';
  if (content.type === 'text') return str(content.text) ?? '';
  if (content.type === 'image' || content.type === 'document') return placeholderFor(content);
  if (content.type === 'web_search_result') {
    return [str(content.title), str(content.url)].filter(Boolean).join(' — ');
  }
  if ('content' in content) return flatten(content.content);
  if (typeof content.stdout === 'string') return content.stdout;
  return '';
}
