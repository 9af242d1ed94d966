// `mem0-tray memories migrate --to X [--from Y]`: copies the user's memories between backends with
// a progress bar on stderr (plain lines when stderr is not a terminal). Resumable: run it again
// after an interruption and it continues where it stopped, never copying a memory twice.
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { BACKENDS, type BackendKind } from '../core/config/settings.js';
import { createBackend } from '../core/memory/backend-factory.js';
import { migrateMemories, type MigrateProgress } from '../core/memory/migrate.js';
import type { SecretStore } from '../core/secrets/secret-store.js';
import type { CliEnv } from './env.js';

export interface MigrateCliDeps {
  /** The Mem0 API key store (default: keychain + MEM0_API_KEY). */
  secrets?: (cli: CliEnv) => SecretStore;
  /** Where the progress goes (default: process.stderr). */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
}

interface MigrateOpts {
  to: BackendKind;
  from?: BackendKind;
  userId?: string;
  restart?: boolean;
}

/** A progress display: a bar on a terminal, a line every second (and at the end) otherwise. */
export function progressReporter(stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string) {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: `${label} [{bar}] {value}/{total} ({failed} refused)`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p: MigrateProgress) {
        if (!started) {
          bar.start(p.total, p.done, { failed: p.failed });
          started = true;
        }
        bar.setTotal(p.total);
        bar.update(p.done, { failed: p.failed });
      },
      stop() {
        if (started) bar.stop();
        started = false;
      },
    };
  }
  let last = 0;
  let latest: MigrateProgress | null = null;
  const line = (p: MigrateProgress) =>
    stream.write(`${label}: ${p.done}/${p.total} copied${p.failed ? `, ${p.failed} refused` : ''}\n`);
  return {
    update(p: MigrateProgress) {
      latest = p;
      if (Date.now() - last >= 1000) {
        last = Date.now();
        line(p);
      }
    },
    stop() {
      if (latest) line(latest);
      latest = null;
    },
  };
}

export function registerMigrateCommand(memories: Command, cli: CliEnv, deps: MigrateCliDeps = {}): void {
  memories
    .command('migrate')
    .description('copy your memories to another backend (resumable, never duplicates)')
    .addOption(new Option('--to <backend>', 'target backend').choices([...BACKENDS]).makeOptionMandatory())
    .addOption(
      new Option('--from <backend>', 'source backend (default: the backend setting)').choices([...BACKENDS]),
    )
    .option('--user-id <id>', 'whose memories (default: the userId setting)')
    .option('--restart', 'forget the progress of an earlier run and go through every memory again')
    .action(async (opts: MigrateOpts) => {
      const { settings } = cli.settings();
      const fromKind = opts.from ?? settings.backend;
      const db = cli.db();
      const secrets = deps.secrets?.(cli);
      const backendDeps = { db, env: cli.env, ...(secrets ? { secrets } : {}) };
      const from = createBackend(settings, backendDeps, fromKind);
      const to = createBackend(settings, backendDeps, opts.to);
      const progress = progressReporter(deps.progressStream ?? process.stderr, `${fromKind} → ${opts.to}`);
      try {
        const result = await migrateMemories({
          from,
          to,
          userId: opts.userId ?? settings.userId,
          db,
          restart: opts.restart ?? false,
          onProgress: (p) => progress.update(p),
        });
        progress.stop();
        cli.out(
          `Copied ${result.copied} memories from ${fromKind} to ${opts.to}` +
            (result.resumed ? ` (${result.resumed} were already copied by an earlier run)` : '') +
            (result.failed ? `; ${result.failed} were refused by ${opts.to}` : '') +
            '.',
        );
        if (settings.backend !== opts.to) {
          cli.out(
            `The backend setting is still "${settings.backend}": set "backend": "${opts.to}" in settings.json to use it.`,
          );
        }
      } finally {
        progress.stop();
        await Promise.all([from.close(), to.close()]);
      }
    });
}
