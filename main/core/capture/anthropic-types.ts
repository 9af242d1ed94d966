// The parsed, client-independent shape of one Anthropic Messages exchange: what the tracker, the
// background rules and project attribution read. Content blocks are reduced to what a memory can use;
// binary content (images, documents) is replaced by a short placeholder.

export type Role = 'user' | 'assistant' | 'system';

export type Block =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string }
  | { type: 'redacted_thinking' }
  /** tool_use, and server_tool_use (web search, code execution) with server: true. */
  | { type: 'tool_use'; id: string; name: string; input: unknown; server: boolean }
  /** tool_result and the server tools' *_tool_result blocks, flattened to text. */
  | { type: 'tool_result'; toolUseId: string; text: string; isError: boolean }
  /** An image or document: "[image]", "[document: name]". */
  | { type: 'placeholder'; text: string }
  /** A block type this parser does not know; recorded so a new client feature never throws. */
  | { type: 'unknown'; originalType: string };

export interface Message {
  role: Role;
  blocks: Block[];
}

export interface ParsedRequest {
  model: string | null;
  /** The system prompt's text blocks joined with blank lines ('' when absent). */
  system: string;
  messages: Message[];
  toolNames: string[];
  maxTokens: number | null;
  stream: boolean;
  /** metadata.user_id as sent (for Claude Code a JSON string). */
  metadataUserId: string | null;
  /** session_id from metadata.user_id (Claude Code), else null. */
  sessionId: string | null;
  /** Property names of output_config.format's JSON schema (structured output), e.g. ["title"]. */
  outputSchemaKeys: string[];
  unknownBlockTypes: string[];
}

export interface ParsedResponse {
  id: string | null;
  model: string | null;
  blocks: Block[];
  stopReason: string | null;
  /** SSE event names or block/delta types this parser skipped (for status and tests). */
  skipped: string[];
}

/** A response body read as JSON or as server-sent events. */
export type ResponseParse =
  | { ok: true; value: ParsedResponse }
  | { ok: false; reason: 'stream_error' | 'incomplete' | 'invalid_response' };

export type NotCapturedReason =
  | 'not_messages_endpoint'
  | 'non_2xx'
  | 'incomplete'
  | 'stream_error'
  | 'invalid_request'
  | 'invalid_response';

export type ParseResult =
  | { ok: true; request: ParsedRequest; response: ParsedResponse }
  | { ok: false; reason: NotCapturedReason; status?: number };

/** Plain text of the text blocks (and placeholders) of a message, in order. */
export function textOf(blocks: readonly Block[]): string {
  const parts: string[] = [];
  for (const b of blocks) {
    if (b.type === 'text' || b.type === 'placeholder') parts.push(b.text);
  }
  return parts.join('\n\n');
}
