// A fake Mem0 Platform API on 127.0.0.1 that the real mem0ai SDK runs against unmodified (point
// its host here). It follows the platform's wire protocol: trailing-slash paths, `Authorization:
// Token …`, snake_case bodies, v2 filters inside `filters`, asynchronous adds (PENDING + event_id,
// completed later and read at /v1/event/{id}/), DRF-style 401/404/429 bodies. "Extraction" keeps
// the messages' text as one memory; search is keyword matching.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomUUID } from 'node:crypto';

export interface FakeMemoryRecord {
  id: string;
  memory: string;
  user_id: string | null;
  agent_id: string | null;
  app_id: string | null;
  run_id: string | null;
  hash: string;
  metadata: Record<string, unknown> | null;
  categories: string[];
  created_at: string;
  updated_at: string;
  expiration_date: null;
}

interface FakeEvent {
  id: string;
  event_type: 'ADD';
  status: 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  payload: Record<string, unknown>;
  metadata: Record<string, unknown> | null;
  results: Array<{
    id: string;
    event: 'ADD';
    memory: string;
    data: { memory: string };
    user_id: string | null;
  }>;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  completed_at: string | null;
  latency: number | null;
}

interface FakeHistory {
  id: string;
  memory_id: string;
  user_id: string | null;
  old_memory: string | null;
  new_memory: string | null;
  event: 'ADD' | 'UPDATE' | 'DELETE';
  input: unknown[];
  categories: string[];
  created_at: string;
  updated_at: string;
}

export interface FakeMem0PlatformOptions {
  apiKey?: string;
  /** Added before every response (simulates a remote API). */
  latencyMs?: number;
  /** How long an add stays PENDING before its memories exist. */
  processingMs?: number;
}

type Json = Record<string, unknown>;

export class FakeMem0Platform {
  /** The one key accepted; a test may replace it (and clear `memories`) to act as another project. */
  apiKey: string;
  latencyMs: number;
  processingMs: number;
  readonly memories = new Map<string, FakeMemoryRecord>();
  readonly events = new Map<string, FakeEvent>();
  readonly history: FakeHistory[] = [];
  /** Every request seen: method, path (with query) and parsed body. */
  readonly requests: Array<{ method: string; path: string; body: unknown; auth: string | undefined }> = [];
  private throttle = 0;
  private failEvents = 0;
  private dropAddReplies = 0;
  private server: http.Server;
  private sockets = new Set<import('node:net').Socket>();
  private port = 0;

  constructor(options: FakeMem0PlatformOptions = {}) {
    this.apiKey = options.apiKey ?? 'm0-fake-platform-key-0000';
    this.latencyMs = options.latencyMs ?? 0;
    this.processingMs = options.processingMs ?? 5;
    this.server = this.makeServer();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Simulates an outage: the port refuses connections until start() is called again. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server = this.makeServer();
  }

  /** The next n requests get 429 (DRF throttling reply with Retry-After). */
  throttleNext(n: number): void {
    this.throttle = n;
  }

  /** The next n adds end in a FAILED event. */
  failNextEvents(n: number): void {
    this.failEvents = n;
  }

  /**
   * The next n adds are queued and processed as usual, but the connection is cut instead of
   * answering: the client never sees the event id (a reply lost on the way back).
   */
  dropNextAddReplies(n: number): void {
    this.dropAddReplies = n;
  }

  /** Memories currently stored for a user (test assertions). */
  memoriesOf(userId: string): FakeMemoryRecord[] {
    return [...this.memories.values()].filter((m) => m.user_id === userId);
  }

  private makeServer(): http.Server {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 1000;
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return server;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        return this.send(res, 400, { detail: 'JSON parse error' });
      }
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      body,
      auth: req.headers.authorization,
    });
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (this.throttle > 0) {
      this.throttle--;
      res.setHeader('Retry-After', '1');
      return this.send(res, 429, { detail: 'Request was throttled. Expected available in 1 second.' });
    }
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Token ')) {
      return this.send(res, 401, { detail: 'Authentication credentials were not provided.' });
    }
    if (auth.slice(6) !== this.apiKey) return this.send(res, 401, { detail: 'Invalid API key' });
    try {
      this.route(req.method ?? 'GET', url, (body ?? {}) as Json, res);
    } catch (err) {
      this.send(res, 500, { detail: String(err) });
    }
  }

  private route(method: string, url: URL, body: Json, res: http.ServerResponse): void {
    const p = url.pathname;
    let m: RegExpMatchArray | null;
    if (method === 'GET' && p === '/v1/ping/') {
      return this.send(res, 200, {
        status: 'ok',
        org_id: 'org_fake',
        project_id: 'proj_fake',
        user_email: null,
      });
    }
    if (method === 'POST' && p === '/v3/memories/add/') return this.add(body, res);
    if (method === 'GET' && (m = p.match(/^\/v1\/event\/([^/]+)\/$/))) {
      const event = this.events.get(decodeURIComponent(m[1]!));
      return event ? this.send(res, 200, event) : this.send(res, 404, { detail: 'Event not found' });
    }
    if (method === 'POST' && p === '/v3/memories/') return this.getAll(url, body, res);
    if (method === 'POST' && p === '/v3/memories/search/') return this.search(body, res);
    if (method === 'DELETE' && p === '/v1/memories/') return this.deleteAll(url, res);
    if ((m = p.match(/^\/v1\/memories\/([^/]+)\/history\/$/)) && method === 'GET') {
      const id = decodeURIComponent(m[1]!);
      const rows = this.history.filter((h) => h.memory_id === id);
      return rows.length ? this.send(res, 200, rows) : this.send(res, 404, { detail: 'Memory not found' });
    }
    if ((m = p.match(/^\/v1\/memories\/([^/]+)\/$/))) {
      const id = decodeURIComponent(m[1]!);
      const record = this.memories.get(id);
      if (!record) return this.send(res, 404, { detail: 'Memory not found!' });
      if (method === 'GET') return this.send(res, 200, record);
      if (method === 'PUT') return this.update(record, body, res);
      if (method === 'DELETE') {
        this.memories.delete(id);
        this.record(record, 'DELETE', record.memory, null);
        return this.send(res, 200, { message: 'Memory deleted successfully!' });
      }
    }
    this.send(res, 404, { detail: 'Not found.' });
  }

  private add(body: Json, res: http.ServerResponse): void {
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0) {
      return this.send(res, 400, { error: '400 Bad Request', details: { message: 'messages is required' } });
    }
    const userId = typeof body.user_id === 'string' ? body.user_id : null;
    if (!userId && !body.agent_id && !body.app_id && !body.run_id) {
      return this.send(res, 400, {
        error: 'At least one of user_id, agent_id, app_id or run_id is required.',
      });
    }
    const now = new Date().toISOString();
    const event: FakeEvent = {
      id: randomUUID(),
      event_type: 'ADD',
      status: 'PENDING',
      payload: { messages, user_id: userId },
      metadata: null,
      results: [],
      created_at: now,
      updated_at: now,
      started_at: null,
      completed_at: null,
      latency: null,
    };
    this.events.set(event.id, event);
    const fail = this.failEvents > 0;
    if (fail) this.failEvents--;
    setTimeout(() => {
      const done = new Date().toISOString();
      event.started_at = now;
      event.completed_at = done;
      event.updated_at = done;
      if (fail) {
        event.status = 'FAILED';
        return;
      }
      const contents = (messages as Array<{ role?: string; content?: unknown }>)
        .filter(
          (msg) => msg.role !== 'system' && typeof msg.content === 'string' && msg.content.trim() !== '',
        )
        .map((msg) => msg.content as string);
      // Trivial "extraction": with infer the turn becomes one memory; without, each message is stored as is.
      const texts = body.infer === false ? contents : contents.length ? [contents.join('\n')] : [];
      const created =
        typeof body.timestamp === 'number' ? new Date(body.timestamp * 1000).toISOString() : done;
      for (const text of texts) {
        const record: FakeMemoryRecord = {
          id: randomUUID(),
          memory: text,
          user_id: userId,
          agent_id: (body.agent_id as string) ?? null,
          app_id: (body.app_id as string) ?? null,
          run_id: (body.run_id as string) ?? null,
          hash: createHash('md5').update(text).digest('hex'),
          metadata: (body.metadata as Record<string, unknown>) ?? null,
          categories: [],
          created_at: created,
          updated_at: created,
          expiration_date: null,
        };
        this.memories.set(record.id, record);
        this.record(record, 'ADD', null, text);
        event.results.push({
          id: record.id,
          event: 'ADD',
          memory: text,
          data: { memory: text },
          user_id: userId,
        });
      }
      event.status = 'SUCCEEDED';
      event.latency = Date.parse(done) - Date.parse(now);
    }, this.processingMs);
    if (this.dropAddReplies > 0) {
      this.dropAddReplies--;
      res.socket?.destroy();
      return;
    }
    this.send(res, 200, {
      message: 'Memory processing has been queued for background execution',
      status: 'PENDING',
      event_id: event.id,
    });
  }

  private update(record: FakeMemoryRecord, body: Json, res: http.ServerResponse): void {
    const old = record.memory;
    if (typeof body.text === 'string') record.memory = body.text;
    if (body.metadata && typeof body.metadata === 'object')
      record.metadata = body.metadata as Record<string, unknown>;
    record.updated_at = new Date().toISOString();
    record.hash = createHash('md5').update(record.memory).digest('hex');
    this.record(record, 'UPDATE', old, record.memory);
    this.send(res, 200, {
      id: record.id,
      text: record.memory,
      user_id: record.user_id,
      metadata: record.metadata,
      updated_at: record.updated_at,
    });
  }

  private filtered(filters: unknown): FakeMemoryRecord[] | string {
    if (!filters || typeof filters !== 'object') return 'filters are required';
    if (!hasEntity(filters as Json))
      return 'Filters must include at least one of user_id, agent_id, app_id or run_id.';
    return [...this.memories.values()]
      .filter((m) => matches(m, filters as Json))
      .sort((a, b) =>
        a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1,
      );
  }

  private getAll(url: URL, body: Json, res: http.ServerResponse): void {
    const all = this.filtered(body.filters);
    if (typeof all === 'string') return this.send(res, 400, { error: all });
    const page = Number(url.searchParams.get('page') ?? '1');
    const size = Number(url.searchParams.get('page_size') ?? '100');
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 1) {
      return this.send(res, 400, { error: 'Invalid page parameters' });
    }
    const start = (page - 1) * size;
    // Django REST framework's PageNumberPagination answers 404 past the last page.
    if (page > 1 && start >= all.length) return this.send(res, 404, { detail: 'Invalid page.' });
    const base = `${this.url}/v3/memories/`;
    this.send(res, 200, {
      count: all.length,
      next: start + size < all.length ? `${base}?page=${page + 1}&page_size=${size}` : null,
      previous: page > 1 ? `${base}?page=${page - 1}&page_size=${size}` : null,
      results: all.slice(start, start + size),
    });
  }

  private search(body: Json, res: http.ServerResponse): void {
    const all = this.filtered(body.filters);
    if (typeof all === 'string') return this.send(res, 400, { error: all });
    if (typeof body.query !== 'string') return this.send(res, 400, { error: 'query is required' });
    const words = (body.query.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).filter(Boolean);
    const topK = typeof body.top_k === 'number' ? body.top_k : 10;
    const scored = all
      .map((m) => {
        const text = m.memory.toLowerCase();
        const hits = words.reduce((n, w) => n + (text.split(w).length - 1), 0);
        return { m, score: words.length ? hits / (words.length + text.length / 100) : 0 };
      })
      .filter((s) => s.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, topK);
    this.send(res, 200, { results: scored.map((s) => ({ ...s.m, score: Number(s.score.toFixed(4)) })) });
  }

  private deleteAll(url: URL, res: http.ServerResponse): void {
    const userId = url.searchParams.get('user_id');
    if (!userId)
      return this.send(res, 400, { error: 'At least one filter is required to delete all memories.' });
    for (const [id, m] of this.memories) {
      if (m.user_id === userId) this.memories.delete(id);
    }
    for (let i = this.history.length - 1; i >= 0; i--)
      if (this.history[i]!.user_id === userId) this.history.splice(i, 1);
    this.send(res, 200, { message: 'Memories deleted successfully!' });
  }

  private record(
    m: FakeMemoryRecord,
    event: FakeHistory['event'],
    oldText: string | null,
    newText: string | null,
  ): void {
    const now = new Date().toISOString();
    this.history.push({
      id: randomUUID(),
      memory_id: m.id,
      user_id: m.user_id,
      old_memory: oldText,
      new_memory: newText,
      event,
      input: [],
      categories: [],
      created_at: now,
      updated_at: now,
    });
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

const ENTITIES = ['user_id', 'agent_id', 'app_id', 'run_id'] as const;

function hasEntity(f: Json): boolean {
  if (Array.isArray(f.AND)) return (f.AND as Json[]).some(hasEntity);
  if (Array.isArray(f.OR)) return (f.OR as Json[]).every(hasEntity);
  return ENTITIES.some((k) => typeof f[k] === 'string');
}

/** The subset of Mem0's v2 filter language we use: AND/OR/NOT, entity and metadata equality, date ranges. */
function matches(m: FakeMemoryRecord, f: Json): boolean {
  for (const [k, v] of Object.entries(f)) {
    if (k === 'AND') {
      if (!(v as Json[]).every((x) => matches(m, x))) return false;
    } else if (k === 'OR') {
      if (!(v as Json[]).some((x) => matches(m, x))) return false;
    } else if (k === 'NOT') {
      if ((v as Json[]).some((x) => matches(m, x))) return false;
    } else if ((ENTITIES as readonly string[]).includes(k)) {
      if (v !== '*' && m[k as (typeof ENTITIES)[number]] !== v) return false;
    } else if (k === 'metadata') {
      for (const [mk, mv] of Object.entries(v as Json)) if ((m.metadata ?? {})[mk] !== mv) return false;
    } else if (k === 'created_at' || k === 'updated_at') {
      const value = Date.parse(m[k]);
      for (const [op, bound] of Object.entries(v as Json)) {
        const b = Date.parse(String(bound));
        if (op === 'gte' && !(value >= b)) return false;
        if (op === 'gt' && !(value > b)) return false;
        if (op === 'lte' && !(value <= b)) return false;
        if (op === 'lt' && !(value < b)) return false;
      }
    } else {
      return false;
    }
  }
  return true;
}
