// Builds the SQLite extension in native/ (bm25_df, see native/bm25-df.c) with the system C
// compiler, against the SQLite headers better-sqlite3 compiles with. It is not a Node addon: one
// build serves Node and Electron alike. Without a compiler the app still works: search then ranks
// with SQLite's built-in bm25(), slower (main/core/memory/rank-extension.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const SOURCE = 'native/bm25-df.c';
const SUFFIX = { darwin: '.dylib', win32: '.dll' }[process.platform] ?? '.so';
/** Where the build puts the extension; bundles are told its path relative to themselves. */
export const RANK_EXTENSION = `dist/native/bm25-df${SUFFIX}`;

/** Returns a warning when the extension could not be built, else null. */
export function buildRankExtension() {
  if (process.platform === 'win32')
    return 'the search ranking extension is not built on Windows yet (search uses bm25())';
  if (fs.existsSync(RANK_EXTENSION) && fs.statSync(RANK_EXTENSION).mtimeMs >= fs.statSync(SOURCE).mtimeMs)
    return null;
  const require = createRequire(import.meta.url);
  const sqliteHeaders = path.join(
    path.dirname(require.resolve('better-sqlite3/package.json')),
    'deps/sqlite3',
  );
  fs.mkdirSync(path.dirname(RANK_EXTENSION), { recursive: true });
  const shared = process.platform === 'darwin' ? ['-dynamiclib'] : ['-shared', '-fPIC'];
  const cc = process.env.CC || 'cc';
  const partial = `${RANK_EXTENSION}.partial`;
  const r = spawnSync(
    cc,
    ['-O2', '-Wall', '-Wextra', ...shared, '-I', sqliteHeaders, SOURCE, '-o', partial, '-lm'],
    { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' },
  );
  if (r.error || r.status !== 0) {
    fs.rmSync(partial, { force: true });
    const why = r.error ? `${cc}: ${r.error.message}` : r.stderr.trim();
    return `could not build ${RANK_EXTENSION} (search uses bm25()): ${why}`;
  }
  fs.renameSync(partial, RANK_EXTENSION);
  return null;
}
