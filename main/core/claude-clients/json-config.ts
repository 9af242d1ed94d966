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

/** A client config's MCP servers (`mcpServers`), the config refused untouched when they are not an object. */
export function readMcpServers(
  file: string,
  label: string,
): { config: Json; raw: string | null; servers: Json } {
  const read = readJsonObject(file, label);
  const servers = read.config.mcpServers;
  if (servers !== undefined && !isObject(servers))
    throw new UserError('invalid_input', `"mcpServers" in ${file} must be an object; it was left untouched.`);
  return { ...read, servers: servers ?? {} };
}

/**
 * Puts a server's entry into a client config (`entry`), or takes it out (null), every other key
 * kept: the old file backed up, the new one written 0600 (it holds a token). Returns the entry it
 * replaced; nothing is written when there was nothing to take out.
 */
export function writeMcpServer(
  file: string,
  label: string,
  key: string,
  entry: Json | null,
): { previous: unknown; backupPath: string | null } {
  const { config, raw, servers } = readMcpServers(file, label);
  const previous = servers[key];
  if (entry === null && previous === undefined) return { previous, backupPath: null };
  const next: Json = { ...servers };
  if (entry === null) delete next[key];
  else next[key] = entry;
  const backupPath = backupFile(file, raw);
  writeFileAtomic(file, JSON.stringify({ ...config, mcpServers: next }, null, 2) + '\n', 0o600);
  return { previous, backupPath };
}
