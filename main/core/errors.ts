// Errors a user can act on. The message says what happened and what to do; the code is stable for
// scripts (CLI exit codes) and for the UI (which never shows a stack trace).

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  data: 4,
  conflict: 5,
  denied: 6,
} as const;

export type ErrorCode =
  | 'usage'
  | 'not_found'
  | 'invalid_settings'
  | 'database_corrupt'
  | 'database_unavailable'
  | 'disk_full'
  | 'read_only'
  | 'conflict'
  | 'access_denied'
  | 'unauthorized'
  | 'backend_unavailable'
  | 'keychain_unavailable'
  | 'invalid_input'
  | 'failure';

const EXIT_BY_CODE: Record<ErrorCode, number> = {
  usage: EXIT.usage,
  invalid_input: EXIT.usage,
  not_found: EXIT.notFound,
  invalid_settings: EXIT.data,
  database_corrupt: EXIT.data,
  database_unavailable: EXIT.data,
  disk_full: EXIT.data,
  read_only: EXIT.data,
  conflict: EXIT.conflict,
  access_denied: EXIT.denied,
  unauthorized: EXIT.denied,
  backend_unavailable: EXIT.failure,
  keychain_unavailable: EXIT.failure,
  failure: EXIT.failure,
};

export class UserError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
    this.code = code;
  }
  get exitCode(): number {
    return EXIT_BY_CODE[this.code];
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}

/** A one-line description of any thrown value, safe for logs (no stack, no payloads). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err).split('\n')[0] ?? 'unknown error';
}
