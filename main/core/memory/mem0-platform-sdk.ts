// The mem0ai SDK as the Platform backend uses it: loading it (with its telemetry switch), what its
// failures mean and whether a request can have reached Mem0, and the shapes of its answers.
import { UserError, describeError } from '../errors.js';

const importSdk = () => import('mem0ai');
export type Mem0Sdk = Awaited<ReturnType<typeof importSdk>>;
let sdk: Promise<Mem0Sdk> | null = null;

/**
 * Loads the SDK once per process. Its telemetry switch (MEM0_TELEMETRY, read when the module is
 * evaluated, "false" turns it off) must be set before that first load, hence the dynamic import.
 * A later change of the mem0Telemetry setting takes effect after a restart.
 */
export function loadMem0Sdk(telemetry: boolean, env: NodeJS.ProcessEnv = process.env): Promise<Mem0Sdk> {
  if (!sdk) {
    if (!telemetry) env.MEM0_TELEMETRY = 'false';
    sdk = importSdk();
  }
  return sdk;
}

export type Failure = 'unauthorized' | 'rate_limited' | 'network' | 'not_found' | 'invalid' | 'server';

export function classify(err: unknown): Failure {
  const name = (err as { name?: string } | undefined)?.name ?? '';
  const message = describeError(err);
  if (name === 'AuthenticationError') return 'unauthorized';
  if (name === 'RateLimitError') return 'rate_limited';
  if (name === 'NetworkError') return 'network';
  if (name === 'MemoryNotFoundError') return 'not_found';
  if (name === 'ValidationError' || name === 'MemoryQuotaExceededError') return 'invalid';
  if (
    err instanceof TypeError ||
    /fetch failed|Failed to ping server|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|socket/i.test(message)
  ) {
    return 'network';
  }
  return 'server';
}

export const retryDelay = (attempt: number, baseMs: number, maxMs: number) =>
  Math.min(maxMs, baseMs * 2 ** attempt) * (0.5 + Math.random() / 2);

/** What a failed SDK call means for the user, and what to do about it. */
export function failureError(
  kind: Failure,
  op: string,
  err: unknown,
  context: { host: string; rateLimitAttempts: number },
): UserError {
  switch (kind) {
    case 'unauthorized':
      return new UserError(
        'unauthorized',
        'The Mem0 API key was rejected: run "mem0-tray apikey set" with a valid key from app.mem0.ai.',
      );
    case 'rate_limited':
      return new UserError(
        'backend_unavailable',
        `Mem0 is limiting requests (HTTP 429) and still was after ${context.rateLimitAttempts} tries: wait a minute and try again; captured turns stay queued.`,
      );
    case 'network':
      return new UserError(
        'backend_unavailable',
        `Cannot reach Mem0 at ${context.host} (${describeError(err)}): check the network or the mem0Host setting; captured turns stay queued until it is back.`,
        { cause: err },
      );
    case 'not_found':
      return new UserError('not_found', `Mem0 has no such memory (${op}).`);
    case 'invalid':
      return new UserError(
        'invalid_input',
        `Mem0 refused the ${op} request (${(err as { errorCode?: string }).errorCode ?? 'invalid'}).`,
      );
    default:
      return new UserError(
        'backend_unavailable',
        `Mem0 failed on ${op} (${(err as { errorCode?: string }).errorCode ?? describeError(err)}); try again later.`,
      );
  }
}

/** Connection errors that happen before a request is written: it cannot have reached Mem0. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function neverSent(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && NOT_SENT.has(e.code)) return true;
  if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((x) => neverSent(x, depth + 1)))
    return true;
  return neverSent(e.cause, depth + 1);
}

/** The results of an add that are memories now (ADD/UPDATE; NOOP and DELETE make none), once each. */
export function addedResults(results: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const seen = new Set<string>();
  return results.filter((r) => {
    const event = String(r.event ?? 'ADD').toUpperCase();
    const id = typeof r.id === 'string' ? r.id : typeof r.memory_id === 'string' ? r.memory_id : null;
    if (!id || seen.has(id) || (event !== 'ADD' && event !== 'UPDATE')) return false;
    seen.add(id);
    return true;
  });
}
