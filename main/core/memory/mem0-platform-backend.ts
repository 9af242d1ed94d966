// Memories in the Mem0 Platform (api.mem0.ai or a compatible host) through the mem0ai SDK's
// MemoryClient. Captured turns go in as user/assistant messages so Mem0 extracts the memories;
// adds are asynchronous there (PENDING + event_id), so add() follows the event to its end.
// Longer than most files: the one MemoryBackend class, whose retry-safe add and CRUD share its SDK
// client, retry policy and ledger; what stands alone is in mem0-platform-sdk.ts (the SDK and its
// failures), mem0-platform-events.ts, mem0-records.ts and mem0-add-ledger.ts.
import type { MemoryClient } from 'mem0ai';
import { isoTime } from './filter-sql.js';
import { textExcerpt } from './excerpt.js';
import { UserError } from '../errors.js';
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
  matchesFilter,
  memoryFromResult,
  mergeMetadata,
  newestFirst,
  queryWords,
  resultsOf,
  shouldInfer,
  sleep,
  turnMessages,
  validateNewMemory,
} from './mem0-records.js';
import { credentialTag, memoryAddLedger, type AddLedger } from './mem0-add-ledger.js';
import {
  addedResults,
  classify,
  failureError,
  loadMem0Sdk,
  neverSent,
  retryDelay,
  type Failure,
} from './mem0-platform-sdk.js';
import { followAddEvent } from './mem0-platform-events.js';

export interface Mem0PlatformOptions {
  /** The API host (settings.mem0Host), e.g. https://api.mem0.ai. */
  host: string;
  /** Reads the API key (keychain / MEM0_API_KEY) when a client is first needed and after a 401. */
  apiKey: () => Promise<string | null>;
  /** settings.mem0Telemetry: the SDK's telemetry stays off unless this is true. */
  telemetry?: boolean;
  /** Remembers what each idempotency key became (SQLite in the app; memory in tests). */
  ledger?: AddLedger;
  log?: Logger;
  /** Following an asynchronous add: first poll delay, growth cap, and when to give up (for now). */
  eventPoll?: { firstMs: number; maxMs: number; timeoutMs: number };
  /** Retries of 429 and of network failures inside one call. */
  retry?: { rateLimitAttempts: number; networkAttempts: number; baseMs: number; maxMs: number };
}

export class Mem0PlatformBackend implements MemoryBackend {
  readonly kind = 'mem0-platform' as const;
  private readonly host: string;
  /** The scope ledger rows had before they named the key (read as a fallback, never written). */
  private readonly legacyScope: string;
  private readonly ledger: AddLedger;
  private readonly log: Logger;
  private readonly poll: NonNullable<Mem0PlatformOptions['eventPoll']>;
  private readonly retry: NonNullable<Mem0PlatformOptions['retry']>;
  private client: { key: string; client: MemoryClient } | null = null;

  constructor(private readonly options: Mem0PlatformOptions) {
    this.host = options.host.replace(/\/+$/, '');
    this.legacyScope = `mem0-platform:${this.host}`;
    this.ledger = options.ledger ?? memoryAddLedger();
    this.log = options.log ?? silentLogger;
    // Give up following an event (for now) well before the outbox's own delivery timeout (30 s).
    this.poll = options.eventPoll ?? { firstMs: 15, maxMs: 1000, timeoutMs: 20_000 };
    this.retry = options.retry ?? { rateLimitAttempts: 4, networkAttempts: 2, baseMs: 250, maxMs: 4000 };
  }

  private async connect(fresh = false): Promise<{ key: string; client: MemoryClient }> {
    if (this.client && !fresh) return this.client;
    const key = (await this.options.apiKey())?.trim();
    if (!key) {
      throw new UserError(
        'unauthorized',
        'No Mem0 API key is set: run "mem0-tray apikey set" (or set MEM0_API_KEY) to use the mem0-platform backend.',
      );
    }
    if (this.client && this.client.key === key) return this.client;
    const { MemoryClient: Client } = await loadMem0Sdk(this.options.telemetry ?? false);
    const client = new Client({ apiKey: key, host: this.host });
    // The SDK warns on every call when its identity ping failed (no telemetry id); a fixed,
    // anonymous id keeps an outage from flooding the console. Telemetry itself stays off.
    client.telemetryId ||= 'mem0-tray';
    this.client = { key, client };
    return this.client;
  }

  /** This host and key (a key belongs to one Mem0 project), as ledger scope and migration target. */
  async identity(): Promise<string> {
    return `${this.legacyScope}:${credentialTag(await this.options.apiKey())}`;
  }

  /** The ledger scope of the key the client uses now. */
  private async scopeNow(): Promise<string> {
    return `${this.legacyScope}:${credentialTag((await this.connect()).key)}`;
  }

  /**
   * One SDK call with our retry policy; failures become UserErrors that say what to do. An add is
   * not re-sent on a network failure here: Mem0 may have queued it and only the reply (with its
   * event id) was lost, so the retry is left to addOnce, which first looks for it by its key.
   */
  private async call<T>(op: string, fn: (c: MemoryClient) => Promise<T>, retryNetwork = true): Promise<T> {
    let rateTries = 0;
    let netTries = 0;
    let reauthed = false;
    for (;;) {
      const { client } = await this.connect();
      try {
        return await fn(client);
      } catch (err) {
        const kind = classify(err);
        if (kind === 'rate_limited' && ++rateTries < this.retry.rateLimitAttempts) {
          this.log.warn('mem0.rate_limited', { op, attempt: rateTries });
          await sleep(retryDelay(rateTries, this.retry.baseMs, this.retry.maxMs));
          continue;
        }
        if (retryNetwork && kind === 'network' && ++netTries < this.retry.networkAttempts) {
          await sleep(retryDelay(netTries, this.retry.baseMs / 2, this.retry.maxMs));
          continue;
        }
        if (kind === 'unauthorized' && !reauthed) {
          // The key may have been replaced (apikey set) since this client was made.
          reauthed = true;
          const before = this.client?.key;
          const next = await this.connect(true);
          if (next.key !== before) continue;
        }
        throw this.userError(kind, op, err);
      }
    }
  }

  private userError(kind: Failure, op: string, err: unknown): UserError {
    this.log.warn('mem0.call_failed', { op, kind, backend: this.kind });
    return failureError(kind, op, err, { host: this.host, rateLimitAttempts: this.retry.rateLimitAttempts });
  }

  /** Mem0 v2 filters for a MemoryFilter: entity ids and our metadata inside one AND. */
  private filters(filter: MemoryFilter): Record<string, unknown> {
    const and: Record<string, unknown>[] = [{ user_id: filter.userId }];
    if (filter.projectId !== undefined)
      and.push({ metadata: { [META.project]: filter.projectId ?? NO_PROJECT } });
    if (filter.source) and.push({ metadata: { [META.source]: filter.source } });
    if (filter.conversationId) and.push({ metadata: { [META.conversation]: filter.conversationId } });
    if (filter.since) and.push({ created_at: { gte: isoTime(filter.since, 'since') } });
    if (filter.until) and.push({ created_at: { lt: isoTime(filter.until, 'until') } });
    return { AND: and };
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
    const scope = key ? await this.scopeNow() : this.legacyScope;
    if (key) {
      const known = this.ledger.get(scope, key) ?? this.ledger.get(this.legacyScope, key);
      let lookUp = known !== null;
      let waitMs = 0;
      if (known?.memoryIds) {
        const existing = await this.getMany(known.memoryIds);
        if (existing.length > 0 || known.memoryIds.length === 0) return existing;
        // Stored once, gone now (another project's ids, a wiped target, a deleted copy): add again.
        this.ledger.forget(scope, key);
        lookUp = false;
      } else if (known?.eventId) {
        const results = await this.followEvent(known.eventId, key, scope);
        if (results)
          return this.finish(
            scope,
            key,
            addedResults(results).map((r) => String(r.id ?? r.memory_id)),
          );
      } else if (known) {
        // Attempted, but no event id came back: the add may have reached Mem0 and be PENDING
        // there, invisible to a list until it is processed. Look until that attempt is as old as
        // the poll timeout before adding again.
        waitMs = Math.max(0, known.since + this.poll.timeoutMs - Date.now());
      }
      // Only a retry can find its memory already there (the reply to the first attempt was lost):
      // the first attempt skips this round trip.
      if (lookUp) {
        const existing = await this.awaitByKey(input.userId, key, waitMs);
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
    const options: Record<string, unknown> = {
      userId: input.userId,
      metadata: encodeMetadata(input, createdAt),
      infer: shouldInfer(input),
    };
    if (input.createdAt) options.timestamp = Math.floor(Date.parse(createdAt) / 1000);
    let response: unknown;
    try {
      response = await this.call('add', (c) => c.add(turnMessages(input), options), false);
    } catch (err) {
      // Refused before anything was sent (Mem0 down, no DNS): nothing can be pending there, so the
      // retry need not wait for it.
      if (key && neverSent(err)) this.ledger.forget(scope, key);
      throw err;
    }
    let results: Array<Record<string, unknown>>;
    const body = (response ?? {}) as { eventId?: string; event_id?: string };
    const eventId = Array.isArray(response) ? undefined : (body.eventId ?? body.event_id);
    if (eventId) {
      if (key) this.ledger.recordEvent(scope, key, eventId);
      const followed = await this.followEvent(eventId, key, scope);
      if (!followed)
        throw new UserError(
          'backend_unavailable',
          `Mem0 lost track of add event ${eventId}; it will be sent again.`,
        );
      results = followed;
    } else {
      // Synchronous shape (older API versions): the memories themselves.
      results = resultsOf(response);
    }
    const added = addedResults(results).flatMap((r) => memoryFromResult(r, input, createdAt) ?? []);
    if (key)
      this.ledger.recordDone(
        scope,
        key,
        added.map((m) => m.id),
      );
    this.log.debug('mem0.added', { count: added.length, backend: this.kind });
    return added;
  }

  private async finish(scope: string, key: string | undefined, ids: string[]): Promise<Memory[]> {
    if (key) this.ledger.recordDone(scope, key, ids);
    return this.getMany(ids);
  }

  private async getMany(ids: readonly string[]): Promise<Memory[]> {
    const got = await Promise.all(ids.map((id) => this.get(id)));
    return got.filter((m): m is Memory => m !== null);
  }

  private async findByKey(userId: string, key: string): Promise<Memory[]> {
    const page = await this.call('find', (c) =>
      c.getAll({
        filters: { AND: [{ user_id: userId }, { metadata: { [META.key]: key } }] },
        page: 1,
        pageSize: 50,
      }),
    );
    return resultsOf(page).flatMap((r) => decodeRecord(r) ?? []);
  }

  /** findByKey, repeated with the event poll's backoff until it finds something or waitMs passed. */
  private async awaitByKey(userId: string, key: string, waitMs: number): Promise<Memory[]> {
    const deadline = Date.now() + waitMs;
    let delay = this.poll.firstMs;
    for (;;) {
      const found = await this.findByKey(userId, key);
      if (found.length > 0 || Date.now() >= deadline) return found;
      await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
      delay = Math.min(this.poll.maxMs, Math.ceil(delay * 1.5));
    }
  }

  /** followAddEvent with this backend's key and poll; a lost or failed event clears the key's ledger row. */
  private async followEvent(
    eventId: string,
    key: string | undefined,
    scope: string,
  ): Promise<Array<Record<string, unknown>> | null> {
    const { key: apiKey } = await this.connect();
    return followAddEvent({
      url: `${this.host}/v1/event/${encodeURIComponent(eventId)}/`,
      apiKey,
      eventId,
      poll: this.poll,
      forget: () => {
        if (key) this.ledger.forget(scope, key);
      },
      fail: (kind, err) => this.userError(kind, 'event', err),
    });
  }

  async get(id: string): Promise<Memory | null> {
    try {
      const raw = await this.call('get', (c) => c.get(id));
      return decodeRecord(raw as unknown as Record<string, unknown>);
    } catch (err) {
      if (err instanceof UserError && (err.code === 'not_found' || err.code === 'invalid_input')) return null;
      throw err;
    }
  }

  async update(id: string, patch: MemoryPatch): Promise<Memory> {
    if (patch.text !== undefined && patch.text.trim() === '') {
      throw new UserError('invalid_input', 'A memory needs a non-empty text.');
    }
    const raw = await this.call('get', (c) => c.get(id)).catch((err: unknown) => {
      if (err instanceof UserError && err.code === 'not_found')
        throw new UserError('not_found', `No memory with id ${id}.`);
      throw err;
    });
    const existingMeta = ((raw as { metadata?: Record<string, unknown> | null }).metadata ?? {}) as Record<
      string,
      unknown
    >;
    const body: { text?: string; metadata?: Record<string, unknown> } = {};
    if (patch.text !== undefined) body.text = patch.text;
    if (patch.metadata !== undefined) body.metadata = mergeMetadata(existingMeta, patch.metadata);
    if (body.text === undefined && body.metadata === undefined) {
      const same = decodeRecord(raw as unknown as Record<string, unknown>);
      if (!same) throw new UserError('not_found', `No memory with id ${id}.`);
      return same;
    }
    await this.call('update', (c) => c.update(id, body));
    const updated = await this.get(id);
    if (!updated) throw new UserError('not_found', `No memory with id ${id}.`);
    return updated;
  }

  async delete(id: string): Promise<boolean> {
    try {
      await this.call('delete', (c) => c.delete(id));
      return true;
    } catch (err) {
      if (err instanceof UserError && (err.code === 'not_found' || err.code === 'invalid_input'))
        return false;
      throw err;
    }
  }

  /** One page of Mem0's page-numbered list, or empty past the end (Mem0 answers 404 there). */
  private async page(
    filter: MemoryFilter,
    page: number,
    pageSize: number,
  ): Promise<{ items: Memory[]; count: number }> {
    try {
      const res = await this.call('list', (c) => c.getAll({ filters: this.filters(filter), page, pageSize }));
      const items = resultsOf(res)
        .flatMap((r) => decodeRecord(r) ?? [])
        .filter((m) => matchesFilter(m, filter));
      const count =
        typeof (res as { count?: unknown }).count === 'number'
          ? (res as { count: number }).count
          : items.length;
      return { items, count };
    } catch (err) {
      if (err instanceof UserError && err.code === 'not_found') return { items: [], count: -1 };
      throw err;
    }
  }

  async list(filter: MemoryFilter, options: ListOptions = {}): Promise<Page<Memory>> {
    const limit = clampLimit(options.limit, LIST_LIMIT);
    const offset = options.cursor
      ? decodeOffsetCursor(options.cursor)
      : Math.max(0, Math.floor(options.offset ?? 0));
    // Offsets need not fall on a page boundary: read the page holding it and, if needed, the next.
    const first = Math.floor(offset / limit) + 1;
    const skip = offset % limit;
    const a = await this.page(filter, first, limit);
    let items = a.items;
    let count = a.count;
    if (skip > 0 && a.items.length === limit) {
      const b = await this.page(filter, first + 1, limit);
      items = items.concat(b.items);
      if (count < 0) count = b.count;
    }
    items = items.sort(newestFirst).slice(skip, skip + limit);
    const total = count >= 0 ? count : offset + items.length;
    const page: Page<Memory> = {
      items,
      nextCursor:
        offset + items.length < total && items.length > 0 ? encodeOffsetCursor(offset + items.length) : null,
    };
    if (options.withTotal) page.total = total;
    return page;
  }

  async search(query: string, filter: MemoryFilter, options: SearchOptions = {}): Promise<SearchHit[]> {
    if (queryWords(query).length === 0) return [];
    const limit = clampLimit(options.limit, SEARCH_LIMIT);
    const res = await this.call('search', (c) =>
      c.search(query, { filters: this.filters(filter), topK: limit }),
    );
    const hits: SearchHit[] = [];
    for (const raw of resultsOf(res)) {
      const memory = decodeRecord(raw);
      if (!memory || !matchesFilter(memory, filter)) continue;
      const score = typeof raw.score === 'number' ? raw.score : 0;
      hits.push({ memory, score, snippet: textExcerpt(memory.text, query) });
    }
    return hits.sort((x, y) => y.score - x.score).slice(0, limit);
  }

  async history(id: string): Promise<HistoryEntry[]> {
    let rows: unknown;
    try {
      rows = await this.call('history', (c) => c.history(id));
    } catch (err) {
      if (err instanceof UserError && (err.code === 'not_found' || err.code === 'invalid_input')) return [];
      throw err;
    }
    if (!Array.isArray(rows)) return [];
    const fallbackOwner = rows.some(
      (r) => !(r as { userId?: string; user_id?: string }).userId && !(r as { user_id?: string }).user_id,
    )
      ? ((await this.get(id))?.userId ?? '')
      : '';
    return rows.flatMap((r) => decodeHistory(r as Record<string, unknown>, id, fallbackOwner) ?? []);
  }

  async deleteAllOfUser(userId: string): Promise<number> {
    const { count } = await this.page({ userId }, 1, 1);
    await this.call('deleteAll', (c) => c.deleteAll({ userId }));
    return Math.max(0, count);
  }

  async *export(filter: MemoryFilter): AsyncIterable<Memory> {
    const size = 100;
    const { count } = await this.page(filter, 1, 1);
    // Mem0 lists newest first: walk the pages from the last one to give oldest first.
    for (let p = Math.ceil(Math.max(0, count) / size); p >= 1; p--) {
      const { items } = await this.page(filter, p, size);
      for (const m of items.sort(newestFirst).reverse()) yield m;
    }
  }

  async close(): Promise<void> {
    // The SDK keeps no connections open; nothing to release.
    this.client = null;
  }
}
