// A streamed Messages API response (server-sent events), read once complete: the tap hands over the
// whole body. Blocks are assembled from their deltas; unknown events and deltas are named in
// `skipped`, so a new API feature cannot break capture.
import { isRecord, parseBlock, str, type Json } from './anthropic-blocks.js';
import type { Block, ResponseParse } from './anthropic-types.js';

/** A content block being streamed: text and JSON input arrive in pieces. */
interface OpenBlock {
  start: Json;
  text: string;
  json: string;
}

/** Parses a complete SSE body (the tap hands over the whole response). */
export function parseSse(body: string): ResponseParse {
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
