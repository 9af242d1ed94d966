// The data directory holds every conversation captured, so it and everything in it are the user's
// alone from the first write, whichever process makes them: directories 0700, files 0600. New
// files get those modes as they are created (never chmod'ed afterwards, which would leave a window);
// an installation made by an older version with looser modes is tightened at start, and the log
// says so. On Windows the per-user profile protects the data directory and POSIX modes mean
// nothing, so nothing is checked or changed there.
import fs from 'node:fs';
import path from 'node:path';
import { fileSystemError } from './fs-atomic.js';
import type { Logger } from './log.js';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const POSIX = process.platform !== 'win32';

/** Creates a directory (and missing parents) that only the user can enter. */
export function ensurePrivateDir(dir: string): void {
  // The umask can only take bits away: what mkdir creates is 0700 or tighter.
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Creates an empty file that only the user can read, unless it exists. SQLite creates a database
 * with 0644 less the umask, and its -wal and -shm files with the database file's mode: creating the
 * database file first makes all three private.
 */
export function createPrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
}

export interface Tightened {
  /** Paths (relative to the root) whose group or other bits were removed. */
  changed: string[];
  /** Paths that group or others can still read: not ours to change (EPERM) or gone meanwhile. */
  failed: string[];
}

/**
 * Removes the group and other bits from a directory and everything under it. Symbolic links are
 * neither followed nor changed: only what is really inside is the app's.
 */
export function tightenTree(root: string): Tightened {
  const result: Tightened = { changed: [], failed: [] };
  if (!POSIX) return result;
  const visit = (file: string, rel: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(file);
    } catch {
      return;
    }
    if (!stat.isDirectory() && !stat.isFile()) return;
    if (stat.mode & 0o077) {
      try {
        fs.chmodSync(file, stat.mode & 0o700);
        result.changed.push(rel || '.');
      } catch {
        result.failed.push(rel || '.');
      }
    }
    if (!stat.isDirectory()) return;
    let names: string[];
    try {
      names = fs.readdirSync(file);
    } catch {
      return;
    }
    for (const name of names) visit(path.join(file, name), rel ? `${rel}/${name}` : name);
  };
  visit(root, '');
  return result;
}

/**
 * Makes the data directory if it is missing (0700) and tightens whatever in it group or others can
 * read. Call before anything else opens or writes a file there; hand the result to reportTightened
 * once a logger exists.
 */
export function preparePrivateDataDir(dataDir: string): Tightened {
  try {
    ensurePrivateDir(dataDir);
  } catch (err) {
    throw fileSystemError(err, dataDir);
  }
  return tightenTree(dataDir);
}

/** Logs what preparePrivateDataDir changed (file names and counts, nothing read from the files). */
export function reportTightened(log: Logger, dataDir: string, tightened: Tightened): void {
  const list = (paths: string[]) =>
    paths.slice(0, 20).join(', ') + (paths.length > 20 ? `, … (${paths.length - 20} more)` : '');
  if (tightened.changed.length > 0) {
    log.warn('data_dir.permissions_tightened', {
      dataDir,
      count: tightened.changed.length,
      paths: list(tightened.changed),
      reason: 'readable by other local accounts; now private to this user',
    });
  }
  if (tightened.failed.length > 0) {
    log.warn('data_dir.permissions_not_tightened', {
      dataDir,
      count: tightened.failed.length,
      paths: list(tightened.failed),
      reason: 'could not change their mode (owned by another user?)',
    });
  }
}
