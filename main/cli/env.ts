// What every CLI command gets: the data directory, settings and database opened on demand, and
// the output streams. Commands throw UserError; main/cli.ts turns that into one line and an exit code.
import { dataPaths, resolveDataDir, type DataPaths } from '../core/config/paths.js';
import { loadSettings, type LoadedSettings } from '../core/config/settings.js';
import { openDatabase, type Db } from '../core/db/database.js';
import { createLogger } from '../core/log.js';
import { preparePrivateDataDir, reportTightened } from '../core/private-fs.js';

export interface CliEnv {
  paths(): DataPaths;
  /**
   * The same paths, once the data directory is made private: created 0700 if missing, and
   * anything in it group or others could read (an older version's files) tightened and logged.
   * For commands that write there without the database (which does this itself).
   */
  privatePaths(): DataPaths;
  settings(): LoadedSettings;
  /** The shared database (WAL: safe while `mem0-tray serve` or the tray runs). Closed at exit. */
  db(): Db;
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  /** Standard input as text (for secrets such as `apikey set`, never taken from argv). */
  readStdin(): Promise<string>;
  /** Release what was opened. */
  close(): void;
}

export function createCliEnv(env: NodeJS.ProcessEnv = process.env): CliEnv {
  let paths: DataPaths | undefined;
  let settings: LoadedSettings | undefined;
  let db: Db | undefined;
  let prepared = false;
  const cli: CliEnv = {
    env,
    paths: () => (paths ??= dataPaths(resolveDataDir(env))),
    privatePaths: () => {
      const p = cli.paths();
      if (prepared) return p;
      const tightened = preparePrivateDataDir(p.dataDir);
      prepared = true;
      if (tightened.changed.length > 0 || tightened.failed.length > 0) {
        // The only log line a CLI command writes: the file stays open until the process ends.
        reportTightened(createLogger({ file: p.log, scope: 'cli' }), p.dataDir, tightened);
      }
      return p;
    },
    settings: () => (settings ??= loadSettings(cli.paths().settings, env)),
    db: () => (db ??= openDatabase(cli.privatePaths().database)),
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    close: () => {
      db?.close();
      db = undefined;
    },
  };
  return cli;
}
