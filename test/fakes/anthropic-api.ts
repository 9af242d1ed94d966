// A fake Anthropic Messages API for tests and benchmarks: answers POST /v1/messages as JSON or as
// an SSE stream shaped like the real API's (message_start, content_block_*, ping, message_delta,
// message_stop, sent in small chunks with delays), compresses when asked, scripts tool-use loops,
// and records what clients really sent. Plain HTTP, or TLS with a given certificate.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export interface ToolUse {
  name: string;
  input: Record<string, unknown>;
}

/** What the fake answers; text and/or a tool call. */
export interface Reply {
  text?: string;
  toolUse?: ToolUse;
  status?: number;
  /** Close the connection in the middle of the stream. */
  abortMidStream?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export type Script = (body: MessagesBody, request: RecordedRequest) => Reply;

export interface MessagesBody {
  model?: string;
  stream?: boolean;
  system?: unknown;
  messages?: Array<{ role: string; content: unknown }>;
  tools?: unknown[];
  max_tokens?: number;
  [key: string]: unknown;
}

export interface FakeAnthropicOptions {
  tls?: { key: string; cert: string };
  /** Delay between SSE chunks (ms). */
  chunkDelayMs?: number;
  /** Compress responses with what the client accepts (gzip, br). */
  compress?: boolean;
}

export interface FakeAnthropic {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Messages calls only. */
  messages(): RecordedRequest[];
  setScript(script: Script): void;
  close(): Promise<void>;
}

export const defaultScript: Script = () => ({ text: 'Hello from the fake Anthropic API.' });

/** The last user message's plain text (string content or text blocks), for scripts. */
export function lastUserText(body: MessagesBody): string {
  const last = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  if (Array.isArray(last.content)) {
    return last.content
      .map((b: { type?: string; text?: string }) => (b.type === 'text' ? (b.text ?? '') : ''))
      .join('\n');
  }
  return '';
}

/** True when the last user message carries a tool_result (the client ran a tool for us). */
export function hasToolResult(body: MessagesBody): boolean {
  const last = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
  return (
    Array.isArray(last?.content) && last.content.some((b: { type?: string }) => b.type === 'tool_result')
  );
}

type IdMaker = (prefix: string) => string;

function message(nextId: IdMaker, body: MessagesBody, reply: Reply) {
  const content: unknown[] = [];
  if (reply.text) content.push({ type: 'text', text: reply.text });
  if (reply.toolUse)
    content.push({
      type: 'tool_use',
      id: nextId('toolu'),
      name: reply.toolUse.name,
      input: reply.toolUse.input,
    });
  return {
    id: nextId('msg'),
    type: 'message',
    role: 'assistant',
    model: body.model ?? 'claude-sonnet-4-5',
    content,
    stop_reason: reply.toolUse ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 25, output_tokens: 12 },
  };
}

/** The SSE events of a reply, as the real API sends them. */
export function sseEvents(nextId: IdMaker, body: MessagesBody, reply: Reply): string[] {
  const msg = message(nextId, body, reply);
  const ev = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  const out = [
    ev('message_start', {
      type: 'message_start',
      message: { ...msg, content: [], stop_reason: null, usage: { input_tokens: 25, output_tokens: 1 } },
    }),
  ];
  let index = 0;
  if (reply.text) {
    out.push(
      ev('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'text', text: '' },
      }),
    );
    out.push(ev('ping', { type: 'ping' }));
    for (const piece of reply.text.match(/.{1,12}/gs) ?? []) {
      out.push(
        ev('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'text_delta', text: piece },
        }),
      );
    }
    out.push(ev('content_block_stop', { type: 'content_block_stop', index }));
    index++;
  }
  if (reply.toolUse) {
    const block = msg.content.find((b) => (b as { type: string }).type === 'tool_use') as {
      id: string;
      name: string;
    };
    out.push(
      ev('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      }),
    );
    const json = JSON.stringify(reply.toolUse.input);
    for (const piece of json.match(/.{1,10}/gs) ?? []) {
      out.push(
        ev('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: piece },
        }),
      );
    }
    out.push(ev('content_block_stop', { type: 'content_block_stop', index }));
  }
  out.push(
    ev('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: msg.stop_reason, stop_sequence: null },
      usage: { output_tokens: 12 },
    }),
  );
  out.push(ev('message_stop', { type: 'message_stop' }));
  return out;
}

function encoder(
  accept: string | undefined,
  enabled: boolean,
): { name: string; stream: zlib.Gzip | zlib.BrotliCompress } | null {
  if (!enabled || !accept) return null;
  if (/\bbr\b/.test(accept))
    return {
      name: 'br',
      stream: zlib.createBrotliCompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH }),
    };
  if (/\bgzip\b/.test(accept))
    return { name: 'gzip', stream: zlib.createGzip({ flush: zlib.constants.Z_SYNC_FLUSH }) };
  return null;
}

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const requests: RecordedRequest[] = [];
  let script: Script = defaultScript;
  // Ids count per server, so two fresh servers answer the same calls with the same bytes.
  let counter = 0;
  const nextId: IdMaker = (prefix) => `${prefix}_fake${(++counter).toString().padStart(6, '0')}`;
  const delay = options.chunkDelayMs ?? 2;

  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        // not JSON: keep the text
      }
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
      };
      requests.push(recorded);
      if (!(req.method === 'POST' && /^\/v1\/messages(\?|$)/.test(req.url ?? ''))) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(req.method === 'HEAD' ? undefined : '{}');
        return;
      }
      const messages = body as MessagesBody;
      const reply = script(messages, recorded);
      if (reply.status && reply.status >= 400) {
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
        );
        return;
      }
      const enc = encoder(req.headers['accept-encoding'], options.compress ?? false);
      if (!messages.stream) {
        const payload = Buffer.from(JSON.stringify(message(nextId, messages, reply)));
        const out = enc
          ? enc.name === 'br'
            ? zlib.brotliCompressSync(payload)
            : zlib.gzipSync(payload)
          : payload;
        res.writeHead(200, {
          'content-type': 'application/json',
          'request-id': nextId('req'),
          ...(enc ? { 'content-encoding': enc.name } : {}),
        });
        res.end(out);
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'request-id': nextId('req'),
        ...(enc ? { 'content-encoding': enc.name } : {}),
      });
      const sink: NodeJS.WritableStream = enc ? enc.stream : res;
      if (enc) enc.stream.pipe(res);
      const events = sseEvents(nextId, messages, reply);
      let i = 0;
      const next = () => {
        if (res.destroyed) return;
        if (reply.abortMidStream && i === Math.floor(events.length / 2)) {
          res.destroy();
          return;
        }
        if (i >= events.length) {
          sink.end();
          return;
        }
        sink.write(events[i++]!);
        if (enc) (enc.stream as zlib.Gzip).flush();
        setTimeout(next, delay);
      };
      next();
    });
  };

  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    messages: () => requests.filter((r) => r.method === 'POST' && /^\/v1\/messages(\?|$)/.test(r.path)),
    setScript: (s) => {
      script = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
