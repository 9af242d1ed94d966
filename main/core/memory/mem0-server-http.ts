// The self-hosted Mem0 server's REST API as the mem0-server backend calls it: one request with its
// API key and timeout, retries of 429 and network failures, and failures as UserErrors that say
// what to do.
import { UserError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { sleep } from './mem0-records.js';

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly kind: 'unauthorized' | 'rate_limited' | 'network' | 'not_found' | 'invalid' | 'server',
    message: string,
  ) {
    super(message);
  }
}

export interface Mem0ServerHttpOptions {
  /** The server's URL without a trailing slash. */
  base: string;
  apiKey: () => Promise<string | null>;
  log: Logger;
  timeoutMs: number;
  retry: { rateLimitAttempts: number; networkAttempts: number; baseMs: number; maxMs: number };
}

export class Mem0ServerHttp {
  constructor(private readonly options: Mem0ServerHttpOptions) {}

  private async once(method: string, path: string, body?: unknown): Promise<unknown> {
    const key = (await this.options.apiKey())?.trim();
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (key) headers['X-API-Key'] = key;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.options.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      throw new HttpFailure(0, 'network', describeError(cause ?? err));
    }
    const text = await res.text();
    if (res.ok) return text ? (JSON.parse(text) as unknown) : null;
    const kind =
      res.status === 401 || res.status === 403
        ? 'unauthorized'
        : res.status === 429
          ? 'rate_limited'
          : res.status === 404
            ? 'not_found'
            : res.status === 400 || res.status === 422
              ? 'invalid'
              : res.status === 502 || res.status === 503 || res.status === 504
                ? 'network'
                : 'server';
    throw new HttpFailure(res.status, kind, `HTTP ${res.status}`);
  }

  /**
   * One request with retries of 429 and network failures; failures become UserErrors. An add is
   * never re-sent on a network failure here: the server may have stored it and only the reply was
   * lost, so the retry is left to addOnce, which first looks the memory up by its key.
   */
  async request(
    op: string,
    method: string,
    path: string,
    body?: unknown,
    retryNetwork = true,
  ): Promise<unknown> {
    let rateTries = 0;
    let netTries = 0;
    for (;;) {
      try {
        return await this.once(method, path, body);
      } catch (err) {
        if (!(err instanceof HttpFailure)) throw err;
        if (err.kind === 'rate_limited' && ++rateTries < this.options.retry.rateLimitAttempts) {
          await sleep(
            Math.min(this.options.retry.maxMs, this.options.retry.baseMs * 2 ** rateTries) *
              (0.5 + Math.random() / 2),
          );
          continue;
        }
        if (retryNetwork && err.kind === 'network' && ++netTries < this.options.retry.networkAttempts) {
          await sleep(this.options.retry.baseMs / 2);
          continue;
        }
        this.options.log.warn('mem0.call_failed', {
          op,
          kind: err.kind,
          status: err.status,
          backend: 'mem0-server',
        });
        throw this.userError(op, err);
      }
    }
  }

  private userError(op: string, err: HttpFailure): UserError {
    switch (err.kind) {
      case 'unauthorized':
        return new UserError(
          'unauthorized',
          `The Mem0 server at ${this.options.base} rejected the API key: run "mem0-tray apikey set" with the server's key (its ADMIN_API_KEY or a key it issued).`,
        );
      case 'rate_limited':
        return new UserError(
          'backend_unavailable',
          `The Mem0 server is limiting requests (HTTP 429): try again in a minute; captured turns stay queued.`,
        );
      case 'network':
        return new UserError(
          'backend_unavailable',
          `Cannot reach the Mem0 server at ${this.options.base} (${err.message}): check that it runs and the mem0ServerUrl setting; captured turns stay queued until it is back.`,
        );
      case 'not_found':
        return new UserError('not_found', `The Mem0 server has no such memory (${op}).`);
      case 'invalid':
        return new UserError('invalid_input', `The Mem0 server refused the ${op} request (${err.message}).`);
      default:
        return new UserError(
          'backend_unavailable',
          `The Mem0 server failed on ${op} (${err.message}); see its logs, then try again.`,
        );
    }
  }
}
