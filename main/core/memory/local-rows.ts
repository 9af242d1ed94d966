// The local store's rows as the MemoryBackend types, and its keyset page cursors.
import { UserError } from '../errors.js';
import type { HistoryEntry, Memory, MemorySource } from './types.js';

export interface MemoryRow {
  seq: number;
  id: string;
  user_id: string;
  project_id: string | null;
  text: string;
  source: string;
  conversation_id: string | null;
  model: string | null;
  metadata: string;
  created_at: string;
  updated_at: string;
  tokens: number;
}

export interface HistoryRow {
  id: string;
  memory_id: string;
  user_id: string;
  event: HistoryEntry['event'];
  old_text: string | null;
  new_text: string | null;
  created_at: string;
}

export const MEMORY_COLUMNS =
  'seq, id, user_id, project_id, text, source, conversation_id, model, metadata, created_at, updated_at, tokens';

export function toMemory(row: MemoryRow): Memory {
  let metadata: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(row.metadata) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      metadata = parsed as Record<string, unknown>;
  } catch {
    // metadata is written by us as JSON; an unreadable value is shown as empty rather than failing the read
  }
  return {
    id: row.id,
    userId: row.user_id,
    projectId: row.project_id,
    text: row.text,
    source: row.source as MemorySource,
    conversationId: row.conversation_id,
    model: row.model,
    metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A row as the search index knows it. */
export function indexed(row: MemoryRow) {
  return { seq: row.seq, userId: row.user_id, projectId: row.project_id, tokens: row.tokens };
}

export function toHistory(row: HistoryRow): HistoryEntry {
  return {
    id: row.id,
    memoryId: row.memory_id,
    userId: row.user_id,
    event: row.event,
    oldText: row.old_text,
    newText: row.new_text,
    createdAt: row.created_at,
  };
}

export function encodeCursor(row: { created_at: string; seq: number }): string {
  return Buffer.from(JSON.stringify([row.created_at, row.seq])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, number] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'number') {
      return [value[0], value[1]];
    }
  } catch {
    // fall through to the error below
  }
  throw new UserError('invalid_input', 'The page cursor is not valid: start again from the first page.');
}
