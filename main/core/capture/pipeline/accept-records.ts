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
import type { Interlude } from './batch-transactions.js';
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

/** Requests of one message from the network thread, confirmed together. */
export interface AcceptGroup {
  requests: readonly AcceptedRequest[];
  recorded: () => void;
}

export class AcceptRecords implements Interlude<AcceptGroup[]> {
  /** Groups waiting for their (small, immediate) commit. */
  private waiting: AcceptGroup[] = [];
  private stopped = false;
  /** Hands over the groups the network thread sent that were not delivered yet (see takeWaiting). */
  private deliverWaiting: () => void = () => {};

  constructor(private readonly parts: AcceptRecordParts) {}

  /**
   * Records the requests and calls `recorded` once the records are committed (at once once
   * stopped). Never throws; `recorded` is always called.
   */
  accept(requests: readonly AcceptedRequest[], recorded: () => void): void {
    try {
      if (this.stopped) return recorded();
      // Committed once the messages that arrived together are handled (one transaction for all of
      // them: a core that was busy finds several), unless a batch commits them first (take).
      if (this.waiting.length === 0) setImmediate(() => this.writeAlone(this.takeQueued()));
      this.waiting.push({ requests, recorded });
    } catch {
      recorded();
    }
  }

  /** Where takeWaiting gets the groups that arrived while the core was busy. */
  drawFrom(deliverWaiting: () => void): void {
    this.deliverWaiting = deliverWaiting;
  }

  /**
   * The groups waiting now, including those the network thread sent while the core was busy: a
   * long batch takes them between two turns, records them in its transaction and confirms them
   * once that commits, so their replies need not wait for the whole batch (Interlude).
   */
  take(): AcceptGroup[] | null {
    const groups = this.takeWaiting();
    return groups.length > 0 ? groups : null;
  }

  /** Records the groups inside the caller's transaction; throws only if SQLite ended it. */
  writeWithin(groups: readonly AcceptGroup[]): void {
    const { db, log } = this.parts;
    for (const { requests } of groups) {
      for (const request of requests) {
        try {
          this.record(request);
        } catch (err) {
          if (!db.inTransaction) throw err;
          // One unreadable request does not keep the others from being recorded.
          log.debug('capture.accept_skipped', { error: describeError(err).slice(0, 200) });
        }
      }
    }
  }

  committed(groups: readonly AcceptGroup[]): void {
    confirm(groups);
  }

  /** Records the groups in a transaction of their own, then confirms them (also when it failed). */
  writeAlone(groups: readonly AcceptGroup[]): void {
    if (groups.length === 0) return;
    try {
      this.parts.db.transaction(() => this.writeWithin(groups)).immediate();
    } catch (err) {
      // Fail open: the reply goes on; this turn just cannot be recovered should the core die.
      this.parts.log.warn('capture.accept_failed', {
        requests: groups.reduce((n, g) => n + g.requests.length, 0),
        error: describeError(err),
      });
    }
    confirm(groups);
  }

  /** Commits what is waiting and takes no more. */
  stop(): void {
    const groups = this.takeWaiting();
    this.stopped = true;
    this.writeAlone(groups);
  }

  private takeWaiting(): AcceptGroup[] {
    try {
      this.deliverWaiting();
    } catch (err) {
      this.parts.log.warn('capture.accept_draw_failed', { error: describeError(err) });
    }
    return this.takeQueued();
  }

  private takeQueued(): AcceptGroup[] {
    const groups = this.waiting;
    this.waiting = [];
    return groups;
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
    if (settings.excludedProjects.length > 0) {
      const cwd = extractWorkingDirectory(parsed) ?? tracker.projectPathOf(newest.conversationId);
      if (rules.excluded(settings, cwd)) return;
    }
    tracker.accept(newest);
  }
}

/** Tells the network thread the groups are recorded (their replies may end). */
function confirm(groups: readonly AcceptGroup[]): void {
  for (const { recorded } of groups) {
    try {
      recorded();
    } catch {
      // the network side's problem, never the capture's
    }
  }
}
