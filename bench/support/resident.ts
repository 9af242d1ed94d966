// Resident memory of another process (Linux /proc), split into anonymous memory (the JS heap,
// SQLite's page cache, buffers) and file-backed pages (the memory-mapped database file).
import fs from 'node:fs';
import path from 'node:path';

/** Node flags for a benchmarked core: SIGUSR2 then runs a full GC (see gc-on-signal.mjs). */
export const GC_ON_SIGNAL = ['--expose-gc', '--import', path.resolve('bench/support/gc-on-signal.mjs')];

export interface Resident {
  total: number;
  anon: number;
  file: number;
}

export function residentOf(pid: number): Resident {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  return { total: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
}

/**
 * Resident memory once the process has been idle and collected its garbage: V8 keeps the heap it
 * grew under load until its memory reducer runs (a while after allocation stops, sometimes not at
 * all in a short run), so a reading taken at once measures GC timing, not what the process
 * retains. Asks for a full GC (the core runs with GC_ON_SIGNAL) each second; returns the smallest
 * total seen.
 */
export async function settledResident(pid: number, seconds = 10): Promise<Resident> {
  let best = residentOf(pid);
  for (let i = 0; i < seconds; i++) {
    process.kill(pid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 1000));
    const now = residentOf(pid);
    if (now.total < best.total) best = now;
  }
  return best;
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

/** "before → after MB (growth G MB: anon A, file F)". */
export function residentGrowth(before: Resident, after: Resident): string {
  return `${mb(before.total)} → ${mb(after.total)} MB (growth ${mb(after.total - before.total)} MB: anonymous ${mb(after.anon - before.anon)}, mapped database file ${mb(after.file - before.file)})`;
}
