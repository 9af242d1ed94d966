// Which project a captured turn belongs to, from the working directory the client reports.
// Claude Code 2.1.328 sends it in a role "system" message ("# Environment … - Primary working
// directory: /path"); older releases put "<env>Working directory: /path</env>" in the system prompt.
import { createHash } from 'node:crypto';
import type { IsolationMode } from '../config/settings.js';
import { textOf, type ParsedRequest } from './anthropic-types.js';

const PATTERNS = [
  /Primary working directory:[ \t]*([^\n<]+)/,
  /<env>[\s\S]*?Working directory:[ \t]*([^\n<]+)/,
  /^[ \t]*(?:-[ \t]*)?(?:Current )?[Ww]orking directory:[ \t]*([^\n<]+)$/m,
];

const looksAbsolute = (p: string) => /^(?:\/|[A-Za-z]:[\\/]|\\\\|~(?:[\\/]|$))/.test(p);

function findIn(text: string): string | null {
  for (const re of PATTERNS) {
    const m = re.exec(text);
    const dir = m?.[1]?.trim().replace(/^["'`]|["'`.]$/g, '');
    if (dir && looksAbsolute(dir)) return dir;
  }
  return null;
}

/** The working directory the client reported in this request, or null. */
export function extractWorkingDirectory(request: ParsedRequest): string | null {
  // Newest first: a role "system" message, then the system prompt, then user-side context.
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i]!;
    if (m.role !== 'system') continue;
    const found = findIn(textOf(m.blocks));
    if (found) return found;
  }
  const fromSystem = findIn(request.system);
  if (fromSystem) return fromSystem;
  for (const m of request.messages) {
    if (m.role !== 'user') continue;
    const found = findIn(textOf(m.blocks));
    if (found) return found;
  }
  return null;
}

/** Forward slashes, no trailing slash; drive-letter paths lower-cased (Windows ignores case). */
export function normaliseProjectPath(dir: string): string {
  let p = dir.trim().replace(/\\/g, '/');
  if (p.length > 1) p = p.replace(/\/+$/, '');
  if (/^[A-Za-z]:/.test(p)) p = p.toLowerCase();
  return p;
}

/**
 * A stable, readable project id: the directory's name plus a short hash of its full path, e.g.
 * "mem0-tray-3f9a1c2b". Two checkouts with the same name stay apart; the id never changes for a path.
 */
export function projectIdForPath(dir: string): string {
  const normalised = normaliseProjectPath(dir);
  const base = normalised.split('/').filter(Boolean).pop() ?? '';
  const slug =
    base
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 40) || 'root';
  const hash = createHash('sha256').update(normalised).digest('hex').slice(0, 8);
  return `${slug}-${hash}`;
}

export interface ProjectAttribution {
  projectId: string | null;
  /** The reported directory, kept in metadata whatever the mode. */
  projectPath: string | null;
}

/**
 * - auto: the id derived from the working directory (null when the client reported none);
 * - manual: every capture goes to settings.manualProjectId;
 * - global: no project (null) — memories are shared by every project, which is what "global"
 *   isolation means on the MCP side; the path stays in metadata so nothing is lost.
 */
export function attributeProject(
  settings: { isolationMode: IsolationMode; manualProjectId: string },
  dir: string | null,
): ProjectAttribution {
  switch (settings.isolationMode) {
    case 'manual':
      return { projectId: settings.manualProjectId, projectPath: dir };
    case 'global':
      return { projectId: null, projectPath: dir };
    default:
      return { projectId: dir ? projectIdForPath(dir) : null, projectPath: dir };
  }
}
