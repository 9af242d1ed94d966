// What the two Mem0 backends share: how a Mem0 Tray memory is written into a Mem0 record (our
// provenance fields travel as reserved metadata keys) and read back, client-side filters, query
// words and offset cursors. The add ledger that makes add() safe to retry is mem0-add-ledger.ts.
import { isoTime } from './filter-sql.js';
import { UserError } from '../errors.js';
import {
  MEMORY_SOURCES,
  type HistoryEntry,
  type Memory,
  type MemoryFilter,
  type MemorySource,
  type Metadata,
  type NewMemory,
} from './types.js';

/**
 * Our fields inside Mem0's metadata. Mem0 has entity ids (user/agent/app/run) but nothing for a
 * project or a conversation, and run_id/app_id partition entities (a user-only filter would stop
 * seeing them), so project and conversation go into metadata, where both APIs can filter on them.
 */
export const META = {
  project: 'tray_project_id',
  conversation: 'tray_conversation_id',
  source: 'tray_source',
  model: 'tray_model',
  key: 'tray_idempotency_key',
  createdAt: 'tray_created_at',
} as const;
const RESERVED = new Set<string>(Object.values(META));
/** Stored for "no project" so that it can be filtered on with plain equality. */
export const NO_PROJECT = '';

export interface TurnMessage {
  role: 'user' | 'assistant';
  content: string;
}

export function validateNewMemory(input: NewMemory): void {
  if (typeof input.text !== 'string' || input.text.trim() === '') {
    throw new UserError('invalid_input', 'A memory needs a non-empty text.');
  }
  if (!input.userId) throw new UserError('invalid_input', 'A memory needs a user id.');
}

/** Mem0 metadata for a new memory: the caller's metadata plus our reserved keys. */
export function encodeMetadata(input: NewMemory, createdAt: string): Metadata {
  const own = Object.fromEntries(Object.entries(input.metadata ?? {}).filter(([k]) => !RESERVED.has(k)));
  const meta: Metadata = {
    ...own,
    [META.project]: input.projectId ?? NO_PROJECT,
    [META.source]: input.source,
    [META.createdAt]: createdAt,
  };
  if (input.conversationId) meta[META.conversation] = input.conversationId;
  if (input.model) meta[META.model] = input.model;
  if (input.idempotencyKey) meta[META.key] = input.idempotencyKey;
  return meta;
}

/** Keeps our reserved keys of an existing record when the caller replaces its metadata. */
export function mergeMetadata(existing: Metadata, patch: Metadata): Metadata {
  const own = Object.fromEntries(Object.entries(patch).filter(([k]) => !RESERVED.has(k)));
  const reserved = Object.fromEntries(Object.entries(existing).filter(([k]) => RESERVED.has(k)));
  return { ...own, ...reserved };
}

/**
 * The messages Mem0 extracts memories from. A captured turn may carry its two sides as
 * `messages` (the capture pipeline's structured turn); otherwise the text is one user message.
 */
export function turnMessages(input: NewMemory): TurnMessage[] {
  const maybe = (input as NewMemory & { messages?: unknown }).messages;
  if (Array.isArray(maybe)) {
    const turns = maybe.filter(
      (m): m is TurnMessage =>
        !!m &&
        typeof m === 'object' &&
        ((m as TurnMessage).role === 'user' || (m as TurnMessage).role === 'assistant') &&
        typeof (m as TurnMessage).content === 'string' &&
        (m as TurnMessage).content.trim() !== '',
    );
    if (turns.length > 0) return turns;
  }
  return [{ role: 'user', content: input.text }];
}

/**
 * Captured turns are for Mem0 to extract from; anything else is already a memory, stored as is.
 * `infer: false` (migrations, restores) stores even a captured turn's memory verbatim.
 */
export function shouldInfer(input: NewMemory): boolean {
  if ((input as NewMemory & { infer?: unknown }).infer === false) return false;
  return input.source === 'proxy' || input.source === 'gateway';
}

type Raw = Record<string, unknown>;

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function pick(raw: Raw, snake: string, camel: string): unknown {
  return raw[snake] ?? raw[camel];
}

function toIso(v: unknown, fallback: string): string {
  if (typeof v === 'string' || v instanceof Date) {
    const t = new Date(v).getTime();
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  return fallback;
}

/**
 * A Mem0 record (snake_case from the REST APIs, camelCase from the mem0ai SDK) as a Memory.
 * Memories written by other Mem0 clients have none of our keys: they read as source "import".
 */
export function decodeRecord(raw: Raw): Memory | null {
  const id = str(raw.id);
  const text = str(raw.memory) ?? str((raw.data as Raw | undefined)?.memory) ?? str(raw.text);
  if (!id || text === null) return null;
  const metaRaw = raw.metadata;
  const meta: Metadata =
    metaRaw && typeof metaRaw === 'object' && !Array.isArray(metaRaw) ? (metaRaw as Metadata) : {};
  const own = Object.fromEntries(Object.entries(meta).filter(([k]) => !RESERVED.has(k)));
  const source = MEMORY_SOURCES.includes(meta[META.source] as MemorySource)
    ? (meta[META.source] as MemorySource)
    : 'import';
  const serverCreated = toIso(pick(raw, 'created_at', 'createdAt'), new Date(0).toISOString());
  const createdAt = toIso(meta[META.createdAt], serverCreated);
  const updatedRaw = pick(raw, 'updated_at', 'updatedAt');
  let updatedAt = toIso(updatedRaw, createdAt);
  if (updatedAt < createdAt) updatedAt = createdAt;
  return {
    id,
    userId: str(pick(raw, 'user_id', 'userId')) ?? '',
    projectId: str(meta[META.project]),
    text,
    source,
    conversationId: str(meta[META.conversation]),
    model: str(meta[META.model]),
    metadata: own,
    createdAt,
    updatedAt,
  };
}

/**
 * The Memory an add just created, from the add's (or its event's) result and what we sent: saves
 * a GET per memory on the capture path. The text is Mem0's (it may have rewritten it).
 */
export function memoryFromResult(result: Raw, input: NewMemory, createdAt: string): Memory | null {
  const id = str(result.id) ?? str(result.memory_id);
  const text = str(result.memory) ?? str((result.data as Raw | undefined)?.memory);
  if (!id || text === null) return null;
  const own = Object.fromEntries(Object.entries(input.metadata ?? {}).filter(([k]) => !RESERVED.has(k)));
  return {
    id,
    userId: input.userId,
    projectId: input.projectId ?? null,
    text,
    source: input.source,
    conversationId: input.conversationId ?? null,
    model: input.model ?? null,
    metadata: own,
    createdAt,
    updatedAt: createdAt,
  };
}

export function idempotencyKeyOf(raw: Raw): string | null {
  const meta = raw.metadata as Raw | undefined;
  return meta && typeof meta === 'object' ? str(meta[META.key]) : null;
}

/** A Mem0 history row (either spelling) as a HistoryEntry of the given owner. */
export function decodeHistory(raw: Raw, memoryId: string, userId: string): HistoryEntry | null {
  const event = String(raw.event ?? '').toUpperCase();
  if (event !== 'ADD' && event !== 'UPDATE' && event !== 'DELETE') return null;
  const oldText = pick(raw, 'old_memory', 'oldMemory');
  const newText = pick(raw, 'new_memory', 'newMemory');
  return {
    id: str(raw.id) ?? `${memoryId}:${event}`,
    memoryId: str(pick(raw, 'memory_id', 'memoryId')) ?? memoryId,
    userId: str(pick(raw, 'user_id', 'userId')) ?? userId,
    event,
    oldText: typeof oldText === 'string' ? oldText : null,
    newText: typeof newText === 'string' ? newText : null,
    createdAt: toIso(pick(raw, 'created_at', 'createdAt'), new Date().toISOString()),
  };
}

/** The MemoryFilter checks a backend cannot push to its server. */
export function matchesFilter(m: Memory, filter: MemoryFilter): boolean {
  if (m.userId !== filter.userId) return false;
  if (filter.projectId !== undefined && m.projectId !== (filter.projectId || null)) return false;
  if (filter.source && m.source !== filter.source) return false;
  if (filter.conversationId && m.conversationId !== filter.conversationId) return false;
  if (filter.since && m.createdAt < isoTime(filter.since, 'since')) return false;
  if (filter.until && m.createdAt >= isoTime(filter.until, 'until')) return false;
  return true;
}

/** The records of a reply: a bare array, or one under `results` (either API version). */
export function resultsOf(res: unknown): Record<string, unknown>[] {
  if (Array.isArray(res)) return res as Record<string, unknown>[];
  const results = (res as { results?: unknown } | null)?.results;
  return Array.isArray(results) ? (results as Record<string, unknown>[]) : [];
}

/** Newest first, ties by id so pages never overlap. */
export function newestFirst(a: Memory, b: Memory): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

const WORD = /[\p{L}\p{N}_]+/gu;

export function queryWords(query: string): string[] {
  return (query.normalize('NFKC').toLowerCase().match(WORD) ?? []).slice(0, 32);
}

/** Remote lists page by offset; the cursor hides that (and is validated like the local one). */
export function encodeOffsetCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

export function decodeOffsetCursor(cursor: string): number {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0) return v.o;
  } catch {
    // fall through
  }
  throw new UserError('invalid_input', 'The page cursor is not valid: start again from the first page.');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
