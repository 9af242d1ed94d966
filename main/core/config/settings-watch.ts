// Tells the core when settings.json changes on disk, whoever wrote it: an editor, a script, a CLI
// command, or the core itself. The directory is watched rather than the file, because an atomic
// write (ours, and most editors') replaces the file with a new one that a watch on the old one
// would never see. Bursts of events (write, rename, chmod) are folded into one call.
import fs from 'node:fs';
import path from 'node:path';

export interface SettingsWatch {
  close(): void;
}

export interface SettingsWatchOptions {
  /** Quiet time after the last event before onChange runs. */
  debounceMs?: number;
  /** Where fs.watch is not available (some network file systems): how often to poll. */
  pollMs?: number;
}

export function watchSettingsFile(
  file: string,
  onChange: () => void,
  options: SettingsWatchOptions = {},
): SettingsWatch {
  const debounceMs = options.debounceMs ?? 100;
  const name = path.basename(file);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const changed = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!closed) onChange();
    }, debounceMs);
    timer.unref();
  };
  let close: () => void;
  try {
    const watcher = fs.watch(path.dirname(file), { persistent: false }, (_event, filename) => {
      // Linux and macOS name the entry; where a platform does not, any change is checked.
      if (filename === null || filename === name) changed();
    });
    // An error (the directory removed under us) ends the watch; the core keeps its settings.
    watcher.on('error', () => watcher.close());
    close = () => watcher.close();
  } catch {
    const listener = (cur: fs.Stats, prev: fs.Stats) => {
      if (cur.mtimeMs !== prev.mtimeMs || cur.ino !== prev.ino || cur.size !== prev.size) changed();
    };
    fs.watchFile(file, { persistent: false, interval: options.pollMs ?? 1000 }, listener);
    close = () => fs.unwatchFile(file, listener);
  }
  return {
    close: () => {
      closed = true;
      clearTimeout(timer);
      close();
    },
  };
}
