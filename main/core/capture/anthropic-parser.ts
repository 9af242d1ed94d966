// Turns one captured HTTP exchange into a parsed Messages API request and response, or says why it
// is not a capture. Never throws on what a client or the API sends: unknown events, deltas and block
// types are recorded in `skipped` and ignored, so a new API feature can't break capture.
import { isRecord, parseContent, str } from './anthropic-blocks.js';
import { parseSse } from './anthropic-sse.js';
import type { Message, ParseResult, ParsedRequest, ResponseParse, Role } from './anthropic-types.js';
import type { CapturedExchange } from './exchange.js';

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

// ---------------------------------------------------------------- response (JSON; SSE in anthropic-sse.ts)

function parseJsonResponse(body: string): ResponseParse {
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
