// Following an asynchronous add on the Mem0 Platform: Mem0 answers an add with PENDING and an
// event id, and the memories exist once the event has SUCCEEDED.
import { UserError } from '../errors.js';
import type { Failure } from './mem0-platform-sdk.js';
import { sleep } from './mem0-records.js';

export interface EventPoll {
  /** First poll delay; each next one is half as long again, up to maxMs. */
  firstMs: number;
  maxMs: number;
  /** When to give up for now (the ledger keeps the event for the retry). */
  timeoutMs: number;
}

/**
 * Polls GET /v1/event/{id}/ (the SDK has no call for it) until SUCCEEDED or FAILED. Returns the
 * event's results, or null when Mem0 no longer knows the event. Giving up for now (timeout, network)
 * throws; a gone or failed event calls `forget` first, so the retry adds the turn afresh.
 */
export async function followAddEvent({
  url,
  apiKey,
  eventId,
  poll,
  forget,
  fail,
}: {
  url: string;
  apiKey: string;
  eventId: string;
  poll: EventPoll;
  forget: () => void;
  fail: (kind: Failure, err: unknown) => UserError;
}): Promise<Array<Record<string, unknown>> | null> {
  const deadline = Date.now() + poll.timeoutMs;
  let delay = poll.firstMs;
  let networkFailures = 0;
  for (;;) {
    await sleep(delay);
    delay = Math.min(poll.maxMs, Math.ceil(delay * 1.5));
    let res: Response;
    try {
      res = await fetch(url, { headers: { Authorization: `Token ${apiKey}`, Accept: 'application/json' } });
      networkFailures = 0;
    } catch (err) {
      if (++networkFailures >= 3) throw fail('network', err);
      continue;
    }
    if (res.status === 401 || res.status === 403) throw fail('unauthorized', null);
    if (res.status === 404) {
      forget();
      return null;
    }
    if (res.ok) {
      const event = (await res.json()) as { status?: string; results?: unknown };
      const status = String(event.status ?? '').toUpperCase();
      if (status === 'SUCCEEDED')
        return Array.isArray(event.results) ? (event.results as Array<Record<string, unknown>>) : [];
      if (status === 'FAILED') {
        forget();
        throw new UserError(
          'failure',
          `Mem0 could not process the memory (event ${eventId} failed); it will be sent again.`,
        );
      }
    } else {
      await res.body?.cancel();
    }
    if (Date.now() > deadline) {
      throw new UserError(
        'backend_unavailable',
        `Mem0 is still processing event ${eventId}; it will be checked again later.`,
      );
    }
  }
}
