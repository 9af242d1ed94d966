// Every read and change of a memory goes through here, from REST, MCP, the UI and the CLI: the
// owner is checked on every id-based call, scope filters always carry the caller's user id, and
// each access is announced (the audit log listens).
import type { z } from 'zod';
import type { Db } from '../db/database.js';
import { UserError } from '../errors.js';
import type { AccessAction, Caller, CoreEvents } from '../events.js';
import {
  describeInputIssue,
  memoryPatchFields,
  newMemoryFields,
  restoredMemoryFields,
} from './input-schema.js';
import { LocalMemoryBackend } from './local-backend.js';
import { reciprocalRankFusion } from './search/fusion.js';
import {
  clampLimit,
  SEARCH_LIMIT,
  type HistoryEntry,
  type ListOptions,
  type Memory,
  type MemoryBackend,
  type MemoryFilter,
  type MemoryPatch,
  type NewMemory,
  type Page,
  type ProjectCount,
  type SearchHit,
  type SearchOptions,
} from './types.js';

export type ScopeFilter = Omit<MemoryFilter, 'userId'>;

/** `audit: false`: a read for a caller that is not yet a hand-out (see recalled()). */
export interface Quiet {
  audit?: boolean;
}

/** A memory with its history, as an export hands it out. */
export interface MemoryWithHistory {
  memory: Memory;
  history: HistoryEntry[];
}

/** The input after the one memory input schema (input-schema.ts), or invalid_input naming the field. */
function checked<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new UserError('invalid_input', `Invalid memory: ${describeInputIssue(result.error)}.`);
}

export function accessDenied(memoryId: string, userId: string): UserError {
  return new UserError(
    'access_denied',
    `Access denied: Memory ${memoryId} does not belong to user ${userId}`,
  );
}

/** Histories exportWithHistory reads at once. */
const HISTORY_READ_AHEAD = 8;

/** Writes one memory inside a transaction the caller holds (see MemoryService.transactionalAdd). */
export type TransactionalAdd = (input: NewMemory) => Memory;

export class MemoryService {
  constructor(
    private readonly backend: () => MemoryBackend,
    private readonly events: CoreEvents,
  ) {}

  get kind() {
    return this.backend().kind;
  }

  private audit(
    caller: Caller,
    action: AccessAction,
    memoryIds: string[],
    count: number,
    outcome: 'ok' | 'denied' | 'not_found' = 'ok',
  ) {
    this.events.emit('memory.access', { caller, action, memoryIds, count, outcome });
  }

  /** The memory if it exists and belongs to the caller; otherwise not_found or access_denied. */
  private async owned(caller: Caller, id: string, action: AccessAction): Promise<Memory> {
    const memory = await this.backend().get(id);
    if (!memory) {
      this.audit(caller, action, [id], 0, 'not_found');
      throw new UserError('not_found', `No memory with id ${id}.`);
    }
    if (memory.userId !== caller.userId) {
      this.audit(caller, action, [id], 0, 'denied');
      throw accessDenied(id, caller.userId);
    }
    return memory;
  }

  async add(caller: Caller, input: Omit<NewMemory, 'userId'>): Promise<Memory[]> {
    return this.insert(caller, input, checked(newMemoryFields, input));
  }

  /** Puts back a memory the caller deleted, as it was (see restoredMemoryFields). */
  async restore(caller: Caller, input: Omit<NewMemory, 'userId'>): Promise<Memory[]> {
    return this.insert(caller, { ...input, infer: false }, checked(restoredMemoryFields, input));
  }

  private async insert(
    caller: Caller,
    input: Omit<NewMemory, 'userId'>,
    fields: Partial<NewMemory>,
  ): Promise<Memory[]> {
    const added = await this.backend().add({ ...input, ...fields, userId: caller.userId });
    this.audit(
      caller,
      'create',
      added.map((m) => m.id),
      added.length,
    );
    if (added.length > 0) this.events.emit('memory.added', added, caller);
    return added;
  }

  async get(caller: Caller, id: string): Promise<Memory> {
    const memory = await this.owned(caller, id, 'read');
    this.audit(caller, 'read', [id], 1);
    return memory;
  }

  async update(caller: Caller, id: string, patch: MemoryPatch): Promise<Memory> {
    const fields: MemoryPatch = checked(memoryPatchFields, patch);
    await this.owned(caller, id, 'update');
    const updated = await this.backend().update(id, fields);
    this.audit(caller, 'update', [id], 1);
    this.events.emit('memory.updated', updated, caller);
    return updated;
  }

  async delete(caller: Caller, id: string): Promise<void> {
    await this.owned(caller, id, 'delete');
    await this.backend().delete(id);
    this.audit(caller, 'delete', [id], 1);
    this.events.emit('memory.deleted', [id], caller);
  }

  /** Deletes each id the caller owns; reports the rest without deleting anything of anyone else. */
  async deleteMany(
    caller: Caller,
    ids: readonly string[],
  ): Promise<{ deleted: string[]; denied: string[]; missing: string[] }> {
    const deleted: string[] = [];
    const denied: string[] = [];
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const memory = await this.backend().get(id);
      if (!memory) missing.push(id);
      else if (memory.userId !== caller.userId) denied.push(id);
      else if (await this.backend().delete(id)) deleted.push(id);
      else missing.push(id);
    }
    this.audit(caller, 'delete', deleted, deleted.length);
    if (denied.length) this.audit(caller, 'delete', denied, 0, 'denied');
    if (deleted.length) this.events.emit('memory.deleted', deleted, caller);
    return { deleted, denied, missing };
  }

  async list(
    caller: Caller,
    scope: ScopeFilter = {},
    options?: ListOptions,
    { audit = true }: Quiet = {},
  ): Promise<Page<Memory>> {
    const page = await this.backend().list({ ...scope, userId: caller.userId }, options);
    if (!audit) return page;
    // The ids say who read which memory (the audit log and each memory's access log); no text.
    this.audit(
      caller,
      'list',
      page.items.map((m) => m.id),
      page.items.length,
    );
    return page;
  }

  /**
   * Searches for one query, or for several phrasings of it together: each phrasing is searched on
   * its own and the lists are fused (reciprocal rank fusion), so a memory that several phrasings
   * find comes first.
   */
  async search(
    caller: Caller,
    query: string | readonly string[],
    scope: ScopeFilter = {},
    options: SearchOptions = {},
    { audit = true }: Quiet = {},
  ): Promise<SearchHit[]> {
    const phrasings = [...new Set((typeof query === 'string' ? [query] : query).map((q) => q.trim()))].filter(
      (q) => q !== '',
    );
    const filter = { ...scope, userId: caller.userId };
    const lists = await Promise.all(phrasings.map((q) => this.backend().search(q, filter, options)));
    const hits =
      lists.length === 1
        ? lists[0]!
        : reciprocalRankFusion(lists, (h) => h.memory.id)
            .slice(0, clampLimit(options.limit, SEARCH_LIMIT))
            .map(({ item, score }) => ({ ...item, score }));
    if (!audit) return hits;
    this.audit(
      caller,
      'search',
      hits.map((h) => h.memory.id),
      hits.length,
    );
    return hits;
  }

  /**
   * Memories handed to a client that did not ask for them (Claude Code's hooks), read before with
   * `{ audit: false }`: the audit log and each memory's access log hold exactly the ids given.
   */
  recalled(caller: Caller, ids: readonly string[]): void {
    if (ids.length > 0) this.audit(caller, 'recall', [...ids], ids.length);
  }

  async history(caller: Caller, id: string): Promise<HistoryEntry[]> {
    const memory = await this.backend().get(id);
    if (memory && memory.userId !== caller.userId) {
      this.audit(caller, 'history', [id], 0, 'denied');
      throw accessDenied(id, caller.userId);
    }
    const entries = await this.backend().history(id);
    // A deleted memory's history is still the owner's to read, and only the owner's.
    if (!memory && entries.some((e) => e.userId !== caller.userId)) {
      this.audit(caller, 'history', [id], 0, 'denied');
      throw accessDenied(id, caller.userId);
    }
    if (!memory && entries.length === 0) {
      this.audit(caller, 'history', [id], 0, 'not_found');
      throw new UserError('not_found', `No memory with id ${id}.`);
    }
    this.audit(caller, 'history', [id], entries.length);
    return entries;
  }

  /**
   * Announced when the export ends, with the id of every memory handed out — also when the reader
   * stops early (the audit log splits long id lists over several rows).
   */
  async *export(caller: Caller, scope: ScopeFilter = {}): AsyncIterable<Memory> {
    const ids: string[] = [];
    try {
      for await (const memory of this.backend().export({ ...scope, userId: caller.userId })) {
        ids.push(memory.id);
        yield memory;
      }
    } finally {
      this.audit(caller, 'export', ids, ids.length);
    }
  }

  /** Forgets every memory (and its history) of the caller. */
  async forget(caller: Caller): Promise<number> {
    const n = await this.backend().deleteAllOfUser(caller.userId);
    this.audit(caller, 'forget', [], n);
    this.events.emit('memory.deleted', [], caller);
    return n;
  }

  // ---------- whole-store reads: projects, export with history ----------

  /**
   * The caller's projects with how many memories each holds, most first; empty where the backend
   * cannot count them without reading every memory (the Mem0 backends).
   */
  async projects(caller: Caller): Promise<ProjectCount[]> {
    return (await this.backend().projects?.(caller.userId)) ?? [];
  }

  /**
   * export() with each memory's history. The history is read from the backend without a check of
   * its own: the memory came from the caller's own export, and the export is audited as a whole.
   */
  async *exportWithHistory(caller: Caller, scope: ScopeFilter = {}): AsyncIterable<MemoryWithHistory> {
    // A remote backend answers each history in a round trip: a few are read ahead, in order.
    const backend = this.backend();
    const ahead: Array<Promise<MemoryWithHistory>> = [];
    for await (const memory of this.export(caller, scope)) {
      const read = backend.history(memory.id).then((history) => ({ memory, history }));
      // Awaited below in its turn; until then a failure must not count as unhandled.
      read.catch(() => {});
      ahead.push(read);
      if (ahead.length >= HISTORY_READ_AHEAD) yield await ahead.shift()!;
    }
    while (ahead.length > 0) yield await ahead.shift()!;
  }

  // ---------- writes inside the caller's transaction (capture) ----------

  /**
   * How a system writer (the capture pipeline) stores a memory in the same transaction as its own
   * records, when the active backend keeps its memories in `db`: the memory then commits, or rolls
   * back, with them, which is what makes a turn stored exactly once. Null when the backend lives
   * elsewhere (a Mem0 service): the caller queues the memory in its durable outbox instead.
   * Nothing is announced here: the caller announces what it wrote once its transaction committed.
   */
  transactionalAdd(db: Db): TransactionalAdd | null {
    const backend = this.backend();
    if (!(backend instanceof LocalMemoryBackend) || !backend.sharesDatabase(db)) return null;
    return (input) => {
      if (!db.inTransaction) throw new Error('transactionalAdd needs a transaction open on its database');
      return backend.addWithinTransaction(input);
    };
  }
}
