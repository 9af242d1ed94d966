// Memories in a self-hosted Mem0 server (the open-source FastAPI REST server a team shares):
// POST /memories, GET /memories?user_id=, GET|PUT|DELETE /memories/{id}, GET /memories/{id}/history,
// POST /search, DELETE /memories?user_id=, authenticated with the X-API-Key header.
// That API has no paging, no date filters and no way to set created_at, so those are done here on
// the client, from our own metadata (mem0-records.ts). A list is one GET that the server caps
// (mem0 before top_k: 100; with top_k: what we ask for, up to 1000): a capped reply is reported as
// incomplete (Page.incomplete, export throws at its end) rather than passed off as everything.
// A little over 350 lines: the one MemoryBackend class, with that client-side filtering; the HTTP
// calls are mem0-server-http.ts, the record mapping mem0-records.ts.
import { UserError } from '../errors.js';
import { isoTime } from './filter-sql.js';
import { textExcerpt } from './excerpt.js';
import { silentLogger, type Logger } from '../log.js';
import {
  clampLimit,
  LIST_LIMIT,
  SEARCH_LIMIT,
  type HistoryEntry,
  type ListOptions,
  type Memory,
  type MemoryBackend,
  type MemoryFilter,
  type MemoryPatch,
  type NewMemory,
  type Page,
  type SearchHit,
  type SearchOptions,
} from './types.js';
import {
  META,
  NO_PROJECT,
  decodeHistory,
  decodeOffsetCursor,
  decodeRecord,
  encodeMetadata,
  encodeOffsetCursor,
  idempotencyKeyOf,
  matchesFilter,
  memoryFromResult,
  newestFirst,
  queryWords,
  resultsOf,
  shouldInfer,
  turnMessages,
  validateNewMemory,
} from './mem0-records.js';
import { credentialTag, memoryAddLedger, type AddLedger } from './mem0-add-ledger.js';
import { Mem0ServerHttp } from './mem0-server-http.js';

export interface Mem0ServerOptions {
  /** settings.mem0ServerUrl, e.g. https://mem0.team.example:8000 */
  url: string;
  /** The server's API key (its ADMIN_API_KEY or a user key); null when the server runs without auth. */
  apiKey: () => Promise<string | null>;
  ledger?: AddLedger;
  log?: Logger;
  /** Per request (the server runs an LLM during add); keep it below the outbox's delivery timeout. */
  timeoutMs?: number;
  retry?: { rateLimitAttempts: number; networkAttempts: number; baseMs: number; maxMs: number };
}

type Raw = Record<string, unknown>;

/** What one GET /memories asks for (top_k; `limit` for servers of the Memory.get_all(limit) era). */
export const SERVER_LIST_FETCH = 1000;
/**
 * What mem0's Memory.get_all returns when the size we ask for is ignored: limit=100 (servers
 * without top_k) or top_k=20 (its later default). A reply of exactly that size may be cut short.
 */
const SERVER_DEFAULT_CAPS = [100, 20];

interface Listing {
  memories: Memory[];
  /** false: the server cut the reply short, and it cannot page. */
  complete: boolean;
}

export class Mem0ServerBackend implements MemoryBackend {
  readonly kind = 'mem0-server' as const;
  private readonly base: string;
  /** The scope ledger rows had before they named the key (read as a fallback, never written). */
  private readonly legacyScope: string;
  private readonly ledger: AddLedger;
  private readonly log: Logger;
  private readonly http: Mem0ServerHttp;

  constructor(private readonly options: Mem0ServerOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.legacyScope = `mem0-server:${this.base}`;
    this.ledger = options.ledger ?? memoryAddLedger();
    this.log = options.log ?? silentLogger;
    this.http = new Mem0ServerHttp({
      base: this.base,
      apiKey: options.apiKey,
      log: this.log,
      // Below the outbox's delivery timeout (30 s), so an attempt never outlives the outbox's wait.
      timeoutMs: options.timeoutMs ?? 25_000,
      retry: options.retry ?? { rateLimitAttempts: 4, networkAttempts: 2, baseMs: 250, maxMs: 4000 },
    });
  }

  /** Whether the server honours the size we ask a list for (learnt once, by asking for 1). */
  private honoursListSize: boolean | undefined;

  /** This server and key, as ledger scope and migration target: a new key is another store. */
  async identity(): Promise<string> {
    return `${this.legacyScope}:${credentialTag(await this.options.apiKey())}`;
  }

  /**
   * Every memory of a user the server will list, and whether that is all of them. mem0's server
   * has no offset: we ask for SERVER_LIST_FETCH (top_k, and limit for older servers, which ignore
   * both and stop at 100). A reply as long as what we asked for is cut short; one exactly as long
   * as a default cap is cut short unless the server is seen to honour the size (asked for 1).
   */
  private async all(userId: string): Promise<Listing> {
    const base = `/memories?user_id=${encodeURIComponent(userId)}`;
    let sized = true;
    let res: unknown;
    try {
      res = await this.http.request(
        'list',
        'GET',
        `${base}&top_k=${SERVER_LIST_FETCH}&limit=${SERVER_LIST_FETCH}`,
      );
    } catch (err) {
      // A server with a lower top_k bound refuses the size (422): take its default instead.
      if (!(err instanceof UserError && err.code === 'invalid_input')) throw err;
      sized = false;
      res = await this.http.request('list', 'GET', base);
    }
    const records = resultsOf(res);
    const n = records.length;
    let complete: boolean;
    if (sized && n >= SERVER_LIST_FETCH) complete = false;
    else if (!SERVER_DEFAULT_CAPS.includes(n)) complete = true;
    else {
      if (sized && this.honoursListSize === undefined) {
        const probe = await this.http.request('list', 'GET', `${base}&top_k=1&limit=1`);
        this.honoursListSize = resultsOf(probe).length <= 1;
      }
      complete = sized && this.honoursListSize === true;
    }
    if (!complete) this.log.warn('mem0.list_capped', { count: n, backend: this.kind });
    return { memories: records.flatMap((r) => decodeRecord(r) ?? []), complete };
  }

  private incompleteError(userId: string, count: number): UserError {
    return new UserError(
      'failure',
      `The Mem0 server at ${this.base} listed only ${count} memories of ${userId} and cannot page past them, so this is not everything: the rest were not read. Upgrade the server to a mem0 version whose GET /memories accepts top_k (it lists up to ${SERVER_LIST_FETCH}), then run this again.`,
    );
  }

  /** Server-side equality filters (mem0 OSS matches them against the stored metadata). */
  private serverFilters(filter: MemoryFilter): Record<string, unknown> | undefined {
    const f: Record<string, unknown> = {};
    if (filter.projectId !== undefined) f[META.project] = filter.projectId ?? NO_PROJECT;
    if (filter.source) f[META.source] = filter.source;
    if (filter.conversationId) f[META.conversation] = filter.conversationId;
    return Object.keys(f).length ? f : undefined;
  }

  /** Adds in progress by idempotency key: a second attempt while the first still runs joins it. */
  private readonly adding = new Map<string, Promise<Memory[]>>();

  async add(input: NewMemory): Promise<Memory[]> {
    const key = input.idempotencyKey;
    if (!key) return this.addOnce(input);
    const running = this.adding.get(key);
    if (running) return running;
    const p = this.addOnce(input).finally(() => this.adding.delete(key));
    this.adding.set(key, p);
    return p;
  }

  private async addOnce(input: NewMemory): Promise<Memory[]> {
    validateNewMemory(input);
    const createdAt = isoTime(input.createdAt, 'createdAt');
    const key = input.idempotencyKey;
    const scope = key ? await this.identity() : this.legacyScope;
    if (key) {
      const known = this.ledger.get(scope, key) ?? this.ledger.get(this.legacyScope, key);
      let lookUp = known !== null;
      if (known?.memoryIds) {
        const existing = await this.getMany(known.memoryIds);
        if (existing.length > 0 || known.memoryIds.length === 0) return existing;
        // Stored once, gone now (the target was wiped, or the copy deleted): store it again.
        this.ledger.forget(scope, key);
        lookUp = false;
      }
      // Only a retry can find its memory already there (the reply to the first attempt was
      // lost, e.g. a timeout while the server's LLM worked): the first attempt skips this lookup.
      if (lookUp) {
        const res = await this.http.request('find', 'POST', '/search', {
          query: input.text,
          user_id: input.userId,
          filters: { [META.key]: key },
          limit: 10,
          top_k: 10,
        });
        const existing = resultsOf(res)
          .filter((r) => idempotencyKeyOf(r) === key)
          .flatMap((r) => decodeRecord(r) ?? []);
        if (existing.length > 0) {
          this.ledger.recordDone(
            scope,
            key,
            existing.map((m) => m.id),
          );
          return existing;
        }
      }
      this.ledger.recordAttempt(scope, key);
    }
    const res = await this.http.request(
      'add',
      'POST',
      '/memories',
      {
        messages: turnMessages(input),
        user_id: input.userId,
        metadata: encodeMetadata(input, createdAt),
        infer: shouldInfer(input),
      },
      false,
    );
    const added: Memory[] = [];
    for (const r of resultsOf(res)) {
      const event = String(r.event ?? 'ADD').toUpperCase();
      if (event !== 'ADD' && event !== 'UPDATE') continue;
      const m = memoryFromResult(r, input, createdAt);
      if (m && !added.some((a) => a.id === m.id)) added.push(m);
    }
    if (key)
      this.ledger.recordDone(
        scope,
        key,
        added.map((m) => m.id),
      );
    this.log.debug('mem0.added', { count: added.length, backend: this.kind });
    return added;
  }

  private async getMany(ids: readonly string[]): Promise<Memory[]> {
    const got = await Promise.all(ids.map((id) => this.get(id)));
    return got.filter((m): m is Memory => m !== null);
  }

  async get(id: string): Promise<Memory | null> {
    try {
      // mem0 OSS answers 200 with null for an unknown id.
      const raw = await this.http.request('get', 'GET', `/memories/${encodeURIComponent(id)}`);
      return raw && typeof raw === 'object' ? decodeRecord(raw as Raw) : null;
    } catch (err) {
      if (err instanceof UserError && err.code === 'not_found') return null;
      throw err;
    }
  }

  async update(id: string, patch: MemoryPatch): Promise<Memory> {
    if (patch.text !== undefined && patch.text.trim() === '') {
      throw new UserError('invalid_input', 'A memory needs a non-empty text.');
    }
    const existing = await this.get(id);
    if (!existing) throw new UserError('not_found', `No memory with id ${id}.`);
    if (
      patch.metadata !== undefined &&
      JSON.stringify(patch.metadata) !== JSON.stringify(existing.metadata)
    ) {
      throw new UserError(
        'invalid_input',
        "The self-hosted Mem0 server can change a memory's text but not its metadata: edit the text only, or use the local or mem0-platform backend.",
      );
    }
    if (patch.text === undefined || patch.text === existing.text) return existing;
    await this.http.request('update', 'PUT', `/memories/${encodeURIComponent(id)}`, { data: patch.text });
    const updated = await this.get(id);
    if (!updated) throw new UserError('not_found', `No memory with id ${id}.`);
    return updated;
  }

  async delete(id: string): Promise<boolean> {
    // mem0 OSS answers 500 (not 404) for an unknown id, so look first.
    if (!(await this.get(id))) return false;
    await this.http.request('delete', 'DELETE', `/memories/${encodeURIComponent(id)}`);
    return true;
  }

  async list(filter: MemoryFilter, options: ListOptions = {}): Promise<Page<Memory>> {
    const limit = clampLimit(options.limit, LIST_LIMIT);
    const offset = options.cursor
      ? decodeOffsetCursor(options.cursor)
      : Math.max(0, Math.floor(options.offset ?? 0));
    const listing = await this.all(filter.userId);
    const all = listing.memories.filter((m) => matchesFilter(m, filter)).sort(newestFirst);
    const items = all.slice(offset, offset + limit);
    const page: Page<Memory> = {
      items,
      nextCursor: offset + items.length < all.length ? encodeOffsetCursor(offset + items.length) : null,
    };
    if (options.withTotal) page.total = all.length;
    if (!listing.complete) page.incomplete = true;
    return page;
  }

  async search(query: string, filter: MemoryFilter, options: SearchOptions = {}): Promise<SearchHit[]> {
    if (queryWords(query).length === 0) return [];
    const limit = clampLimit(options.limit, SEARCH_LIMIT);
    // `limit` for servers of the Memory.search(limit) era, top_k for later ones.
    const body: Record<string, unknown> = { query, user_id: filter.userId, limit, top_k: limit };
    const filters = this.serverFilters(filter);
    if (filters) body.filters = filters;
    const res = await this.http.request('search', 'POST', '/search', body);
    const hits: SearchHit[] = [];
    for (const raw of resultsOf(res)) {
      const memory = decodeRecord(raw);
      if (!memory || !matchesFilter(memory, filter)) continue;
      hits.push({
        memory,
        score: typeof raw.score === 'number' ? raw.score : 0,
        snippet: textExcerpt(memory.text, query),
      });
    }
    return hits.sort((a, b) => b.score - a.score).slice(0, limit);
  }

  async history(id: string): Promise<HistoryEntry[]> {
    let rows: unknown;
    try {
      rows = await this.http.request('history', 'GET', `/memories/${encodeURIComponent(id)}/history`);
    } catch (err) {
      if (err instanceof UserError && err.code === 'not_found') return [];
      throw err;
    }
    if (!Array.isArray(rows) || rows.length === 0) return [];
    // mem0 OSS history rows carry no user id: the owner is the memory's. Once the memory is gone
    // the owner is unknown (""), and MemoryService then refuses to show that history to anyone.
    const owner = (await this.get(id))?.userId ?? '';
    return (rows as Raw[]).flatMap((r) => decodeHistory(r, id, owner) ?? []);
  }

  async deleteAllOfUser(userId: string): Promise<number> {
    let total = 0;
    let before = Infinity;
    // The server lists at most a capped number per call: repeat until nothing is left.
    for (;;) {
      const remaining = (await this.all(userId)).memories.length;
      if (remaining === 0) return total;
      if (remaining >= before) {
        throw new UserError(
          'backend_unavailable',
          `The Mem0 server did not delete the memories of ${userId}; see its logs, then try again.`,
        );
      }
      before = remaining;
      total += remaining;
      await this.http.request('deleteAll', 'DELETE', `/memories?user_id=${encodeURIComponent(userId)}`);
    }
  }

  async *export(filter: MemoryFilter): AsyncIterable<Memory> {
    const listing = await this.all(filter.userId);
    const all = listing.memories.filter((m) => matchesFilter(m, filter)).sort(newestFirst);
    for (let i = all.length - 1; i >= 0; i--) yield all[i]!;
    if (!listing.complete) throw this.incompleteError(filter.userId, listing.memories.length);
  }

  async close(): Promise<void> {
    // fetch keeps no state of ours; nothing to release.
  }
}
