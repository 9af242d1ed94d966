// runtime.json: how other processes (the CLI, scripts, `mem0-tray env`) find a running core.
// Written atomically once the core is ready, removed on a clean exit.
import fs from 'node:fs';
import { UserError, describeError } from './errors.js';
import type { CoreEvents } from './events.js';
import { writeFileAtomic } from './fs-atomic.js';
import type { Logger } from './log.js';

/** What runtime.json holds (docs/architecture.md), filled in as features start. */
export interface RuntimeInfo {
  pid: number;
  proxyPort: number | null;
  gatewayPort: number | null;
  apiPort: number;
  uiUrl: string | null;
  caPath: string | null;
}

export function writeRuntimeFile(file: string, info: RuntimeInfo): void {
  writeFileAtomic(file, JSON.stringify(info, null, 2) + '\n', 0o600);
}

/**
 * Rewrites the file whenever the core's status changes what it holds: a proxy stopped from the UI
 * must not leave new terminals pointed at it.
 */
export function keepRuntimeFileCurrent(
  file: string,
  info: RuntimeInfo,
  core: { events: CoreEvents; log: Logger; stopping(): boolean },
): void {
  let written = JSON.stringify(info);
  core.events.on('status', () => {
    const now = JSON.stringify(info);
    if (now === written || core.stopping()) return;
    written = now;
    try {
      writeRuntimeFile(file, info);
    } catch (err) {
      core.log.warn('core.runtime_file_failed', { error: describeError(err) });
    }
  });
}

export function removeRuntimeFile(file: string, pid = process.pid): void {
  const current = readRuntimeFile(file);
  // Never remove another live core's file.
  if (current && current.pid !== pid) return;
  fs.rmSync(file, { force: true });
}

export function readRuntimeFile(file: string): RuntimeInfo | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as RuntimeInfo;
  } catch {
    return null;
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running core for this data directory, if any (a stale file from a crash is ignored). */
export function runningCore(file: string): RuntimeInfo | null {
  const info = readRuntimeFile(file);
  return info && info.pid !== process.pid && isProcessAlive(info.pid) ? info : null;
}

export function assertNotRunning(file: string, action: string): void {
  const running = runningCore(file);
  if (running) {
    throw new UserError(
      'conflict',
      `Mem0 Tray is running (pid ${running.pid}) on this data directory: quit it before you ${action}.`,
    );
  }
}
