// Resident memory of another process (Linux /proc), split into anonymous memory (the JS heap,
// SQLite's page cache, buffers) and file-backed pages (the memory-mapped database file).
import fs from 'node:fs';

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
 * Resident memory once the process has been idle: V8 keeps the heap it grew under load until its
 * memory reducer runs (about 30 s after allocation stops), so a reading taken at once measures GC
 * timing, not what the process retains. Samples each second; returns the smallest total seen.
 */
export async function settledResident(pid: number, seconds = 40): Promise<Resident> {
  let best = residentOf(pid);
  for (let i = 0; i < seconds; i++) {
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
