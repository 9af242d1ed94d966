// Glob matching for excluded project directories ("~/work/secret-*", "**/clients/**").
//
// Why our own: picomatch/minimatch are in node_modules only as build-tool dependencies (vite,
// electron-builder), so they would not ship with the app; Node's path.matchesGlob is experimental
// in Node 20 (prints an ExperimentalWarning) and its semantics could change under Electron's Node.
// The need is small — whole-path patterns with *, **, ?, [...] and {a,b} — and fully tested.
import os from 'node:os';
import path from 'node:path';

/** Converts one glob to an anchored RegExp over '/'-separated paths. */
export function globToRegExp(glob: string, caseInsensitive = false): RegExp {
  let re = '';
  let i = 0;
  let braces = 0;
  while (i < glob.length) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // "**" spans directories; "/**/" also matches a single "/"
        i += 2;
        if (glob[i] === '/') {
          re += '(?:.*/)?';
          i++;
        } else re += '.*';
        continue;
      }
      re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        let cls = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += `[${cls}]`;
        i = end;
      }
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else re += c.replace(/[.+^$()|\\]/g, '\\$&');
    i++;
  }
  while (braces-- > 0) re += ')';
  return new RegExp(`^${re}$`, caseInsensitive ? 'i' : '');
}

function toSlashes(p: string): string {
  return p.replace(/\\/g, '/');
}

/** Expands a leading "~" and makes the pattern absolute-looking, with forward slashes. */
export function expandPattern(pattern: string, home: string = os.homedir()): string {
  let p = pattern.trim();
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) p = home + p.slice(1);
  p = toSlashes(p);
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

export interface ExcludeMatcher {
  /** The first pattern that matches the directory or one of its parents, or null. */
  match(dir: string): string | null;
}

/**
 * A project is excluded when a pattern matches its directory or any parent directory, so
 * "~/work/secret" also covers Claude Code started in "~/work/secret/api".
 */
export function createExcludeMatcher(
  patterns: readonly string[],
  options: { home?: string; platform?: NodeJS.Platform } = {},
): ExcludeMatcher {
  const platform = options.platform ?? process.platform;
  const caseInsensitive = platform === 'win32' || platform === 'darwin';
  const compiled = patterns.map((p) => ({
    pattern: p,
    re: globToRegExp(expandPattern(p, options.home), caseInsensitive),
  }));
  return {
    match(dir: string) {
      if (compiled.length === 0 || !dir) return null;
      let current = toSlashes(dir).replace(/\/+$/, '') || '/';
      for (;;) {
        for (const c of compiled) if (c.re.test(current)) return c.pattern;
        const parent = path.posix.dirname(current);
        if (parent === current || parent === '.') return null;
        current = parent;
      }
    },
  };
}
