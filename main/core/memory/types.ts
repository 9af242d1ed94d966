// The MemoryBackend contract: one interface that the local SQLite store and the Mem0 backends
// implement side by side. Ownership checks live above it (memory/service.ts); a backend stores and
// finds, and always reports the owner of what it returns.
import type { BackendKind } from '../config/settings.js';
import { MEMORY_SOURCES } from './input-schema.js';

export { MEMORY_SOURCES };
export type MemorySource = (typeof MEMORY_SOURCES)[number];

export type Metadata = Record<string, unknown>;

export interface Memory {
  id: string;
  userId: string;
  projectId: string | null;
  text: string;
  source: MemorySource;
  conversationId: string | null;
  model: string | null;
  metadata: Metadata;
  /** ISO 8601, UTC. */
  createdAt: string;
  updatedAt: string;
}

export interface NewMemory {
  userId: string;
  text: string;
  source: MemorySource;
  projectId?: string | null;
  conversationId?: string | null;
  model?: string | null;
  metadata?: Metadata;
  /** Keeps the original time when importing or migrating. */
  createdAt?: string;
  /**
   * Makes add() safe to retry: a second add with the same key returns the memories of the first
   * instead of creating new ones (outbox retries, migrations).
   */
  idempotencyKey?: string;
  /**
   * The exchange a memory comes from, for backends that extract memories themselves (Mem0): the
   * user's words and Claude's answer. The local store keeps `text` as it is.
   */
  messages?: Array<{ role: 'user' | 'assistant'; content: string }>;
  /** Let a Mem0 backend extract memories (true for captures); false stores `text` verbatim. */
  infer?: boolean;
}

export interface MemoryPatch {
  text?: string;
  metadata?: Metadata;
}

export interface MemoryFilter {
  userId: string;
  /** undefined = every project; null = memories with no project. */
  projectId?: string | null;
  source?: MemorySource;
  conversationId?: string;
  /** Inclusive lower / exclusive upper bound on createdAt (ISO 8601). */
  since?: string;
  until?: string;
}

export interface ListOptions {
  limit?: number;
  /** Opaque keyset cursor from a previous page (stable while memories are added). */
  cursor?: string | null;
  /** Row offset, for random access by a virtualised list. Ignored when cursor is given. */
  offset?: number;
  /** Also count every match (costs one extra query). */
  withTotal?: boolean;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total?: number;
  /**
   * True when the backend could not read every match (a self-hosted Mem0 server capped its reply
   * and cannot page): `total` is then a lower bound and memories beyond it are missing.
   */
  incomplete?: boolean;
}

export interface SearchOptions {
  limit?: number;
  /** Treat the last word as a prefix (search as you type). */
  prefix?: boolean;
  /**
   * A keystroke's live results, replaced by a full search once typing pauses: the local store then
   * ranks the newest PREVIEW_RANK_WINDOW matches instead of RANK_WINDOW (BM25 is per match).
   */
  preview?: boolean;
}

export interface SearchHit {
  memory: Memory;
  /** Higher is better. */
  score: number;
  /** A short excerpt of the memory's text and where the query matched in it. */
  snippet: Excerpt;
  /**
   * How much of the query the hit holds, where the backend can tell (the local store): how many of
   * the query's words it holds, their summed weight (idf), and the weight of all the query's words.
   * Recall without asking (Claude Code's hooks) hands out only hits that hold enough.
   */
  matched?: { words: number; weight: number; of: number };
}

/**
 * Part of a memory's text, as shown for a search hit, with '…' where it was cut. Matches are
 * [start, end) offsets in UTF-16 code units of `text`, ordered and non-overlapping: ranges rather
 * than marks in the text, so any character of a memory is shown as it is.
 */
export interface Excerpt {
  text: string;
  matches: Array<[start: number, end: number]>;
}

export interface ProjectCount {
  projectId: string | null;
  count: number;
}

export type HistoryEvent = 'ADD' | 'UPDATE' | 'DELETE';

export interface HistoryEntry {
  id: string;
  memoryId: string;
  userId: string;
  event: HistoryEvent;
  oldText: string | null;
  newText: string | null;
  createdAt: string;
}

export interface MemoryBackend {
  readonly kind: BackendKind;
  /** Remote backends may extract several memories (or none) from one input. */
  add(input: NewMemory): Promise<Memory[]>;
  get(id: string): Promise<Memory | null>;
  update(id: string, patch: MemoryPatch): Promise<Memory>;
  /** false when there was nothing to delete. */
  delete(id: string): Promise<boolean>;
  list(filter: MemoryFilter, options?: ListOptions): Promise<Page<Memory>>;
  search(query: string, filter: MemoryFilter, options?: SearchOptions): Promise<SearchHit[]>;
  history(id: string): Promise<HistoryEntry[]>;
  /** Forgets a user: every memory and its history. Returns how many memories were deleted. */
  deleteAllOfUser(userId: string): Promise<number>;
  /**
   * Every memory matching the filter, oldest first, in batches (constant memory). Throws after the
   * last memory it could read when it could not read them all, so no caller takes a part for all.
   */
  export(filter: MemoryFilter): AsyncIterable<Memory>;
  /**
   * The owner's projects with their counts, most first (the UI's project filter). Left out by a
   * backend that could only count by reading every memory.
   */
  projects?(userId: string): Promise<ProjectCount[]>;
  /**
   * Which store this is, for remembering what was copied where: the kind plus the host or URL and
   * a hash of the credential (never the credential). Two projects on one host differ.
   */
  identity?(): Promise<string>;
  close(): Promise<void>;
}

export const LIST_LIMIT = { default: 50, max: 500 } as const;
export const SEARCH_LIMIT = { default: 10, max: 100 } as const;

export function clampLimit(value: number | undefined, bounds: { default: number; max: number }): number {
  if (value === undefined || !Number.isFinite(value)) return bounds.default;
  return Math.max(1, Math.min(bounds.max, Math.floor(value)));
}
