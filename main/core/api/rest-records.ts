// The wire shapes of the REST API, as the self-hosted Mem0 server answers them (mem0 server/main.py,
// v1.1 output format): memories as {id, memory, hash, metadata, created_at, updated_at, user_id},
// lists and searches wrapped in {"results": [...]}, history rows with old_memory/new_memory.
// Our own fields (project_id, source) are added next to them; Mem0 clients ignore unknown keys.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UserError } from '../errors.js';
import {
  describeInputIssue,
  MEMORY_LIMITS,
  memoryMetadata,
  memoryProject,
  memoryText,
} from '../memory/input-schema.js';
import type { HistoryEntry, Memory, SearchHit } from '../memory/types.js';

export interface MemoryRecord {
  id: string;
  memory: string;
  hash: string;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string | null;
  user_id: string;
  project_id: string | null;
  source: string;
}

export function toRecord(m: Memory): MemoryRecord {
  return {
    id: m.id,
    memory: m.text,
    // Mem0 identifies a memory's content by the MD5 of its text; kept for client compatibility.
    hash: createHash('md5').update(m.text).digest('hex'),
    metadata: m.metadata,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
    user_id: m.userId,
    project_id: m.projectId,
    source: m.source,
  };
}

export function toSearchRecord(h: SearchHit): MemoryRecord & { score: number } {
  return { ...toRecord(h.memory), score: h.score };
}

export function toHistoryRecord(h: HistoryEntry) {
  return {
    id: h.id,
    memory_id: h.memoryId,
    old_memory: h.oldText,
    new_memory: h.newText,
    event: h.event,
    created_at: h.createdAt,
    updated_at: null,
    is_deleted: h.event === 'DELETE' ? 1 : 0,
    actor_id: null,
    role: null,
  };
}

// The memory's own fields come from the one memory input schema (memory/input-schema.ts); the rest
// is the Mem0 server's request shape.
const userId = z.string().trim().min(1).max(200);

export const createBody = z.object({
  messages: z
    .array(
      z.object({
        role: z.enum(['user', 'assistant', 'system']),
        content: z.string().max(MEMORY_LIMITS.text),
      }),
    )
    .max(200)
    .optional(),
  /** Our shorthand for one memory stored verbatim. */
  text: memoryText.optional(),
  memory: memoryText.optional(),
  user_id: userId.optional(),
  agent_id: z.string().max(200).optional(),
  run_id: z.string().max(200).optional(),
  metadata: memoryMetadata.optional(),
  infer: z.boolean().optional(),
  project_id: memoryProject.optional(),
});

export const updateBody = z.object({
  /** mem0 server's field name; `text` and `memory` are accepted too. */
  data: memoryText.optional(),
  text: memoryText.optional(),
  memory: memoryText.optional(),
  metadata: memoryMetadata.optional(),
  user_id: userId.optional(),
});

export const searchBody = z
  .object({
    query: z.string().trim().min(1).max(1000).optional(),
    /** Several phrasings, searched together and fused (MemoryService.search). */
    queries: z.array(z.string().trim().min(1).max(1000)).min(1).max(8).optional(),
    user_id: userId.optional(),
    agent_id: z.string().max(200).optional(),
    run_id: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(100).optional(),
    filters: z.record(z.string(), z.unknown()).optional(),
    project_id: memoryProject.optional(),
  })
  .refine((b) => b.query !== undefined || b.queries !== undefined, {
    message: 'give query or queries',
    path: ['query'],
  });

/** Parses a body or throws a 400 that names the first wrong field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  throw new UserError('invalid_input', `Invalid request: ${describeInputIssue(result.error, 'body')}.`);
}

/** A whole number query parameter within bounds, or undefined. */
export function intParam(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UserError(
      'invalid_input',
      `Invalid request: ${name} must be a whole number from ${min} to ${max}.`,
    );
  }
  return n;
}

export function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
