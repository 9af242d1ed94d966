// A fake of the self-hosted Mem0 OSS REST server (mem0ai/mem0 server/main.py) on 127.0.0.1:
// the same paths (no trailing slashes), X-API-Key auth when a key is configured (401 otherwise),
// FastAPI-style {"detail": …} errors, synchronous adds answering {"results": [{id, memory, event}]},
// GET /memories/{id} answering 200 null for an unknown id, history rows without a user id, and the
// list sizes of the two server generations (no offset in either): "top_k" (current: GET /memories
// takes top_k, 0..1000, default 20, and POST /search takes top_k) and "legacy" (before top_k: every
// size parameter is ignored and Memory.get_all / search stop at 100). "Extraction" keeps the turn's
// text as one memory.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { createHash, randomUUID } from 'node:crypto';

interface ServerRecord {
  id: string;
  memory: string;
  hash: string;
  metadata: Record<string, unknown>;
  user_id: string | null;
  agent_id: string | null;
  run_id: string | null;
  created_at: string;
  updated_at: string | null;
}

interface ServerHistory {
  id: string;
  memory_id: string;
  old_memory: string | null;
  new_memory: string | null;
  event: 'ADD' | 'UPDATE' | 'DELETE';
  created_at: string;
  updated_at: string | null;
  is_deleted: number;
  actor_id: string | null;
  role: string | null;
}

export interface FakeMem0ServerOptions {
  /** The server's ADMIN_API_KEY; null runs it without auth. */
  apiKey?: string | null;
  latencyMs?: number;
  /** Adds are stored at once but answered this much later (a reply lost to a client timeout). */
  addReplyDelayMs?: number;
  /** Which server generation's list sizes to follow (default: the current one, "top_k"). */
  listApi?: 'top_k' | 'legacy';
}

type Json = Record<string, unknown>;
/** mem0 before top_k: Memory.get_all(limit=100), Memory.search(limit=100). */
const LEGACY_CAP = 100;
/** mem0 with top_k: GET /memories top_k is Query(ge=0, le=1000); Memory.get_all/search default 20. */
const TOP_K_MAX = 1000;
const TOP_K_DEFAULT = 20;

export class FakeMem0Server {
  readonly apiKey: string | null;
  latencyMs: number;
  addReplyDelayMs: number;
  listApi: 'top_k' | 'legacy';
  readonly memories = new Map<string, ServerRecord>();
  readonly history: ServerHistory[] = [];
  readonly requests: Array<{ method: string; path: string; body: unknown; apiKey: string | undefined }> = [];
  private throttle = 0;
  private server: http.Server;
  private sockets = new Set<Socket>();
  private port = 0;

  constructor(options: FakeMem0ServerOptions = {}) {
    this.apiKey = options.apiKey === undefined ? 'fake-admin-api-key-0000000000' : options.apiKey;
    this.latencyMs = options.latencyMs ?? 0;
    this.addReplyDelayMs = options.addReplyDelayMs ?? 0;
    this.listApi = options.listApi ?? 'top_k';
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

  /** Simulates an outage: connections are refused until start() again. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server = this.makeServer();
  }

  throttleNext(n: number): void {
    this.throttle = n;
  }

  memoriesOf(userId: string): ServerRecord[] {
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
        return this.send(res, 422, { detail: [{ type: 'json_invalid', msg: 'JSON decode error' }] });
      }
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    const key = req.headers['x-api-key'] as string | undefined;
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, body, apiKey: key });
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (this.throttle > 0) {
      this.throttle--;
      return this.send(res, 429, { detail: 'Too Many Requests' });
    }
    if (this.apiKey !== null) {
      if (key === undefined) return this.send(res, 401, { detail: 'X-API-Key header is required.' });
      if (key !== this.apiKey) return this.send(res, 401, { detail: 'Invalid API key.' });
    }
    try {
      this.route(req.method ?? 'GET', url, body, res);
    } catch (err) {
      this.send(res, 500, { detail: String((err as Error).message ?? err) });
    }
  }

  private route(method: string, url: URL, body: unknown, res: http.ServerResponse): void {
    const p = url.pathname;
    const q = url.searchParams;
    let m: RegExpMatchArray | null;
    if (p === '/memories' && method === 'POST') return this.add(body as Json, res);
    if (p === '/memories' && method === 'GET') {
      const userId = q.get('user_id');
      if (!userId && !q.get('run_id') && !q.get('agent_id')) {
        return this.send(res, 400, { detail: 'At least one identifier is required.' });
      }
      let size = LEGACY_CAP;
      if (this.listApi === 'top_k') {
        const raw = q.get('top_k');
        size = raw === null ? TOP_K_DEFAULT : Number(raw);
        if (!Number.isInteger(size) || size < 0 || size > TOP_K_MAX) {
          return this.send(res, 422, {
            detail: [
              { type: 'less_than_equal', loc: ['query', 'top_k'], msg: `Input should be <= ${TOP_K_MAX}` },
            ],
          });
        }
      }
      // The vector store lists in insertion order: the oldest come first, the newest are cut off.
      return this.send(res, 200, {
        results: this.memoriesOf(userId ?? '')
          .slice(0, size)
          .map(publicRecord),
      });
    }
    if (p === '/memories' && method === 'DELETE') {
      const userId = q.get('user_id');
      if (!userId && !q.get('run_id') && !q.get('agent_id')) {
        return this.send(res, 400, { detail: 'At least one identifier is required.' });
      }
      // mem0 OSS deletes one by one, each leaving a DELETE history row (and lists at most 100).
      for (const rec of this.memoriesOf(userId ?? '').slice(0, LEGACY_CAP)) this.remove(rec);
      return this.send(res, 200, { message: 'All relevant memories deleted' });
    }
    if (p === '/search' && method === 'POST') return this.search(body as Json, res);
    if ((m = p.match(/^\/memories\/([^/]+)\/history$/)) && method === 'GET') {
      const id = decodeURIComponent(m[1]!);
      return this.send(
        res,
        200,
        this.history.filter((h) => h.memory_id === id),
      );
    }
    if ((m = p.match(/^\/memories\/([^/]+)$/))) {
      const id = decodeURIComponent(m[1]!);
      const rec = this.memories.get(id);
      if (method === 'GET') return this.send(res, 200, rec ? publicRecord(rec) : null);
      if (method === 'PUT') {
        const data = (body as Json | null)?.data;
        if (typeof data !== 'string') {
          return this.send(res, 422, {
            detail: [{ type: 'missing', loc: ['body', 'data'], msg: 'Field required' }],
          });
        }
        if (!rec) return this.send(res, 500, { detail: `Memory with id ${id} not found` });
        const old = rec.memory;
        rec.memory = data;
        rec.hash = createHash('md5').update(data).digest('hex');
        rec.updated_at = new Date().toISOString();
        this.log(rec.id, 'UPDATE', old, data);
        return this.send(res, 200, { message: 'Memory updated successfully!' });
      }
      if (method === 'DELETE') {
        if (!rec) return this.send(res, 500, { detail: `Memory with id ${id} not found` });
        this.remove(rec);
        return this.send(res, 200, { message: 'Memory deleted successfully' });
      }
    }
    this.send(res, 404, { detail: 'Not Found' });
  }

  private add(body: Json, res: http.ServerResponse): void {
    if (!Array.isArray(body?.messages)) {
      return this.send(res, 422, {
        detail: [{ type: 'missing', loc: ['body', 'messages'], msg: 'Field required' }],
      });
    }
    const userId = typeof body.user_id === 'string' ? body.user_id : null;
    if (!userId && !body.agent_id && !body.run_id) {
      return this.send(res, 400, {
        detail: 'At least one identifier (user_id, agent_id, run_id) is required.',
      });
    }
    const contents = (body.messages as Array<{ role?: string; content?: unknown }>)
      .filter((msg) => msg.role !== 'system' && typeof msg.content === 'string' && msg.content.trim() !== '')
      .map((msg) => msg.content as string);
    const texts = body.infer === false ? contents : contents.length ? [contents.join('\n')] : [];
    const results: Array<{ id: string; memory: string; event: 'ADD' }> = [];
    for (const text of texts) {
      const now = new Date().toISOString();
      const rec: ServerRecord = {
        id: randomUUID(),
        memory: text,
        hash: createHash('md5').update(text).digest('hex'),
        metadata: (body.metadata as Record<string, unknown>) ?? {},
        user_id: userId,
        agent_id: (body.agent_id as string) ?? null,
        run_id: (body.run_id as string) ?? null,
        created_at: now,
        updated_at: null,
      };
      this.memories.set(rec.id, rec);
      this.log(rec.id, 'ADD', null, text);
      results.push({ id: rec.id, memory: text, event: 'ADD' });
    }
    if (this.addReplyDelayMs > 0) setTimeout(() => this.send(res, 200, { results }), this.addReplyDelayMs);
    else this.send(res, 200, { results });
  }

  private search(body: Json, res: http.ServerResponse): void {
    if (typeof body?.query !== 'string') {
      return this.send(res, 422, {
        detail: [{ type: 'missing', loc: ['body', 'query'], msg: 'Field required' }],
      });
    }
    const words = body.query.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
    const filters = (body.filters as Json | undefined) ?? {};
    const limit =
      this.listApi === 'legacy' ? LEGACY_CAP : typeof body.top_k === 'number' ? body.top_k : TOP_K_DEFAULT;
    const results = [...this.memories.values()]
      .filter((m) => (body.user_id ? m.user_id === body.user_id : true))
      .filter((m) => Object.entries(filters).every(([k, v]) => m.metadata[k] === v))
      .map((m) => {
        const text = m.memory.toLowerCase();
        const hits = words.reduce((n, w) => n + (text.split(w).length - 1), 0);
        // Vector search always returns neighbours; a keyword fake scores the ones sharing a word.
        return { m, score: words.length ? hits / (words.length + text.length / 100) : 0 };
      })
      .filter((s) => s.score > 0 || Object.keys(filters).length > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, limit)
      .map((s) => ({ ...publicRecord(s.m), score: Number(s.score.toFixed(4)) }));
    this.send(res, 200, { results });
  }

  private remove(rec: ServerRecord): void {
    this.memories.delete(rec.id);
    this.log(rec.id, 'DELETE', rec.memory, null);
  }

  private log(
    memoryId: string,
    event: ServerHistory['event'],
    oldText: string | null,
    newText: string | null,
  ): void {
    const now = new Date().toISOString();
    this.history.push({
      id: randomUUID(),
      memory_id: memoryId,
      old_memory: oldText,
      new_memory: newText,
      event,
      created_at: now,
      updated_at: event === 'ADD' ? null : now,
      is_deleted: event === 'DELETE' ? 1 : 0,
      actor_id: null,
      role: null,
    });
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

/** mem0 OSS promotes the entity ids and timestamps out of the payload; the rest is metadata. */
function publicRecord(r: ServerRecord): Json {
  const out: Json = {
    id: r.id,
    memory: r.memory,
    hash: r.hash,
    metadata: r.metadata,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
  if (r.user_id) out.user_id = r.user_id;
  if (r.agent_id) out.agent_id = r.agent_id;
  if (r.run_id) out.run_id = r.run_id;
  return out;
}
