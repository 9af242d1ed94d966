// Backups are consistent copies made with SQLite's online backup API, safe while the core runs.
// A restore keeps the database it replaces beside it, so nothing is lost either way.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { fileSystemError } from '../fs-atomic.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../private-fs.js';
import { databaseError, openDatabase, type Db } from './database.js';

export async function backupDatabase(db: Db, target: string): Promise<{ bytes: number }> {
  const dir = path.dirname(path.resolve(target));
  if (!fs.existsSync(dir)) throw new UserError('not_found', `The directory ${dir} does not exist.`);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    // Private from the first byte: SQLite would create the copy 0644 (less the umask) and write
    // every memory into it before a chmod could follow. An empty file is an empty database to it.
    const fd = fs.openSync(tmp, 'w', PRIVATE_FILE_MODE);
    try {
      if (process.platform !== 'win32') fs.fchmodSync(fd, PRIVATE_FILE_MODE);
    } finally {
      fs.closeSync(fd);
    }
    await db.backup(tmp);
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err instanceof UserError ? err : fileSystemError(databaseError(err, target), target);
  }
  return { bytes: fs.statSync(target).size };
}

const UNCHANGED = 'Nothing was restored; the current database is unchanged.';

/**
 * Checks that a file is an intact Mem0 Tray database before anything is replaced. Its errors speak
 * of the file as a backup: the generic "the database … is damaged, restore a backup" would name it
 * as if it were the database and send the user back to restore.
 */
export function verifyBackup(file: string): { memories: number } {
  if (!fs.existsSync(file)) throw new UserError('not_found', `No backup at ${file}.`);
  let db: Db | undefined;
  try {
    db = openDatabase(file, { readonly: true });
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok')
      throw new UserError(
        'database_corrupt',
        `The backup ${file} is damaged (${String(check)}). ${UNCHANGED}`,
      );
    const hasMemories = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'memories'")
      .get();
    if (!hasMemories)
      throw new UserError(
        'database_corrupt',
        `${file} is not a Mem0 Tray backup (it holds no memories table). ${UNCHANGED}`,
      );
    const { n } = db.prepare('SELECT count(*) AS n FROM memories').get() as { n: number };
    return { memories: n };
  } catch (err) {
    // SQLite's own error, also when openDatabase already wrapped it.
    const sqlite = (err instanceof UserError ? err.cause : err) as
      { code?: unknown; message?: string } | undefined;
    const code = typeof sqlite?.code === 'string' ? sqlite.code : '';
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
      throw new UserError(
        'database_corrupt',
        `${file} is not a Mem0 Tray backup: it is damaged or not a database at all (${sqlite?.message ?? code}). ${UNCHANGED}`,
        { cause: sqlite },
      );
    }
    throw databaseError(err, file);
  } finally {
    db?.close();
  }
}

/**
 * Replaces the database's content with a verified backup. The caller makes sure no core is running.
 * Returns where the replaced database was kept.
 *
 * An intact database is overwritten in place with SQLite's backup API, in one write transaction:
 * other processes that have it open (a Claude Desktop `mcp stdio`) see the restored content on their
 * next read instead of keeping a deleted file, and an interrupted restore changes nothing. (A write
 * such a process makes between the kept copy and the restore is in neither; restore is meant for a
 * stopped Mem0 Tray, and MCP writes only when Claude adds a memory.) A damaged database (the usual
 * reason to restore) cannot be opened, and SQLite cannot copy into a WAL database of another page
 * size: then the file is moved aside and the backup copied in.
 */
export async function restoreDatabase(
  backup: string,
  databaseFile: string,
): Promise<{ keptAs: string | null; memories: number }> {
  const { memories } = verifyBackup(backup);
  const dir = path.dirname(databaseFile);
  ensurePrivateDir(dir);
  const keptAs = fs.existsSync(databaseFile)
    ? `${databaseFile}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`
    : null;
  let current: Db | null = null;
  if (keptAs) {
    try {
      current = openDatabase(databaseFile);
    } catch (err) {
      if (!(err instanceof UserError && err.code === 'database_corrupt')) throw err;
    }
  }
  // Read through SQLite, never copied as a file: a backup with a WAL beside it is complete that way.
  const source = openDatabase(backup, { readonly: true });
  try {
    if (
      current &&
      source.pragma('page_size', { simple: true }) === current.pragma('page_size', { simple: true })
    ) {
      await backupDatabase(current, keptAs!);
      await source.backup(databaseFile);
      return { keptAs, memories };
    }
    current?.close();
    current = null;
    const staged = path.join(dir, `.restore.${process.pid}.db`);
    await backupDatabase(source, staged);
    try {
      if (keptAs) {
        // The current file and its WAL move aside together: nothing of it is deleted.
        for (const suffix of ['', '-wal', '-shm']) {
          if (fs.existsSync(databaseFile + suffix)) fs.renameSync(databaseFile + suffix, keptAs + suffix);
        }
      }
      fs.renameSync(staged, databaseFile);
    } catch (err) {
      fs.rmSync(staged, { force: true });
      throw err;
    }
    return { keptAs, memories };
  } catch (err) {
    throw fileSystemError(databaseError(err, databaseFile), databaseFile);
  } finally {
    source.close();
    current?.close();
  }
}
