// `mem0-tray memories …`: list, search, show, add, delete, export — through the same
// ownership-checked MemoryService as REST and MCP, against the configured backend.
import { once } from 'node:events';
import { Command, Option } from 'commander';
import { oneLine } from '../core/memory/excerpt.js';
import { UserError } from '../core/errors.js';
import { CoreEvents, type Caller } from '../core/events.js';
import { writeStreamAtomic } from '../core/fs-atomic.js';
import { createBackend } from '../core/memory/backend-factory.js';
import { EXPORT_FORMATS, exportMemories, type ExportFormat } from '../core/memory/export.js';
import { MemoryService, type ScopeFilter } from '../core/memory/service.js';
import { MEMORY_SOURCES, type Memory, type MemorySource } from '../core/memory/types.js';
import type { CliEnv } from './env.js';
import { registerMigrateCommand } from './migrate.js';

interface ScopeOptions {
  userId?: string;
  project?: string;
  source?: MemorySource;
  since?: string;
  until?: string;
  json?: boolean;
}

function scopeOptions(cmd: Command): Command {
  return cmd
    .option('--user-id <id>', 'whose memories (default: the userId setting)')
    .option('--project <id>', 'only this project ("none" for memories without a project)')
    .addOption(new Option('--source <source>', 'only this source').choices([...MEMORY_SOURCES]))
    .option('--since <date>', 'created at or after this ISO date')
    .option('--until <date>', 'created before this ISO date')
    .option('--json', 'machine-readable output');
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UserError('usage', `expected a positive whole number, got "${value}"`);
  return n;
}

export interface MemoryCliDeps {
  /** The memory service for CLI callers (the lead's backend factory may replace the default). */
  service(cli: CliEnv): MemoryService;
}

export const defaultMemoryCliDeps: MemoryCliDeps = {
  service: (cli) => {
    // The configured backend (local, mem0-platform or mem0-server), as the running core uses.
    const backend = createBackend(cli.settings().settings, { db: cli.db(), env: cli.env });
    return new MemoryService(() => backend, new CoreEvents());
  },
};

function callerOf(cli: CliEnv, opts: ScopeOptions): Caller {
  return { userId: opts.userId ?? cli.settings().settings.userId, via: 'cli' };
}

function scopeOf(opts: ScopeOptions): ScopeFilter {
  return {
    projectId: opts.project === undefined ? undefined : opts.project === 'none' ? null : opts.project,
    source: opts.source,
    since: opts.since,
    until: opts.until,
  };
}

function printMemory(cli: CliEnv, m: Memory): void {
  cli.out(
    `${m.id}  ${m.createdAt.slice(0, 16).replace('T', ' ')}  ${m.source.padEnd(7)}  ${m.projectId ?? '-'}`,
  );
  cli.out(`  ${oneLine(m.text, 100)}`);
}

export function registerMemoriesCommands(
  program: Command,
  cli: CliEnv,
  deps: MemoryCliDeps = defaultMemoryCliDeps,
): Command {
  const memories = program.command('memories').description('find, read, delete and export memories');

  scopeOptions(memories.command('list').description('list memories, newest first'))
    .option('--limit <n>', 'how many (default 50, max 500)', positiveInt)
    .option('--cursor <cursor>', 'continue after a previous page')
    .action(async (opts: ScopeOptions & { limit?: number; cursor?: string }) => {
      const page = await deps.service(cli).list(callerOf(cli, opts), scopeOf(opts), {
        limit: opts.limit,
        cursor: opts.cursor,
        withTotal: true,
      });
      if (opts.json) {
        cli.out(JSON.stringify(page, null, 2));
        return;
      }
      if (page.items.length === 0) cli.out('No memories.');
      for (const m of page.items) printMemory(cli, m);
      if (page.total !== undefined)
        cli.out(
          `${page.items.length} of ${page.total}` +
            (page.incomplete ? ' or more: the Mem0 server listed only part of them' : ''),
        );
      if (page.nextCursor) cli.out(`more: --cursor ${page.nextCursor}`);
    });

  scopeOptions(
    memories.command('search').description('full-text search, best match first').argument('<query>'),
  )
    .option('--limit <n>', 'how many (default 10, max 100)', positiveInt)
    .action(async (query: string, opts: ScopeOptions & { limit?: number }) => {
      const hits = await deps
        .service(cli)
        .search(callerOf(cli, opts), query, scopeOf(opts), { limit: opts.limit });
      if (opts.json) {
        cli.out(JSON.stringify(hits, null, 2));
        return;
      }
      if (hits.length === 0) cli.out('No matches.');
      for (const h of hits) {
        cli.out(`${h.memory.id}  score ${h.score.toFixed(2)}  ${h.memory.projectId ?? '-'}`);
        cli.out(`  ${oneLine(h.snippet.text, 100)}`);
      }
    });

  memories
    .command('show')
    .description('one memory in full, with its history')
    .argument('<id>')
    .option('--user-id <id>', 'owner (default: the userId setting)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: ScopeOptions) => {
      const service = deps.service(cli);
      const caller = callerOf(cli, opts);
      const memory = await service.get(caller, id);
      const history = await service.history(caller, id);
      if (opts.json) {
        cli.out(JSON.stringify({ ...memory, history }, null, 2));
        return;
      }
      cli.out(`id:            ${memory.id}`);
      cli.out(`user:          ${memory.userId}`);
      cli.out(`project:       ${memory.projectId ?? '-'}`);
      cli.out(`source:        ${memory.source}`);
      cli.out(`conversation:  ${memory.conversationId ?? '-'}`);
      cli.out(`model:         ${memory.model ?? '-'}`);
      cli.out(`created:       ${memory.createdAt}`);
      cli.out(`updated:       ${memory.updatedAt}`);
      if (Object.keys(memory.metadata).length) cli.out(`metadata:      ${JSON.stringify(memory.metadata)}`);
      cli.out('');
      cli.out(memory.text);
      cli.out('');
      for (const h of history) cli.out(`${h.createdAt}  ${h.event}`);
    });

  memories
    .command('add')
    .description('add a memory by hand')
    .argument('<text>')
    .option('--user-id <id>', 'owner (default: the userId setting)')
    .option('--project <id>', 'project id')
    .option('--json', 'machine-readable output')
    .action(async (text: string, opts: ScopeOptions) => {
      const added = await deps.service(cli).add(callerOf(cli, opts), {
        text,
        source: 'manual',
        projectId: opts.project ?? null,
      });
      if (opts.json) cli.out(JSON.stringify(added, null, 2));
      else for (const m of added) cli.out(m.id);
    });

  memories
    .command('delete')
    .description('delete memories by id (gone from list, search and export at once)')
    .argument('<ids...>')
    .option('--user-id <id>', 'owner (default: the userId setting)')
    .option('--json', 'machine-readable output')
    .action(async (ids: string[], opts: ScopeOptions) => {
      const result = await deps.service(cli).deleteMany(callerOf(cli, opts), ids);
      if (opts.json) cli.out(JSON.stringify(result, null, 2));
      else {
        for (const id of result.deleted) cli.out(`deleted ${id}`);
      }
      // One error line for everything that was not deleted (the exit code says the worst of it).
      const problems: string[] = [];
      const user = callerOf(cli, opts).userId;
      if (result.denied.length === 1)
        problems.push(`Access denied: Memory ${result.denied[0]} does not belong to user ${user}`);
      else if (result.denied.length)
        problems.push(`Access denied: memories ${result.denied.join(', ')} do not belong to user ${user}`);
      if (result.missing.length) problems.push(`no memory with id ${result.missing.join(', ')}`);
      if (problems.length) {
        const kept = result.deleted.length ? `${result.deleted.length} deleted` : 'nothing was deleted';
        throw new UserError(
          result.denied.length ? 'access_denied' : 'not_found',
          `${problems.join('; ')} (${kept}).`,
        );
      }
    });

  scopeOptions(
    memories.command('export').description('write memories with their history as JSON or JSON Lines'),
  )
    .addOption(new Option('--format <format>', 'json or jsonl').choices([...EXPORT_FORMATS]).default('json'))
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .action(async (opts: ScopeOptions & { format: ExportFormat; output?: string }) => {
      const stream = exportMemories(deps.service(cli), callerOf(cli, opts), scopeOf(opts), opts.format);
      if (opts.output) {
        await writeStreamAtomic(opts.output, stream, 0o600);
        cli.err(`exported ${stream.count} memories to ${opts.output}`);
        return;
      }
      for await (const chunk of stream) {
        if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
      }
    });

  registerMigrateCommand(memories, cli);
  return memories;
}
