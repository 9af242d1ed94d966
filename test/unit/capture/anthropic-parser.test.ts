import { describe, expect, it } from 'vitest';
import {
  isMessagesRequest,
  parseExchange,
  parseRequestBody,
  sessionIdFrom,
} from '../../../main/core/capture/anthropic-parser.js';
import { textOf } from '../../../main/core/capture/anthropic-types.js';
import { exchange, fixtureText, recordedExchange, recordedRequest } from './exchanges.js';

describe('isMessagesRequest', () => {
  it.each([
    ['POST', '/v1/messages', true],
    ['POST', '/v1/messages?beta=true', true],
    ['post', '/v1/messages/', true],
    ['POST', '/v1/messages/count_tokens', false],
    ['POST', '/v1/messages/count_tokens?beta=true', false],
    ['POST', '/v1/messages/batches', false],
    ['GET', '/v1/messages/batches/msgbatch_1/results', false],
    ['GET', '/v1/messages', false],
    ['HEAD', '/api/hello', false],
    ['POST', '/v1/complete', false],
  ])('%s %s → %s', (method, path, expected) => {
    expect(isMessagesRequest(method, path)).toBe(expected);
  });
});

describe('sessionIdFrom', () => {
  it('reads session_id from the JSON string Claude Code 2.x sends', () => {
    const userId = recordedRequest('cc-turn1').body as { metadata: { user_id: string } };
    expect(sessionIdFrom(userId.metadata.user_id)).toMatch(/^[0-9a-f-]{36}$/);
  });
  it('reads the legacy user_…_account_…_session_… form', () => {
    expect(sessionIdFrom('user_abc123_account_4f2e_session_0b3c8f9e-1111-2222-3333-444455556666')).toBe(
      '0b3c8f9e-1111-2222-3333-444455556666',
    );
  });
  it.each([null, '', 'wiki-user-17', '{"session_id": 42}', '{not json', '{"device_id":"x"}'])(
    '%j has no session',
    (v) => {
      expect(sessionIdFrom(v)).toBeNull();
    },
  );
});

describe('parseRequestBody', () => {
  it('parses a recorded Claude Code request: system blocks, role "system" message, tools, session', () => {
    const req = parseRequestBody(JSON.stringify(recordedRequest('cc-turn1').body))!;
    expect(req.model).toBe('claude-opus-5-5');
    expect(req.system).toContain("You are Claude Code, Anthropic's official CLI for Claude.");
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'system']);
    expect(textOf(req.messages[0]!.blocks)).toContain('remember that my favourite editor is helix');
    expect(req.toolNames).toContain('Bash');
    expect(req.stream).toBe(true);
    expect(req.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reads the structured-output schema of the title request', () => {
    const req = parseRequestBody(JSON.stringify(recordedRequest('cc-title').body))!;
    expect(req.outputSchemaKeys).toEqual(['title']);
    expect(req.toolNames).toEqual([]);
  });

  it('handles every request block type: string system, images, documents, tool results in both forms', () => {
    const req = parseRequestBody(fixtureText('sdk-all-blocks.request.json'))!;
    expect(req.system).toBe('You are a helpful assistant for the team wiki.');
    expect(req.sessionId).toBeNull();
    expect(req.metadataUserId).toBe('wiki-user-17');
    expect(req.maxTokens).toBe(1024);
    expect(req.stream).toBe(false);
    const [first, , withFiles, assistant, results] = req.messages;
    expect(first!.blocks).toEqual([{ type: 'text', text: 'What is in this picture and this PDF?' }]);
    expect(withFiles!.blocks.map((b) => (b.type === 'placeholder' ? b.text : b.type))).toEqual([
      '[image]',
      '[document: Q3 report.pdf]',
      '[document]',
      'text',
    ]);
    expect(assistant!.blocks.map((b) => b.type)).toEqual([
      'thinking',
      'redacted_thinking',
      'text',
      'tool_use',
    ]);
    expect(results!.blocks[0]).toEqual({
      type: 'tool_result',
      toolUseId: 'toolu_A',
      text: '42',
      isError: false,
    });
    expect(results!.blocks[1]).toEqual({
      type: 'tool_result',
      toolUseId: 'toolu_B',
      text: 'line one\n[image]',
      isError: true,
    });
    expect(results!.blocks[2]).toEqual({ type: 'unknown', originalType: 'mystery_block' });
    expect(req.unknownBlockTypes).toEqual(['mystery_block']);
  });

  it.each(['', 'not json', '[]', '{"model":"x"}', '{"messages":"nope"}'])('rejects %j', (body) => {
    expect(parseRequestBody(body)).toBeNull();
  });
});

describe('parseExchange', () => {
  it('parses a recorded SSE answer (text) with its stop reason', () => {
    const result = parseExchange(recordedExchange('cc-turn1'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.response.stopReason).toBe('end_turn');
    expect(result.response.blocks).toEqual([
      { type: 'text', text: expect.stringContaining('Hello from the fake') },
    ]);
  });

  it('assembles a streamed tool_use input from input_json_delta pieces', () => {
    const result = parseExchange(recordedExchange('cc-turn2-tool-use'));
    if (!result.ok) throw new Error(result.reason);
    expect(result.response.stopReason).toBe('tool_use');
    expect(result.response.blocks[1]).toEqual({
      type: 'tool_use',
      id: 'toolu_5',
      name: 'Bash',
      input: { command: 'echo fake-tool-output', description: 'echo' },
      server: false,
    });
  });

  it('handles every streamed block and delta type, skipping unknown ones without throwing', () => {
    const result = parseExchange(
      exchange({ requestBody: { messages: [] }, responseBody: fixtureText('all-blocks.response.sse') }),
    );
    if (!result.ok) throw new Error(result.reason);
    const { blocks, stopReason, skipped, id, model } = result.response;
    expect(id).toBe('msg_01AllBlocks');
    expect(model).toBe('claude-opus-5-5');
    expect(stopReason).toBe('tool_use');
    expect(blocks).toEqual([
      { type: 'thinking', thinking: 'The user asks about the weather. I should search.' },
      { type: 'redacted_thinking' },
      {
        type: 'tool_use',
        id: 'srvtoolu_014hJH82Qum7Td6UV8gDXThB',
        name: 'web_search',
        input: { query: 'weather NYC today' },
        server: true,
      },
      {
        type: 'tool_result',
        toolUseId: 'srvtoolu_014hJH82Qum7Td6UV8gDXThB',
        text: 'New York weather — https://weather.example/nyc',
        isError: false,
      },
      { type: 'text', text: 'It is sunny in New York — let me check your calendar.' },
      {
        type: 'tool_use',
        id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
        name: 'get_calendar',
        input: { day: '2026-11-22', tz: 'America/New_York' },
        server: false,
      },
      { type: 'unknown', originalType: 'hologram' },
    ]);
    expect(skipped.sort()).toEqual(['block:hologram', 'delta:hologram_delta', 'event:telemetry_hint']);
  });

  it('parses a non-streamed JSON answer with every block type', () => {
    const result = parseExchange(
      exchange({ requestBody: { messages: [] }, responseBody: fixtureText('message.response.json') }),
    );
    if (!result.ok) throw new Error(result.reason);
    expect(result.response.stopReason).toBe('end_turn');
    expect(result.response.blocks.map((b) => b.type)).toEqual([
      'thinking',
      'redacted_thinking',
      'text',
      'tool_use',
      'tool_result',
      'tool_use',
    ]);
    expect(result.response.blocks[4]).toMatchObject({ type: 'tool_result', isError: true });
  });

  it('reports an aborted stream as incomplete', () => {
    const ex = exchange({ requestBody: { messages: [] }, responseBody: fixtureText('aborted.response.sse') });
    expect(parseExchange(ex)).toEqual({ ok: false, reason: 'incomplete', status: 200 });
    // and when the tap itself saw the abort
    const cut = recordedExchange('cc-turn1', { complete: false });
    expect(parseExchange(cut)).toMatchObject({ ok: false, reason: 'incomplete' });
  });

  it('reports an error event inside the stream', () => {
    const ex = exchange({
      requestBody: { messages: [] },
      responseBody: fixtureText('error-event.response.sse'),
    });
    expect(parseExchange(ex)).toMatchObject({ ok: false, reason: 'stream_error' });
  });

  it.each([400, 401, 429, 500, 529, 0])('reports status %i as non_2xx', (status) => {
    const ex = exchange({
      status,
      requestBody: { messages: [] },
      responseBody: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    });
    expect(parseExchange(ex)).toEqual({ ok: false, reason: 'non_2xx', status });
  });

  it('says which traffic is not a Messages call', () => {
    expect(
      parseExchange(recordedExchange('cc-turn1', { path: '/v1/messages/count_tokens?beta=true' })),
    ).toEqual({
      ok: false,
      reason: 'not_messages_endpoint',
    });
  });

  it('rejects an unreadable request or response instead of throwing', () => {
    expect(parseExchange(exchange({ requestBody: '{oops', responseBody: '{}' }))).toMatchObject({
      reason: 'invalid_request',
    });
    expect(parseExchange(exchange({ requestBody: { messages: [] }, responseBody: '<html>' }))).toMatchObject({
      reason: 'invalid_response',
    });
  });

  it('accepts CRLF line endings and data split over several lines of garbage without throwing', () => {
    const body =
      fixtureText('cc-turn1.response.sse').replace(/\n/g, '\r\n') + 'event: x\ndata: {bad json\n\n';
    const result = parseExchange(exchange({ requestBody: { messages: [] }, responseBody: body }));
    expect(result).toMatchObject({ ok: true, response: { stopReason: 'end_turn' } });
  });
});
