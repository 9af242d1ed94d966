// Writes that are never half-done: a temporary file in the same directory, fsync, then rename.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from './errors.js';

/** The temporary file beside `file`, in a directory made if missing. */
function prepare(file: string, mode: number): string {
  const dir = path.dirname(file);
  // Directories made for a private file are private too (the data directory, made by whichever
  // command writes first).
  fs.mkdirSync(dir, { recursive: true, mode: mode & 0o077 ? 0o777 : 0o700 });
  return path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
}

/** Removes what a failed write left; the write's own error is the one worth reporting. */
function discard(tmp: string | undefined): void {
  if (tmp === undefined) return;
  try {
    fs.rmSync(tmp, { force: true });
  } catch {
    // the temporary file may not exist; nothing else to clean up
  }
}

export function writeFileAtomic(file: string, data: string | Buffer, mode = 0o600): void {
  let tmp: string | undefined;
  try {
    tmp = prepare(file, mode);
    const fd = fs.openSync(tmp, 'w', mode);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    discard(tmp);
    throw fileSystemError(err, file);
  }
}

/** writeFileAtomic for content that arrives in chunks (an export): never held whole in memory. */
export async function writeStreamAtomic(
  file: string,
  chunks: AsyncIterable<string>,
  mode = 0o600,
): Promise<void> {
  let tmp: string | undefined;
  try {
    tmp = prepare(file, mode);
    const handle = await fs.promises.open(tmp, 'w', mode);
    try {
      for await (const chunk of chunks) await handle.write(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    discard(tmp);
    throw fileSystemError(err, file);
  }
}

/** Maps errno failures to messages that say what to do. */
export function fileSystemError(err: unknown, file: string): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new UserError('disk_full', `The disk holding ${file} is full: free some space and try again.`, {
      cause: err,
    });
  }
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return new UserError(
      'read_only',
      `Cannot write ${file}: the directory is read-only or not yours. Fix its permissions or set MEM0_TRAY_HOME to a writable directory.`,
      { cause: err },
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}
