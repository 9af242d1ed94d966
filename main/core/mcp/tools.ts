// The MCP tools and the memory://recent resource. Every call goes through MemoryService with the
// caller and scope from isolation.ts, so ownership, project scope and the audit log apply the same
// way as for REST. Results are short text for the model plus the same data as structured content.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { describeError, isUserError, UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { oneLine } from '../memory/excerpt.js';
import { memoryDate, memoryMetadata, memoryProject, memoryText } from '../memory/input-schema.js';
import type { MemoryService } from '../memory/service.js';
import type { HistoryEntry, Memory, SearchHit } from '../memory/types.js';
import { canWrite, resolveScope, type Identity, type IsolationSettings } from '../access/isolation.js';

/** What the tools need: who calls, the current settings, the memories, and a credential re-check. */
export interface ToolSession {
  identity: Identity;
  settings(): IsolationSettings;
  memories: MemoryService;
  log: Logger;
  /** Throws when the credential stopped being valid (stdio re-checks its token on every call). */
  check?(): void;
}

const TEXT_IN_LIST = 600;
const RECENT = 20;

const id = z.string().trim().min(1, 'id must not be empty').max(200);
const project = memoryProject
  .optional()
  .describe('Project id, or the absolute path of the working directory. Omit for the default scope.');

// Input shapes are built once: a stateless HTTP request builds a fresh server with these tools.
const SHAPES = {
  search: {
    query: z
      .string()
      .trim()
      .min(1, 'query must not be empty')
      .max(1000)
      .optional()
      .describe('Words the memory would contain: names, terms, identifiers (question words are ignored).'),
    queries: z
      .array(z.string().trim().min(1, 'a query must not be empty').max(1000))
      .max(8)
      .optional()
      .describe(
        'Several phrasings searched together, best matches of all first: the same need in other words, synonyms, the likely identifier.',
      ),
    limit: z.number().int().min(1).max(100).optional().describe('How many results (default 10).'),
    project,
  },
  list: {
    limit: z.number().int().min(1).max(100).optional().describe('Page size (default 20).'),
    cursor: z.string().max(500).optional().describe('The nextCursor of the previous page.'),
    project,
    since: memoryDate.optional().describe('Only memories created at or after this date (ISO 8601).'),
  },
  byId: { id },
  add: {
    text: memoryText,
    metadata: memoryMetadata.optional().describe('Optional key/value data to keep with the memory.'),
    project,
  },
  update: {
    id,
    text: memoryText.optional(),
    metadata: memoryMetadata.optional(),
  },
};

function day(iso: string): string {
  return iso.slice(0, 10);
}

/** The fields a client needs, without internal ones. */
export function memoryView(m: Memory) {
  return {
    id: m.id,
    text: m.text,
    projectId: m.projectId,
    source: m.source,
    metadata: m.metadata,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

function line(m: Memory, extra = ''): string {
  const where = m.projectId ? `project ${m.projectId}, ` : '';
  return `[${m.id}] (${where}${day(m.createdAt)}${extra}) ${oneLine(m.text, TEXT_IN_LIST)}`;
}

function ok(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

function failure(err: unknown, log: Logger, tool: string): CallToolResult {
  if (isUserError(err)) return { content: [{ type: 'text', text: err.message }], isError: true };
  log.error('mcp.tool_failed', { tool, error: describeError(err) });
  return { content: [{ type: 'text', text: 'Internal error in Mem0 Tray; see its log.' }], isError: true };
}

const readOnly = () =>
  new UserError(
    'access_denied',
    'This token is read-only: it can search and read memories but not add, change or delete them.',
  );

export function registerMemoryTools(server: McpServer, session: ToolSession): void {
  const { memories, log } = session;
  const run = async (tool: string, write: boolean, fn: () => Promise<CallToolResult>) => {
    try {
      session.check?.();
      if (write && !canWrite(session.identity)) throw readOnly();
      return await fn();
    } catch (err) {
      return failure(err, log, tool);
    }
  };
  const scope = (projectArg?: string) => resolveScope(session.settings(), session.identity, projectArg);

  server.registerTool(
    'search_memories',
    {
      title: 'Search memories',
      description:
        "Search the user's long-term memories (facts, decisions and context from earlier conversations). Keyword search: pass the specific words the memory would contain (names, tools, file and function names, error text), not a question; a memory matches on any of them and ranks higher with more and rarer ones. To cover other wordings, pass `queries` with a few phrasings and synonyms in one call. Returns the best matches first, each with its id (get_memory gives the whole text).",
      inputSchema: SHAPES.search,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      run('search_memories', false, async () => {
        const s = scope(args.project);
        const queries = [...(args.query ? [args.query] : []), ...(args.queries ?? [])];
        if (queries.length === 0) throw new UserError('invalid_input', 'Give a query, or queries.');
        const hits = await memories.search(s.caller, queries, s.read, { limit: args.limit ?? 10 });
        const asked = queries.map((q) => `"${q}"`).join(', ');
        const text = hits.length
          ? `${hits.length} memor${hits.length === 1 ? 'y matches' : 'ies match'} ${asked}:\n` +
            hits.map((h, i) => `${i + 1}. ${line(h.memory, `, score ${h.score.toFixed(2)}`)}`).join('\n')
          : `No memories match ${asked}.`;
        return ok(text, { results: hits.map(hitView) });
      }),
  );

  server.registerTool(
    'list_memories',
    {
      title: 'List memories',
      description:
        "Lists the user's memories, newest first, one page at a time. Pass the returned cursor to get the next page.",
      inputSchema: SHAPES.list,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      run('list_memories', false, async () => {
        const s = scope(args.project);
        const page = await memories.list(
          s.caller,
          { ...s.read, since: args.since },
          { limit: args.limit ?? 20, cursor: args.cursor ?? null },
        );
        const text =
          (page.items.length ? page.items.map((m) => line(m)).join('\n') : 'No memories.') +
          (page.nextCursor ? `\nMore: call again with cursor "${page.nextCursor}".` : '');
        return ok(text, { memories: page.items.map(memoryView), nextCursor: page.nextCursor });
      }),
  );

  server.registerTool(
    'get_memory',
    {
      title: 'Get a memory',
      description: 'Reads one memory in full by its id.',
      inputSchema: SHAPES.byId,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      run('get_memory', false, async () => {
        const m = await memories.get(scope().caller, args.id);
        const where = m.projectId ? `, project ${m.projectId}` : '';
        return ok(`Memory ${m.id} (created ${m.createdAt}${where}):\n${m.text}`, { memory: memoryView(m) });
      }),
  );

  server.registerTool(
    'add_memory',
    {
      title: 'Add a memory',
      description:
        'Saves a new memory: a fact, preference or decision worth remembering in later conversations. Write it as one self-contained statement.',
      inputSchema: SHAPES.add,
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    (args) =>
      run('add_memory', true, async () => {
        const s = scope(args.project);
        const added = await memories.add(s.caller, {
          text: args.text,
          metadata: args.metadata,
          projectId: s.writeProjectId,
          source: 'mcp',
          infer: false,
        });
        const text = added.length
          ? `Saved memory ${added.map((m) => m.id).join(', ')}.`
          : 'Nothing was saved (the memory backend found nothing new to remember).';
        return ok(text, { memories: added.map(memoryView) });
      }),
  );

  server.registerTool(
    'update_memory',
    {
      title: 'Update a memory',
      description:
        'Replaces the text and/or metadata of one memory, by id. The old text stays in its history.',
      inputSchema: SHAPES.update,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      run('update_memory', true, async () => {
        if (args.text === undefined && args.metadata === undefined) {
          throw new UserError('invalid_input', 'Nothing to change: give "text" and/or "metadata".');
        }
        const m = await memories.update(scope().caller, args.id, {
          text: args.text,
          metadata: args.metadata,
        });
        return ok(`Updated memory ${m.id}.`, { memory: memoryView(m) });
      }),
  );

  server.registerTool(
    'delete_memory',
    {
      title: 'Delete a memory',
      description: 'Deletes one memory by id, everywhere (it no longer appears in search or lists).',
      inputSchema: SHAPES.byId,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      run('delete_memory', true, async () => {
        await memories.delete(scope().caller, args.id);
        return ok(`Deleted memory ${args.id}.`, { deleted: args.id });
      }),
  );

  server.registerTool(
    'memory_history',
    {
      title: 'Memory history',
      description: 'Shows how one memory changed over time (added, updated, deleted), oldest first.',
      inputSchema: SHAPES.byId,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      run('memory_history', false, async () => {
        const entries = await memories.history(scope().caller, args.id);
        const text = entries.map(historyLine).join('\n');
        return ok(`History of memory ${args.id}:\n${text}`, { history: entries });
      }),
  );

  server.registerResource(
    'recent-memories',
    'memory://recent',
    {
      title: 'Recent memories',
      description: `The ${RECENT} newest memories in the default scope.`,
      mimeType: 'application/json',
    },
    async (uri) => {
      session.check?.();
      const s = scope();
      const page = await memories.list(s.caller, s.read, { limit: RECENT });
      return {
        contents: [
          {
            uri: uri.href,
            mimeType: 'application/json',
            text: JSON.stringify({ memories: page.items.map(memoryView) }),
          },
        ],
      };
    },
  );
}

function hitView(h: SearchHit) {
  return {
    ...memoryView(h.memory),
    score: h.score,
    snippet: h.snippet.text,
  };
}

function historyLine(h: HistoryEntry): string {
  const change =
    h.event === 'UPDATE'
      ? `: "${oneLine(h.oldText ?? '', 200)}" → "${oneLine(h.newText ?? '', 200)}"`
      : h.event === 'ADD'
        ? `: "${oneLine(h.newText ?? '', 200)}"`
        : '';
  return `${h.createdAt} ${h.event}${change}`;
}
