// Builds CapturedExchanges from the recorded fixtures (test/fixtures/anthropic) and from small
// hand-made requests, the way the proxy and the gateway hand them to the pipeline.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CapturedExchange } from '../../../main/core/capture/exchange.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/anthropic');

export function fixtureText(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export function recordedRequest(name: string): RecordedRequest {
  return JSON.parse(fixtureText(`${name}.request.json`)) as RecordedRequest;
}

export function exchange(
  partial: Partial<Omit<CapturedExchange, 'requestBody' | 'responseBody'>> & {
    requestBody: unknown;
    responseBody: string;
  },
): CapturedExchange {
  const { requestBody, responseBody, ...rest } = partial;
  const isSse = /^\s*event:/.test(responseBody);
  return {
    route: 'gateway',
    host: 'api.anthropic.com',
    method: 'POST',
    path: '/v1/messages?beta=true',
    requestHeaders: { 'content-type': 'application/json' },
    status: 200,
    responseHeaders: { 'content-type': isSse ? 'text/event-stream' : 'application/json' },
    complete: true,
    startedAt: '2026-11-22T09:00:00.000Z',
    endedAt: '2026-11-22T09:00:01.000Z',
    ...rest,
    requestBody: Buffer.from(typeof requestBody === 'string' ? requestBody : JSON.stringify(requestBody)),
    responseBody: Buffer.from(responseBody),
  };
}

/** A recorded Claude Code 2.1.328 request with its recorded response. */
export function recordedExchange(
  name: string,
  overrides: Partial<Omit<CapturedExchange, 'requestBody' | 'responseBody'>> = {},
): CapturedExchange {
  const req = recordedRequest(name);
  return exchange({
    path: req.url,
    requestHeaders: req.headers,
    requestBody: req.body,
    responseBody: fixtureText(`${name}.response.sse`),
    ...overrides,
  });
}

/** The SSE body the API streams for a plain text answer. */
export function sseText(text: string, stopReason = 'end_turn', model = 'claude-opus-5-5'): string {
  const ev = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  return (
    ev('message_start', {
      type: 'message_start',
      message: {
        id: 'msg_x',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    }) +
    ev('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    }) +
    ev('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text },
    }) +
    ev('content_block_stop', { type: 'content_block_stop', index: 0 }) +
    ev('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: 5 },
    }) +
    ev('message_stop', { type: 'message_stop' })
  );
}

/** The SSE body of an answer that calls one tool. */
export function sseToolUse(name: string, input: unknown, preface = 'Let me check.'): string {
  const ev = (n: string, data: unknown) => `event: ${n}\ndata: ${JSON.stringify(data)}\n\n`;
  const json = JSON.stringify(input);
  return (
    ev('message_start', {
      type: 'message_start',
      message: { id: 'msg_t', model: 'claude-opus-5-5', content: [] },
    }) +
    ev('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    }) +
    ev('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: preface },
    }) +
    ev('content_block_stop', { type: 'content_block_stop', index: 0 }) +
    ev('content_block_start', {
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: 'toolu_x', name, input: {} },
    }) +
    ev('content_block_delta', {
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'input_json_delta', partial_json: json.slice(0, 5) },
    }) +
    ev('content_block_delta', {
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'input_json_delta', partial_json: json.slice(5) },
    }) +
    ev('content_block_stop', { type: 'content_block_stop', index: 1 }) +
    ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use' } }) +
    ev('message_stop', { type: 'message_stop' })
  );
}

export type Msg = { role: 'user' | 'assistant' | 'system'; content: unknown };

/** A Claude Code-shaped request body: session in metadata.user_id, cwd in a system message. */
export function ccRequest(
  sessionId: string | null,
  messages: Msg[],
  cwd = '/home/dev/projects/shop',
): Record<string, unknown> {
  return {
    model: 'claude-opus-5-5',
    max_tokens: 32000,
    stream: true,
    system: [{ type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." }],
    tools: [
      { name: 'Bash', input_schema: { type: 'object' } },
      { name: 'Read', input_schema: { type: 'object' } },
    ],
    metadata: sessionId
      ? { user_id: JSON.stringify({ device_id: 'd', account_uuid: '', session_id: sessionId }) }
      : undefined,
    messages: [
      ...messages.slice(0, 1),
      { role: 'system', content: `# Environment\n - Primary working directory: ${cwd}\n - Platform: linux` },
      ...messages.slice(1),
    ],
  };
}
