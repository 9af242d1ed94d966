// The search ranking function. bm25_df (native/bm25-df.c, a SQLite extension the build compiles)
// ranks as bm25() does, without re-counting each word's memories or re-reading each match's length;
// where it is missing (not built on this platform, no C compiler) search ranks with SQLite's bm25().
import { fileURLToPath } from 'node:url';
import type { Db } from '../db/database.js';

/** Set by each bundle's build (scripts/build.js, scripts/bench.js) and by vitest.config.ts. */
declare const __SQLITE_RANK_EXTENSION__: string | undefined;

const ENTRY_POINT = 'sqlite3_bm25df_init';

export type Ranking =
  | { fn: 'bm25_df' }
  /** Why the extension is not in use. */
  | { fn: 'bm25'; reason: string };

export function rankExtensionFile(): string | null {
  if (typeof __SQLITE_RANK_EXTENSION__ === 'undefined') return null;
  return outsideAsar(fileURLToPath(new URL(__SQLITE_RANK_EXTENSION__, import.meta.url)));
}

/**
 * SQLite opens the library itself, past Electron's asar file system: in a packaged app the path
 * inside app.asar is that of the unpacked copy (electron-builder.yml, asarUnpack).
 */
export function outsideAsar(file: string): string {
  return file.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

/**
 * Connections the extension is loaded into. A backend is made anew on the same connection when the
 * backend setting changes; loading again would register a second function and keep the first's
 * length cache until the connection closes.
 */
const loaded = new WeakSet<Db>();

/** Loads the extension into this connection, once; `file: null` ranks with bm25(). */
export function loadRanking(db: Db, file: string | null | undefined = rankExtensionFile()): Ranking {
  if (file === null) return { fn: 'bm25', reason: 'no ranking extension in this build' };
  if (loaded.has(db)) return { fn: 'bm25_df' };
  try {
    // better-sqlite3 takes the entry point; its type definitions do not declare it.
    (db as unknown as { loadExtension(file: string, entryPoint: string): void }).loadExtension(
      file,
      ENTRY_POINT,
    );
    loaded.add(db);
    return { fn: 'bm25_df' };
  } catch (err) {
    return { fn: 'bm25', reason: `${file}: ${(err as Error).message}` };
  }
}
