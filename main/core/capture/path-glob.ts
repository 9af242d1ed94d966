// Glob matching for excluded project directories ("~/work/secret-*", "**/clients/**"), with
// picomatch: *, **, ?, [...], [!...] and {a,b} over whole paths.
import os from 'node:os';
import path from 'node:path';
import picomatch, { type PicomatchOptions } from 'picomatch';

const OPTIONS: PicomatchOptions = {
  // A hidden directory is still a project: "~/work/*" covers "~/work/.scratch".
  dot: true,
  // "[!bc]" negates the class, as in a shell.
  posix: true,
  // A pattern is one path: a leading "!" is a character of it, not "everything but".
  nonegate: true,
  // Patterns and paths reach here with forward slashes on every platform, so a backslash is only
  // ever our escape (see globToRegExp); on Windows picomatch would read it as a separator.
  windows: false,
};

/** Converts one glob to an anchored RegExp over '/'-separated paths. */
export function globToRegExp(glob: string, caseInsensitive = false): RegExp {
  // Parentheses and "|" are characters of directory names ("Program Files (x86)"); picomatch
  // would pass them through as regex groups and alternatives.
  return picomatch.makeRe(glob.replace(/[()|]/g, '\\$&'), { ...OPTIONS, nocase: caseInsensitive });
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
