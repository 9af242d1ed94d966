// Outcomes made known once their batch has committed: the pipeline's counters, the 'capture' and
// 'memory.added' events (the UI and the audit log listen) and log lines, never with content.
import type { Settings } from '../../config/settings.js';
import { describeError } from '../../errors.js';
import type { CaptureEvent, CoreEvents } from '../../events.js';
import type { Logger } from '../../log.js';
import type { Memory } from '../../memory/types.js';
import type { CapturedExchange } from '../exchange.js';
import type { Outcome, Recovery } from './outcome.js';

/** The pipeline's figures since it started (part of CapturePipelineStatus). */
export interface CaptureCounts {
  received: number;
  captured: number;
  /** Traffic that is not a Messages call (count_tokens, HEAD probes, …). */
  ignored: number;
  errors: number;
  /** Turns stored late, from the history a later request resent (their batch died with the core). */
  recovered: number;
  /** Turns accepted for capture that no later request could give back (ids counted, not kept). */
  unrecovered: number;
  skipped: Record<string, number>;
  /** Which background rule matched, by rule id. */
  background: Record<string, number>;
  lastError: { message: string; at: string } | null;
}

export class OutcomeReport {
  private readonly counters = {
    received: 0,
    captured: 0,
    ignored: 0,
    errors: 0,
    recovered: 0,
    unrecovered: 0,
  };
  private readonly skipped: Record<string, number> = {};
  private readonly background: Record<string, number> = {};
  private lastError: CaptureCounts['lastError'] = null;

  constructor(
    private readonly events: CoreEvents,
    private readonly settings: () => Settings,
    private readonly log: Logger,
  ) {}

  counts(): CaptureCounts {
    return {
      ...this.counters,
      skipped: { ...this.skipped },
      background: { ...this.background },
      lastError: this.lastError,
    };
  }

  received(): void {
    this.counters.received++;
  }

  /** An exchange dropped because too many wait for their batch. */
  overloaded(): void {
    this.skipped.overloaded = (this.skipped.overloaded ?? 0) + 1;
  }

  /** Accepted turns no later request can give back any more (they expired). */
  expired(turns: number): void {
    this.counters.unrecovered += turns;
    this.log.warn('capture.turns_unrecovered', { turns, reason: 'expired' });
  }

  report(ex: CapturedExchange, outcome: Outcome): void {
    if (outcome.recovery) this.reportRecovery(ex, outcome.recovery);
    switch (outcome.kind) {
      case 'ignored':
        this.counters.ignored++;
        return;
      case 'failed': {
        this.counters.errors++;
        this.lastError = { message: outcome.message, at: new Date().toISOString() };
        const route = ex?.route === 'proxy' ? 'proxy' : 'gateway';
        this.log.error('capture.failed', {
          route,
          status: typeof ex?.status === 'number' ? ex.status : null,
          error: outcome.message,
        });
        try {
          this.events.emit('capture', { at: this.lastError.at, route, outcome: 'failed', reason: 'error' });
          this.events.emit('status');
        } catch {
          // a failing listener is its own problem
        }
        return;
      }
      case 'captured':
        this.counters.captured++;
        this.announce(outcome.added, outcome.userId);
        this.log.info('capture.captured', { route: ex.route, conversation: outcome.event.conversationId });
        this.emit(ex, 'captured', outcome.event);
        this.events.emit('status');
        return;
      case 'skipped':
        this.skipped[outcome.reason] = (this.skipped[outcome.reason] ?? 0) + 1;
        if (outcome.backgroundRule)
          this.background[outcome.backgroundRule] = (this.background[outcome.backgroundRule] ?? 0) + 1;
        this.log.debug('capture.skipped', { route: ex.route, reason: outcome.reason, status: ex.status });
        this.emit(ex, 'skipped', { ...outcome.event, reason: outcome.reason });
        return;
    }
  }

  private reportRecovery(ex: CapturedExchange, found: Recovery): void {
    this.counters.recovered += found.recovered;
    this.counters.unrecovered += found.unrecovered;
    this.counters.captured += found.recovered;
    this.announce(found.added, this.settings().userId);
    if (found.recovered > 0)
      this.log.warn('capture.recovered', {
        route: ex.route,
        conversation: found.conversationId,
        turns: found.recovered,
      });
    if (found.unrecovered > 0)
      this.log.warn('capture.turns_unrecovered', {
        conversation: found.conversationId,
        turns: found.unrecovered,
        reason: 'not_in_history',
      });
  }

  private announce(added: Memory[], userId: string): void {
    if (added.length === 0) return;
    try {
      this.events.created(added, { userId, via: 'capture' });
    } catch (err) {
      this.log.warn('capture.listener_failed', { error: describeError(err) });
    }
  }

  private emit(ex: CapturedExchange, outcome: CaptureEvent['outcome'], extra: Partial<CaptureEvent>): void {
    try {
      this.events.emit('capture', { at: new Date().toISOString(), route: ex.route, outcome, ...extra });
    } catch (err) {
      // A failing listener is its own problem, not the capture's.
      this.log.warn('capture.listener_failed', { error: describeError(err) });
    }
  }
}
