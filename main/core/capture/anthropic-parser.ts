// Turns one captured HTTP exchange into a parsed Messages API request and response, or says why it
// is not a capture. Never throws on what a client or the API sends: unknown events, deltas and block
// types are recorded in `skipped` and ignored, so a new API feature can't break capture.
import type { CapturedExchange } from './exchange.js';
import type { Block, Message, ParseResult, ParsedRequest, ParsedResponse, Role } from './anthropic-types.js';

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** POST /v1/messages with or without a query string; not /v1/messages/count_tokens or /batches. */
export function isMessagesRequest(method: string, path: string): boolean {
  if (method.toUpperCase() !== 'POST') return false;
  const q = path.indexOf('?');
  const pathname = q === -1 ? path : path.slice(0, q);
  return pathname === '/v1/messages' || pathname === '/v1/messages/';
}

/** `parsedRequest`: the request body as already parsed (when the request was accepted), if it was. */
export function parseExchange(exchange: CapturedExchange, parsedRequest?: ParsedRequest | null): ParseResult {
  if (!isMessagesRequest(exchange.method, exchange.path))
    return { ok: false, reason: 'not_messages_endpoint' };
  if (exchange.status < 200 || exchange.status > 299) {
    return { ok: false, reason: 'non_2xx', status: exchange.status };
  }
  if (!exchange.complete) return { ok: false, reason: 'incomplete', status: exchange.status };
  const request = parsedRequest ?? parseRequestBody(exchange.requestBody);
  if (!request) return { ok: false, reason: 'invalid_request' };
  const contentType = (exchange.responseHeaders['content-type'] ?? '').toLowerCase();
  const body = exchange.responseBody.toString('utf8');
  const looksSse = contentType.includes('text/event-stream') || /^\s*(event|data):/.test(body);
  const response = looksSse ? parseSse(body) : parseJsonResponse(body);
  if (!response.ok) return { ok: false, reason: response.reason, status: exchange.status };
  return { ok: true, request, response: response.value };
}

// ---------------------------------------------------------------- request

export function parseRequestBody(body: Buffer | string): ParsedRequest | null {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return null;
  }
  if (!isRecord(raw) || !Array.isArray(raw.messages)) return null;
  const unknown = new Set<string>();
  const messages: Message[] = [];
  for (const m of raw.messages) {
    if (!isRecord(m)) continue;
    const role = m.role === 'user' || m.role === 'assistant' || m.role === 'system' ? (m.role as Role) : null;
    if (!role) continue;
    messages.push({ role, blocks: parseContent(m.content, unknown) });
  }
  const metadata = isRecord(raw.metadata) ? raw.metadata : {};
  const metadataUserId = str(metadata.user_id);
  return {
    model: str(raw.model),
    system: systemText(raw.system),
    messages,
    toolNames: Array.isArray(raw.tools)
      ? raw.tools.flatMap((t) => (isRecord(t) && typeof t.name === 'string' ? [t.name] : []))
      : [],
    maxTokens: typeof raw.max_tokens === 'number' ? raw.max_tokens : null,
    stream: raw.stream === true,
    metadataUserId,
    sessionId: sessionIdFrom(metadataUserId),
    outputSchemaKeys: outputSchemaKeys(raw.output_config ?? raw.output_format),
    unknownBlockTypes: [...unknown],
  };
}

function systemText(system: unknown): string {
  if (typeof system === 'string') return system;
  if (!Array.isArray(system)) return '';
  return system
    .flatMap((b) => (isRecord(b) && b.type === 'text' && typeof b.text === 'string' ? [b.text] : []))
    .join('\n\n');
}

/**
 * Claude Code 2.x sends metadata.user_id as a JSON *string*:
 * '{"device_id":"…","account_uuid":"","session_id":"<uuid>"}'. Claude Code 1.x sent
 * "user_<hash>_account_<uuid>_session_<uuid>". Anything else (SDK apps) has no session.
 */
export function sessionIdFrom(userId: string | null): string | null {
  if (!userId) return null;
  const trimmed = userId.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (isRecord(parsed) && typeof parsed.session_id === 'string' && parsed.session_id.trim()) {
        return parsed.session_id.trim();
      }
    } catch {
      // not JSON after all: fall through to the legacy form
    }
    return null;
  }
  const legacy = /_session_([0-9a-f][0-9a-f-]{7,})$/i.exec(trimmed);
  return legacy ? legacy[1]! : null;
}

function outputSchemaKeys(config: unknown): string[] {
  if (!isRecord(config)) return [];
  const format = isRecord(config.format) ? config.format : config;
  const schema = isRecord(format.schema) ? format.schema : null;
  return schema && isRecord(schema.properties) ? Object.keys(schema.properties) : [];
}

function parseContent(content: unknown, unknown: Set<string>): Block[] {
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
function parseBlock(b: unknown, unknown: Set<string>): Block | null {
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

// ---------------------------------------------------------------- response

type Parsed<T> =
  { ok: true; value: T } | { ok: false; reason: 'stream_error' | 'incomplete' | 'invalid_response' };

export function parseJsonResponse(body: string): Parsed<ParsedResponse> {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'invalid_response' };
  }
  if (!isRecord(raw)) return { ok: false, reason: 'invalid_response' };
  if (raw.type === 'error') return { ok: false, reason: 'stream_error' };
  if (!Array.isArray(raw.content)) return { ok: false, reason: 'invalid_response' };
  const unknown = new Set<string>();
  return {
    ok: true,
    value: {
      id: str(raw.id),
      model: str(raw.model),
      blocks: parseContent(raw.content, unknown),
      stopReason: str(raw.stop_reason),
      skipped: [...unknown].map((t) => `block:${t}`),
    },
  };
}

/** A content block being streamed: text and JSON input arrive in pieces. */
interface OpenBlock {
  start: Json;
  text: string;
  json: string;
}

/** Parses a complete SSE body (the tap hands over the whole response). */
export function parseSse(body: string): Parsed<ParsedResponse> {
  const skipped = new Set<string>();
  const open = new Map<number, OpenBlock>();
  const done = new Map<number, Block>();
  let id: string | null = null;
  let model: string | null = null;
  let stopReason: string | null = null;
  let stopped = false;
  let error = false;
  let started = false;

  const finish = (index: number) => {
    const b = open.get(index);
    if (!b) return;
    open.delete(index);
    done.set(index, finishBlock(b, skipped));
  };

  const dispatch = (eventName: string, data: string) => {
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      skipped.add(`unparsable:${eventName || 'message'}`);
      return;
    }
    if (!isRecord(payload)) return;
    const type = str(payload.type) ?? eventName;
    const index = typeof payload.index === 'number' ? payload.index : -1;
    switch (type) {
      case 'message_start': {
        started = true;
        const message = isRecord(payload.message) ? payload.message : {};
        id = str(message.id);
        model = str(message.model);
        break;
      }
      case 'content_block_start':
        if (isRecord(payload.content_block))
          open.set(index, { start: payload.content_block, text: '', json: '' });
        break;
      case 'content_block_delta': {
        const b = open.get(index);
        const delta = isRecord(payload.delta) ? payload.delta : {};
        if (!b) break;
        switch (delta.type) {
          case 'text_delta':
            b.text += str(delta.text) ?? '';
            break;
          case 'thinking_delta':
            b.text += str(delta.thinking) ?? '';
            break;
          case 'input_json_delta':
            b.json += str(delta.partial_json) ?? '';
            break;
          case 'signature_delta':
          case 'citations_delta':
            break; // nothing a memory needs
          default:
            skipped.add(`delta:${String(delta.type)}`);
        }
        break;
      }
      case 'content_block_stop':
        finish(index);
        break;
      case 'message_delta': {
        const delta = isRecord(payload.delta) ? payload.delta : {};
        if (typeof delta.stop_reason === 'string') stopReason = delta.stop_reason;
        break;
      }
      case 'message_stop':
        stopped = true;
        break;
      case 'ping':
        break;
      case 'error':
        error = true;
        break;
      default:
        skipped.add(`event:${type}`);
    }
  };

  let eventName = '';
  let data: string[] = [];
  for (const line of body.split(/\r?\n/)) {
    if (line === '') {
      if (data.length) dispatch(eventName, data.join('\n'));
      eventName = '';
      data = [];
    } else if (line.startsWith('event:')) eventName = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    // comments (":…") and other fields (id:, retry:) carry nothing we need
  }
  if (data.length) dispatch(eventName, data.join('\n'));

  if (error) return { ok: false, reason: 'stream_error' };
  if (!started || !stopped) return { ok: false, reason: 'incomplete' };
  for (const index of [...open.keys()]) finish(index);
  const blocks = [...done.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => b);
  return { ok: true, value: { id, model, blocks, stopReason, skipped: [...skipped] } };
}

function finishBlock(b: OpenBlock, skipped: Set<string>): Block {
  const start = b.start;
  const type = str(start.type) ?? 'unknown';
  if (type === 'text') return { type: 'text', text: (str(start.text) ?? '') + b.text };
  if (type === 'thinking') return { type: 'thinking', thinking: (str(start.thinking) ?? '') + b.text };
  if (type === 'tool_use' || type === 'server_tool_use' || type === 'mcp_tool_use') {
    let input: unknown = start.input ?? {};
    if (b.json.trim()) {
      try {
        input = JSON.parse(b.json);
      } catch {
        // a cut or malformed input: keep the raw text so the tool name and shape still show
        input = { _raw: b.json };
      }
    }
    return {
      type: 'tool_use',
      id: str(start.id) ?? '',
      name: str(start.name) ?? 'unknown',
      input,
      server: type !== 'tool_use',
    };
  }
  const unknown = new Set<string>();
  const parsed = parseBlock(start, unknown);
  for (const t of unknown) skipped.add(`block:${t}`);
  return parsed ?? { type: 'unknown', originalType: type };
}
