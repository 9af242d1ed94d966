// The JSON files of Claude's clients that we edit (Claude Desktop's config, Claude Code's settings
// and ~/.claude.json): read as one object or refused untouched, and backed up before each change.
import fs from 'node:fs';
import { UserError } from '../errors.js';
import { fileSystemError, writeFileAtomic } from '../fs-atomic.js';

export type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object a file holds, and its bytes (null when there is no file). `label` names it in errors. */
export function readJsonObject(file: string, label: string): { config: Json; raw: string | null } {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { config: {}, raw: null };
    throw fileSystemError(err, file);
  }
  if (raw.trim() === '') return { config: {}, raw };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new UserError(
      'invalid_input',
      `${label} ${file} is not valid JSON (${(err as Error).message}); it was left untouched. Fix it or move it away, then try again.`,
    );
  }
  if (!isObject(parsed)) {
    throw new UserError('invalid_input', `${label} ${file} must hold a JSON object; it was left untouched.`);
  }
  return { config: parsed, raw };
}

/** A copy of the file's bytes beside it (mode 0600), named by the time; null when there was no file. */
export function backupFile(file: string, raw: string | null): string | null {
  if (raw === null) return null;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = `${file}.mem0-tray-backup-${stamp}`;
  writeFileAtomic(target, raw, 0o600);
  return target;
}
