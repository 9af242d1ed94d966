// A Logger that keeps what it is told, one JSON line per entry ({level, scope, event, ...fields}),
// for tests that check what is logged and what never is.
import type { LogFields, Logger } from '../../main/core/log.js';

export function recordingLogger(lines: string[], scope = ''): Logger {
  const write = (level: string) => (event: string, fields?: LogFields) =>
    lines.push(JSON.stringify({ level, scope, event, ...fields }));
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (s) => recordingLogger(lines, scope ? `${scope}.${s}` : s),
  };
}

/** The event names of recorded lines. */
export const loggedEvents = (lines: string[]): string[] =>
  lines.map((line) => (JSON.parse(line) as { event: string }).event);
