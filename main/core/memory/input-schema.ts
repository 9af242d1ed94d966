// What a memory may hold, defined once: MemoryService enforces it on every add and update (so every
// front door and backend gets the same rule), and MCP, REST and the UI contract build their wire
// schemas from these fields rather than restating them. It imports nothing but zod: the renderer
// bundles it through the UI contract.
import { z } from 'zod';

export const MEMORY_SOURCES = ['proxy', 'gateway', 'mcp', 'manual', 'import'] as const;

export const MEMORY_LIMITS = {
  /** Characters of a memory's text (a captured turn can be long). */
  text: 100_000,
  /** Characters of the metadata as JSON. */
  metadata: 10_000,
  metadataKey: 100,
  projectId: 500,
  conversationId: 500,
  model: 200,
  /** Characters of an ISO 8601 date. */
  date: 40,
} as const;

/**
 * The issue messages, without the field's name: each front door names the field its own way
 * (`metadata: …` in REST and the UI, `… at metadata` in MCP) around the same words.
 */
export const MEMORY_INPUT_MESSAGES = {
  emptyText: 'must not be empty',
  longText: `must be at most ${MEMORY_LIMITS.text.toLocaleString('en-US')} characters`,
  bigMetadata: `must be at most ${MEMORY_LIMITS.metadata.toLocaleString('en-US')} characters of JSON`,
  date: 'must be an ISO 8601 date such as 2025-01-31 or 2025-01-31T12:00:00Z (a time without a zone is UTC)',
} as const;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A day or a time, in the one form every reader can parse alike: `YYYY-MM-DDTHH:MM[:SS]` with its
 * zone. A day, or a time without a zone (models write them often), is read as UTC: JavaScript would
 * read a zoneless time in the core's local zone, which a client cannot know.
 */
function isoInstant(value: string): number {
  if (DAY.test(value)) return Date.parse(`${value}T00:00:00Z`);
  const time = TIME.exec(value);
  if (!time) return Number.NaN;
  return Date.parse(`${time[1]}T${time[2]}${time[3] ?? 'Z'}`);
}

/** A date as stored: UTC with milliseconds. */
export const memoryDate = z
  .string()
  .trim()
  .max(MEMORY_LIMITS.date, MEMORY_INPUT_MESSAGES.date)
  .refine((v) => !Number.isNaN(isoInstant(v)), { message: MEMORY_INPUT_MESSAGES.date })
  .transform((v) => new Date(isoInstant(v)).toISOString());

export const memoryText = z
  .string()
  .trim()
  .min(1, MEMORY_INPUT_MESSAGES.emptyText)
  .max(MEMORY_LIMITS.text, MEMORY_INPUT_MESSAGES.longText);

export const memoryMetadata = z
  .record(z.string().max(MEMORY_LIMITS.metadataKey), z.unknown())
  .refine((m) => JSON.stringify(m).length <= MEMORY_LIMITS.metadata, {
    message: MEMORY_INPUT_MESSAGES.bigMetadata,
  });

/** A project id or, where a front door takes one, the working directory it is derived from. */
export const memoryProject = z
  .string()
  .trim()
  .min(1, MEMORY_INPUT_MESSAGES.emptyText)
  .max(MEMORY_LIMITS.projectId);

const memorySource = z.enum(MEMORY_SOURCES);

/** The caller-given fields of a new memory (NewMemory without the owner and the backend hints). */
export const newMemoryFields = z.object({
  text: memoryText,
  source: memorySource,
  projectId: memoryProject.nullable().optional(),
  conversationId: z.string().max(MEMORY_LIMITS.conversationId).nullable().optional(),
  model: z.string().max(MEMORY_LIMITS.model).nullable().optional(),
  metadata: memoryMetadata.optional(),
  createdAt: memoryDate.optional(),
});

/**
 * A memory put back as it was (the review UI's undo of a delete). What it holds was accepted once,
 * perhaps by capture or by an older rule, so only its shape is checked: a size limit here would lose
 * the memory its delete already removed.
 */
export const restoredMemoryFields = newMemoryFields.extend({
  text: z.string().min(1, MEMORY_INPUT_MESSAGES.emptyText),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export const memoryPatchFields = z.object({
  text: memoryText.optional(),
  metadata: memoryMetadata.optional(),
});

/** The filters a reader may give (the owner always comes from the caller). */
export const memoryScopeFields = {
  projectId: memoryProject.nullable().optional(),
  source: memorySource.optional(),
  since: memoryDate.optional(),
  until: memoryDate.optional(),
};

/** "field: what is wrong", for the first issue: the one wording REST, the UI and the service share. */
export function describeInputIssue(error: z.ZodError, whole = 'input'): string {
  const issue = error.issues[0];
  const where = issue && issue.path.length ? issue.path.map(String).join('.') : whole;
  return `${where}: ${issue?.message ?? 'invalid'}`;
}
