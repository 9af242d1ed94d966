// Structured logs: an event name plus primitive fields (ids, sizes, counts, ports). There is no way
// to log an object, which keeps conversation text, tokens and keys out by construction; callers
// must still never pass such text as a field value.
import fs from 'node:fs';
import path from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(scope: string): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** JSON lines appended here (the data directory's log file). */
  file?: string;
  /** Also print one short line per entry to stderr. */
  console?: boolean;
  scope?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? envLevel() ?? 'info';
  let stream: fs.WriteStream | null = null;
  if (options.file) {
    try {
      // The log lives in the data directory, which is the user's alone (see private-fs.ts).
      fs.mkdirSync(path.dirname(options.file), { recursive: true, mode: 0o700 });
      stream = fs.createWriteStream(options.file, { flags: 'a', mode: 0o600 });
      stream.on('error', () => {
        // A log that cannot be written (disk full, read-only) must never take the app down.
        stream = null;
      });
    } catch {
      stream = null;
    }
  }
  const make = (scope: string | undefined): Logger => {
    const write = (lvl: LogLevel, event: string, fields?: LogFields) => {
      if (ORDER[lvl] < ORDER[level]) return;
      const entry = { time: new Date().toISOString(), level: lvl, scope, event, ...fields };
      stream?.write(JSON.stringify(entry) + '\n');
      if (options.console) {
        const extra = fields
          ? Object.entries(fields)
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')
          : '';
        process.stderr.write(`[${lvl}]${scope ? ` ${scope}:` : ''} ${event}${extra ? ' ' + extra : ''}\n`);
      }
    };
    return {
      debug: (e, f) => write('debug', e, f),
      info: (e, f) => write('info', e, f),
      warn: (e, f) => write('warn', e, f),
      error: (e, f) => write('error', e, f),
      child: (s) => make(scope ? `${scope}.${s}` : s),
    };
  };
  return make(options.scope);
}

function envLevel(): LogLevel | undefined {
  const v = process.env.MEM0_TRAY_LOG_LEVEL;
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error' ? v : undefined;
}

/** A logger that drops everything (tests, one-shot CLI commands). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
