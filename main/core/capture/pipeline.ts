// Everything right of the tap: a finished exchange is parsed, matched to a conversation turn,
// cleaned (pause, background calls, excluded projects, private text, secrets) and stored, in the
// local store's database or through the durable outbox. The sink returns at once and never throws:
// capture problems are counted and logged (without content), never felt by the client.
// This file assembles the parts in pipeline/; what each does, its name says.
//
// Public API for the capture feature (capture/capture-feature.ts):
//   const pipeline = createCapturePipeline(ctx);
//   the network thread's accepted requests go to pipeline.accept, finished exchanges to
//   pipeline.sink; pipeline.drawAcceptsFrom(net.deliverWaitingAccepts) lets a long batch take the
//   accepts that arrive while it runs;
//   feature status: pipeline.status(); shutdown: await pipeline.stop().
import { describeError } from '../errors.js';
import type { CoreContext } from '../core-context.js';
import { Outbox, type OutboxOptions, type OutboxStatus } from '../memory/outbox.js';
import { ConversationTracker } from './conversation-tracker.js';
import type { AcceptedRequest, ExchangeSink } from './exchange.js';
import { AcceptRecords } from './pipeline/accept-records.js';
import { BatchTransactions } from './pipeline/batch-transactions.js';
import { CaptureRules } from './pipeline/capture-rules.js';
import { ExchangeQueue } from './pipeline/exchange-queue.js';
import { OutcomeReport, type CaptureCounts } from './pipeline/outcome-report.js';
import { ParsedRequests } from './pipeline/parsed-requests.js';
import { markRunning, markStopped, schedulePruning, type UncleanShutdown } from './pipeline/run-state.js';
import { announcingDeliveries } from './pipeline/stored-announcement.js';
import { evaluateExchange } from './pipeline/turn-evaluation.js';
import { TurnStore } from './pipeline/turn-store.js';

export type { AcceptedRequest, CapturedExchange, ExchangeSink } from './exchange.js';
export { UNCLEAN_SHUTDOWN_STATE } from './pipeline/run-state.js';

export interface CapturePipelineOptions {
  /** Use this outbox instead of creating one (the pipeline then neither starts nor stops it). */
  outbox?: Outbox;
  /** Tuning for the outbox the pipeline creates (concurrency, backoff, timeout). */
  outboxOptions?: Partial<Omit<OutboxOptions, 'db' | 'backend' | 'events' | 'log'>>;
  /** Background rules setting ({disable, extra}); default: settings.captureRules if present. */
  backgroundRules?: unknown;
  /** Exchanges waiting to be processed beyond this are dropped (counted as "overloaded"). */
  maxQueued?: number;
  /** How long turn keys are remembered for de-duplication. */
  rememberTurnsDays?: number;
  /** How long an accepted turn waits to be recovered from a later request's history. */
  recoverTurnsDays?: number;
}

export interface CapturePipelineStatus extends CaptureCounts {
  enabled: boolean;
  /** Turns captured since local midnight (survives restarts). */
  capturesToday: number;
  queued: number;
  /** Set when this start found that the previous run had not stopped cleanly. */
  uncleanShutdown: UncleanShutdown | null;
  outbox: OutboxStatus;
}

export interface CapturePipeline {
  sink: ExchangeSink;
  /**
   * Records, without content, that requests were accepted for capture (conversation and turn key)
   * and calls `recorded` once that is committed: the network side holds the end of each reply for
   * it, so a turn whose reply completed can always be recovered from the client's next request.
   * Nothing is recorded for a paused, background or excluded request. Never throws; `recorded` is
   * always called.
   */
  accept(requests: readonly AcceptedRequest[], recorded: () => void): void;
  /**
   * How a long batch takes the accepted requests that arrived while it ran (the network's
   * deliverWaitingAccepts): they are committed between two of its turns instead of after it.
   */
  drawAcceptsFrom(deliverWaiting: () => void): void;
  status(): CapturePipelineStatus;
  readonly outbox: Outbox;
  readonly tracker: ConversationTracker;
  /** Resolves once every exchange handed to the sink so far has been processed (tests, shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function createCapturePipeline(
  ctx: CoreContext,
  options: CapturePipelineOptions = {},
): CapturePipeline {
  const log = ctx.log.child('capture');
  const tracker = new ConversationTracker(ctx.db);
  const ownOutbox = !options.outbox;
  const announcing = announcingDeliveries(ctx.events, log);
  const outbox =
    options.outbox ??
    new Outbox({
      ...options.outboxOptions,
      db: ctx.db,
      backend: () => announcing(ctx.backend()),
      events: ctx.events,
      log: ctx.log.child('outbox'),
    });
  if (ownOutbox) outbox.start();

  const rules = new CaptureRules(options.backgroundRules, log);
  const parsed = new ParsedRequests();
  const transactions = new BatchTransactions(ctx.db, log);
  const store = new TurnStore({
    db: ctx.db,
    memories: ctx.memories,
    tracker,
    outbox,
    transactions,
    rules,
    log,
  });
  const report = new OutcomeReport(ctx.events, ctx.settings, log);
  const accepted = new AcceptRecords({ db: ctx.db, settings: ctx.settings, tracker, rules, parsed, log });
  const evaluation = { settings: ctx.settings, tracker, rules, parsed, store, transactions };
  const queue = new ExchangeQueue((batch) => {
    const outcomes = transactions.run(batch, (ex) => evaluateExchange(evaluation, ex), accepted);
    batch.forEach((ex, i) => report.report(ex, outcomes[i]!));
  }, options.maxQueued ?? 1_000);

  const uncleanShutdown = markRunning(tracker, log);
  const stopPruning = schedulePruning(
    tracker,
    { rememberDays: options.rememberTurnsDays ?? 90, recoverDays: options.recoverTurnsDays ?? 7 },
    (turns) => report.expired(turns),
    log,
  );

  let stopped = false;
  const sink: ExchangeSink = (exchange) => {
    try {
      if (stopped) return;
      report.received();
      if (!queue.push(exchange)) report.overloaded();
    } catch {
      // never into the network path
    }
  };

  return {
    sink,
    accept: (requests, recorded) => accepted.accept(requests, recorded),
    drawAcceptsFrom: (deliverWaiting) => accepted.drawFrom(deliverWaiting),
    outbox,
    tracker,
    status() {
      let capturesToday = 0;
      try {
        const midnight = new Date();
        midnight.setHours(0, 0, 0, 0);
        capturesToday = tracker.countSince(midnight);
      } catch {
        // the database is unavailable; the other figures still help
      }
      let outboxStatus: OutboxStatus;
      try {
        outboxStatus = outbox.status();
      } catch (err) {
        outboxStatus = {
          pending: 0,
          failed: 0,
          inFlight: 0,
          oldestPendingAgeMs: null,
          delivered: 0,
          deliveredSinceStart: 0,
          lastError: { message: describeError(err), at: new Date().toISOString() },
        };
      }
      return {
        enabled: ctx.settings().captureEnabled,
        capturesToday,
        ...report.counts(),
        queued: queue.length,
        uncleanShutdown,
        outbox: outboxStatus,
      };
    },
    idle: () => queue.idle(),
    async stop() {
      stopped = true;
      stopPruning();
      accepted.stop();
      // What was already handed over is processed, so it reaches the durable outbox.
      queue.flush();
      markStopped(tracker, log);
      if (ownOutbox) await outbox.stop();
    },
  };
}
