// Memories in the Mem0 Platform (api.mem0.ai or a compatible host) through the mem0ai SDK's
// MemoryClient. Captured turns go in as user/assistant messages so Mem0 extracts the memories;
// adds are asynchronous there (PENDING + event_id), so add() follows the event to its end.
import type { MemoryClient } from 'mem0ai';
import { isoTime } from './filter-sql.js';
import { textExcerpt } from './excerpt.js';
import { UserError, describeError } from '../errors.js';
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
  credentialTag,
  matchesFilter,
  memoryAddLedger,
  memoryFromResult,
  mergeMetadata,
  newestFirst,
  queryWords,
  shouldInfer,
  sleep,
  turnMessages,
  validateNewMemory,
  type AddLedger,
} from './mem0-records.js';

const importSdk = () => import('mem0ai');
type Mem0Sdk = Awaited<ReturnType<typeof importSdk>>;
let sdk: Promise<Mem0Sdk> | null = null;

/**
 * Loads the SDK once per process. Its telemetry switch (MEM0_TELEMETRY, read when the module is
 * evaluated, "false" turns it off) must be set before that first load, hence the dynamic import.
 * A later change of the mem0Telemetry setting takes effect after a restart.
 */
export function loadMem0Sdk(telemetry: boolean, env: NodeJS.ProcessEnv = process.env): Promise<Mem0Sdk> {
  if (!sdk) {
    if (!telemetry) env.MEM0_TELEMETRY = 'false';
    sdk = importSdk();
  }
  return sdk;
}

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

type Failure = 'unauthorized' | 'rate_limited' | 'network' | 'not_found' | 'invalid' | 'server';

function classify(err: unknown): Failure {
  const name = (err as { name?: string } | undefined)?.name ?? '';
  const message = describeError(err);
  if (name === 'AuthenticationError') return 'unauthorized';
  if (name === 'RateLimitError') return 'rate_limited';
  if (name === 'NetworkError') return 'network';
  if (name === 'MemoryNotFoundError') return 'not_found';
  if (name === 'ValidationError' || name === 'MemoryQuotaExceededError') return 'invalid';
  if (
    err instanceof TypeError ||
    /fetch failed|Failed to ping server|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|socket/i.test(message)
  ) {
    return 'network';
  }
  return 'server';
}

const retryDelay = (attempt: number, baseMs: number, maxMs: number) =>
  Math.min(maxMs, baseMs * 2 ** attempt) * (0.5 + Math.random() / 2);

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
    switch (kind) {
      case 'unauthorized':
        return new UserError(
          'unauthorized',
          'The Mem0 API key was rejected: run "mem0-tray apikey set" with a valid key from app.mem0.ai.',
        );
      case 'rate_limited':
        return new UserError(
          'backend_unavailable',
          `Mem0 is limiting requests (HTTP 429) and still was after ${this.retry.rateLimitAttempts} tries: wait a minute and try again; captured turns stay queued.`,
        );
      case 'network':
        return new UserError(
          'backend_unavailable',
          `Cannot reach Mem0 at ${this.host} (${describeError(err)}): check the network or the mem0Host setting; captured turns stay queued until it is back.`,
          { cause: err },
        );
      case 'not_found':
        return new UserError('not_found', `Mem0 has no such memory (${op}).`);
      case 'invalid':
        return new UserError(
          'invalid_input',
          `Mem0 refused the ${op} request (${(err as { errorCode?: string }).errorCode ?? 'invalid'}).`,
        );
      default:
        return new UserError(
          'backend_unavailable',
          `Mem0 failed on ${op} (${(err as { errorCode?: string }).errorCode ?? describeError(err)}); try again later.`,
        );
    }
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

  /**
   * Polls GET /v1/event/{id}/ (the SDK has no call for it) until SUCCEEDED or FAILED. Returns the
   * event's results, or null when Mem0 no longer knows the event. Giving up for now (timeout, network)
   * throws; the ledger keeps the event id so the retry follows the same event.
   */
  private async followEvent(
    eventId: string,
    key: string | undefined,
    scope: string,
  ): Promise<Array<Record<string, unknown>> | null> {
    const { key: apiKey } = await this.connect();
    const url = `${this.host}/v1/event/${encodeURIComponent(eventId)}/`;
    const deadline = Date.now() + this.poll.timeoutMs;
    let delay = this.poll.firstMs;
    let networkFailures = 0;
    for (;;) {
      await sleep(delay);
      delay = Math.min(this.poll.maxMs, Math.ceil(delay * 1.5));
      let res: Response;
      try {
        res = await fetch(url, { headers: { Authorization: `Token ${apiKey}`, Accept: 'application/json' } });
        networkFailures = 0;
      } catch (err) {
        if (++networkFailures >= 3) throw this.userError('network', 'event', err);
        continue;
      }
      if (res.status === 401 || res.status === 403) throw this.userError('unauthorized', 'event', null);
      if (res.status === 404) {
        if (key) this.ledger.forget(scope, key);
        return null;
      }
      if (res.ok) {
        const event = (await res.json()) as { status?: string; results?: unknown };
        const status = String(event.status ?? '').toUpperCase();
        if (status === 'SUCCEEDED')
          return Array.isArray(event.results) ? (event.results as Array<Record<string, unknown>>) : [];
        if (status === 'FAILED') {
          if (key) this.ledger.forget(scope, key);
          throw new UserError(
            'failure',
            `Mem0 could not process the memory (event ${eventId} failed); it will be sent again.`,
          );
        }
      } else {
        await res.body?.cancel();
      }
      if (Date.now() > deadline) {
        throw new UserError(
          'backend_unavailable',
          `Mem0 is still processing event ${eventId}; it will be checked again later.`,
        );
      }
    }
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

/** Connection errors that happen before a request is written: it cannot have reached Mem0. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function neverSent(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && NOT_SENT.has(e.code)) return true;
  if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((x) => neverSent(x, depth + 1)))
    return true;
  return neverSent(e.cause, depth + 1);
}

function resultsOf(res: unknown): Record<string, unknown>[] {
  if (Array.isArray(res)) return res as Record<string, unknown>[];
  const results = (res as { results?: unknown } | null)?.results;
  return Array.isArray(results) ? (results as Record<string, unknown>[]) : [];
}

/** The results of an add that are memories now (ADD/UPDATE; NOOP and DELETE make none), once each. */
function addedResults(results: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const seen = new Set<string>();
  return results.filter((r) => {
    const event = String(r.event ?? 'ADD').toUpperCase();
    const id = typeof r.id === 'string' ? r.id : typeof r.memory_id === 'string' ? r.memory_id : null;
    if (!id || seen.has(id) || (event !== 'ADD' && event !== 'UPDATE')) return false;
    seen.add(id);
    return true;
  });
}
