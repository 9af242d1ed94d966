// Records, without content, that a request was accepted for capture (its conversation, turn key and
// place), committed before the network thread lets its reply end: a turn whose reply completed can
// then always be recovered from the client's next request, even if its batch dies with the core.
import type { Settings } from '../../config/settings.js';
import type { Db } from '../../db/database.js';
import { describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { isMessagesRequest, parseRequestBody } from '../anthropic-parser.js';
import { matchBackground } from '../background-rules.js';
import type { ConversationTracker } from '../conversation-tracker.js';
import type { AcceptedRequest } from '../exchange.js';
import { extractWorkingDirectory } from '../project.js';
import type { CaptureRules } from './capture-rules.js';
import type { ParsedRequests } from './parsed-requests.js';

export interface AcceptRecordParts {
  db: Db;
  settings: () => Settings;
  tracker: ConversationTracker;
  rules: CaptureRules;
  parsed: ParsedRequests;
  log: Logger;
}

export class AcceptRecords {
  /** Accepted requests waiting for their (small, immediate) commit, each with its waiter. */
  private waiting: Array<{ request: AcceptedRequest; done: () => void }> = [];
  private stopped = false;

  constructor(private readonly parts: AcceptRecordParts) {}

  /**
   * Resolves once the request's record is committed. Never rejects; resolves at once when nothing
   * is recorded (stopped, paused, background, excluded).
   */
  accept(request: AcceptedRequest): Promise<void> {
    return new Promise<void>((resolve) => {
      try {
        if (this.stopped) return resolve();
        // Committed once the code that accepted it is done (all requests of one message from the
        // network thread in one transaction): that thread's replies wait for it.
        if (this.waiting.length === 0) queueMicrotask(() => this.commit());
        this.waiting.push({ request, done: resolve });
      } catch {
        resolve();
      }
    });
  }

  /** Commits what is waiting and takes no more. */
  stop(): void {
    this.stopped = true;
    this.commit();
  }

  private commit(): void {
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    const { db, log } = this.parts;
    try {
      db.transaction(() => {
        for (const { request } of batch) {
          try {
            this.record(request);
          } catch (err) {
            if (!db.inTransaction) throw err;
            // One unreadable request does not keep the others from being recorded.
            log.debug('capture.accept_skipped', { error: describeError(err).slice(0, 200) });
          }
        }
      }).immediate();
    } catch (err) {
      // Fail open: the reply goes on; this turn just cannot be recovered should the core die.
      log.warn('capture.accept_failed', { requests: batch.length, error: describeError(err) });
    }
    for (const { done } of batch) done();
  }

  /** Whether a request could become a turn, and if so its keys recorded (no content). */
  private record(request: AcceptedRequest): void {
    const { tracker, rules } = this.parts;
    const settings = this.parts.settings();
    if (!settings.captureEnabled || !isMessagesRequest(request.method, request.path)) return;
    const parsed = parseRequestBody(request.requestBody);
    if (!parsed) return;
    this.parts.parsed.keep(request.tapId, parsed);
    if (matchBackground(parsed, rules.background(settings), request.requestHeaders ?? {})) return;
    const newest = tracker.newestTurn(parsed, request.requestHeaders);
    if (!newest) return;
    const cwd = extractWorkingDirectory(parsed) ?? tracker.projectPathOf(newest.conversationId);
    if (rules.excluded(settings, cwd)) return;
    tracker.accept(newest);
  }
}
