// Everything right of the tap: a finished exchange is parsed, matched to a conversation turn,
// cleaned (pause, background calls, excluded projects, private text, secrets) and written to the
// durable outbox, which delivers it to the memory backend. The sink returns at once and never
// throws: capture problems are counted and logged (without content), never felt by the client.
//
// Public API for the capture feature (capture/feature.ts):
//   const pipeline = createCapturePipeline(ctx);
//   proxy/gateway call pipeline.sink(exchange) for each finished exchange;
//   feature status: pipeline.status(); shutdown: await pipeline.stop().
import type { Settings } from '../config/settings.js';
import { describeError } from '../errors.js';
import type { CaptureEvent } from '../events.js';
import type { CoreContext } from '../core-context.js';
import { Outbox, type OutboxOptions, type OutboxStatus } from '../memory/outbox.js';
import { LocalMemoryBackend } from '../memory/local-backend.js';
import type { Memory, MemoryBackend, Metadata, NewMemory } from '../memory/types.js';
import { isMessagesRequest, parseExchange, parseRequestBody } from './anthropic-parser.js';
import type { ParsedRequest } from './anthropic-types.js';
import { matchBackground, resolveBackgroundRules, type BackgroundRule } from './background-rules.js';
import { ConversationTracker, type Turn } from './conversation-tracker.js';
import type { AcceptedRequest, CapturedExchange, ExchangeSink } from './exchange.js';
import { createExcludeMatcher, type ExcludeMatcher } from './path-glob.js';
import { cleanForStorage } from './privacy.js';
import { attributeProject, extractWorkingDirectory } from './project.js';
import { formatTurnText } from './turn-text.js';

export type { AcceptedRequest, CapturedExchange, ExchangeSink } from './exchange.js';

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

/** capture_state key of an unclean stop not yet shown by `mem0-tray status`. */
export const UNCLEAN_SHUTDOWN_STATE = 'unclean_shutdown_unseen';

export interface CapturePipelineStatus {
  enabled: boolean;
  /** Turns captured since local midnight (survives restarts). */
  capturesToday: number;
  received: number;
  captured: number;
  /** Traffic that is not a Messages call (count_tokens, HEAD probes, …). */
  ignored: number;
  skipped: Record<string, number>;
  /** Which background rule matched, by rule id. */
  background: Record<string, number>;
  errors: number;
  lastError: { message: string; at: string } | null;
  queued: number;
  /** Turns stored late, from the history a later request resent (their batch died with the core). */
  recovered: number;
  /** Turns accepted for capture that no later request could give back (ids counted, not kept). */
  unrecovered: number;
  /** Set when this start found that the previous run had not stopped cleanly. */
  uncleanShutdown: { detectedAt: string; outstandingTurns: number } | null;
  outbox: OutboxStatus;
}

export interface CapturePipeline {
  sink: ExchangeSink;
  /**
   * Records, without content, that a request was accepted for capture (its conversation and turn
   * key), committed before the promise resolves: the network side holds the end of the reply for
   * it, so a turn whose reply completed can always be recovered from the client's next request.
   * Never rejects; resolves at once when nothing is recorded (paused, background, excluded).
   */
  accept(request: AcceptedRequest): Promise<void>;
  status(): CapturePipelineStatus;
  readonly outbox: Outbox;
  readonly tracker: ConversationTracker;
  /** Resolves once every exchange handed to the sink so far has been processed (tests, shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** Earlier turns of the conversation handled while processing an exchange (see recoverFromHistory). */
interface Recovery {
  conversationId: string;
  added: Memory[];
  recovered: number;
  unrecovered: number;
}

type Outcome = (
  | { kind: 'captured'; event: Partial<CaptureEvent>; added: Memory[]; userId: string }
  | { kind: 'skipped'; reason: string; event?: Partial<CaptureEvent>; backgroundRule?: string }
  | { kind: 'failed'; message: string }
  /** Not a Messages call (count_tokens, HEAD probes, …). */
  | { kind: 'ignored' }
) & { recovery?: Recovery };

/**
 * Exchanges are processed in batches, each in one SQLite transaction: a commit costs ~2 ms beyond
 * its turns' own writes (a turn cost 341, 241 and 191 µs in batches of 10, 25 and 64: turns keyed
 * by hashes and ids dirty random index pages, which turns in one commit share), so one commit for
 * many turns is what lets a busy proxy's burst be stored instead of dropped. A batch starts
 * COMMIT_WINDOW_MS after its first exchange arrives: invisible to a user (memories appear that much
 * later). Under a steady 2,000 turns/s, 50 ms instead of 10 cost ~70 µs less CPU a turn. MAX_BATCH
 * bounds how long one batch holds the core's event loop (~25 ms).
 */
const MAX_BATCH = 128;
/** A capture's idempotency key in the outbox: this prefix and its turn key. */
const TURN_KEY_PREFIX = 'capture:';
const COMMIT_WINDOW_MS = 50;

/**
 * The batch cannot go on, and every exchange gets its own try instead: SQLite rolled the batch's
 * transaction back by itself (disk full, I/O error), or a turn failed part-way through its writes,
 * which only rolling the whole batch back undoes (turns in a batch have no savepoints; see atomically).
 */
class BatchLost extends Error {
  constructor(cause?: unknown) {
    super(cause === undefined ? 'the database rolled the batch back' : describeError(cause), { cause });
  }
}

export function createCapturePipeline(
  ctx: CoreContext,
  options: CapturePipelineOptions = {},
): CapturePipeline {
  const log = ctx.log.child('capture');
  const tracker = new ConversationTracker(ctx.db);
  const ownOutbox = !options.outbox;
  /** One reporting wrapper per backend (the outbox asks for the backend on every delivery). */
  const reporting = new WeakMap<MemoryBackend, MemoryBackend>();
  const outbox =
    options.outbox ??
    new Outbox({
      ...options.outboxOptions,
      db: ctx.db,
      backend: () => reportingDelivery(ctx.backend()),
      events: ctx.events,
      log: ctx.log.child('outbox'),
    });
  if (ownOutbox) outbox.start();

  /**
   * The active backend as the outbox sees it: each capture it delivers is announced with the ids
   * of the memories it became ('capture.stored'), which the capture event could not carry.
   */
  function reportingDelivery(backend: MemoryBackend): MemoryBackend {
    let wrapped = reporting.get(backend);
    if (!wrapped) {
      wrapped = new Proxy(backend, {
        get(target, prop) {
          if (prop === 'add') {
            return async (input: NewMemory): Promise<Memory[]> => {
              const added = await target.add(input);
              announceStored(input.idempotencyKey, added);
              return added;
            };
          }
          const value: unknown = Reflect.get(target, prop, target);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      reporting.set(backend, wrapped);
    }
    return wrapped;
  }

  function announceStored(key: string | undefined, added: Memory[]): void {
    if (!key?.startsWith(TURN_KEY_PREFIX)) return;
    try {
      ctx.events.emit('capture.stored', {
        at: new Date().toISOString(),
        turnKey: key.slice(TURN_KEY_PREFIX.length),
        memoryIds: added.map((m) => m.id),
      });
    } catch (err) {
      log.warn('capture.listener_failed', { error: describeError(err) });
    }
  }

  const maxQueued = options.maxQueued ?? 1_000;
  const queue: CapturedExchange[] = [];
  let scheduled = false;
  let stopped = false;
  let idleWaiters: Array<() => void> = [];
  const counters = { received: 0, captured: 0, ignored: 0, errors: 0, recovered: 0, unrecovered: 0 };
  /** Accepted requests waiting for their (small, immediate) commit, each with its waiter. */
  let accepting: Array<{ request: AcceptedRequest; done: () => void }> = [];
  /** Recovery found while evaluating the current exchange (reported once its batch committed). */
  let recovery: Recovery | undefined;
  /** A batch's transaction is open (see handle). */
  let inBatch = false;
  const skipped: Record<string, number> = {};
  const background: Record<string, number> = {};
  let lastError: CapturePipelineStatus['lastError'] = null;

  // Settings-derived helpers, rebuilt only when the setting changes.
  let rulesKey = '';
  let rules: BackgroundRule[] = resolveBackgroundRules();
  const backgroundRules = (settings: Settings): BackgroundRule[] => {
    const setting = options.backgroundRules ?? settings.captureRules;
    const key = JSON.stringify(setting ?? null);
    if (key !== rulesKey) {
      rulesKey = key;
      try {
        rules = resolveBackgroundRules(setting);
      } catch (err) {
        rules = resolveBackgroundRules();
        log.warn('capture.rules_invalid', { error: describeError(err) });
      }
    }
    return rules;
  };
  let excludeKey = '';
  let exclude: ExcludeMatcher = createExcludeMatcher([]);
  const excluder = (settings: Settings): ExcludeMatcher => {
    const key = settings.excludedProjects.join('\0');
    if (key !== excludeKey) {
      excludeKey = key;
      exclude = createExcludeMatcher(settings.excludedProjects);
    }
    return exclude;
  };

  // Whether the previous run stopped cleanly: set while a pipeline runs, cleared by stop().
  let uncleanShutdown: CapturePipelineStatus['uncleanShutdown'] = null;
  try {
    if (tracker.state('running') === '1') {
      uncleanShutdown = {
        detectedAt: new Date().toISOString(),
        outstandingTurns: tracker.outstandingCount(),
      };
      log.warn('capture.unclean_shutdown', { outstandingTurns: uncleanShutdown.outstandingTurns });
      // Kept until `mem0-tray status` has shown it once.
      tracker.setState(UNCLEAN_SHUTDOWN_STATE, JSON.stringify(uncleanShutdown));
    }
    tracker.setState('running', '1');
  } catch (err) {
    log.warn('capture.state_failed', { error: describeError(err) });
  }

  const pruneDays = options.rememberTurnsDays ?? 90;
  const recoverDays = options.recoverTurnsDays ?? 7;
  const prune = () => {
    try {
      tracker.prune(pruneDays);
      const expired = tracker.pruneAccepted(recoverDays);
      if (expired > 0) {
        counters.unrecovered += expired;
        log.warn('capture.turns_unrecovered', { turns: expired, reason: 'expired' });
      }
    } catch (err) {
      log.warn('capture.prune_failed', { error: describeError(err) });
    }
  };
  prune();
  const pruneTimer = setInterval(prune, 24 * 3_600_000);
  pruneTimer.unref();

  function process1(ex: CapturedExchange): Outcome {
    const settings = ctx.settings();
    // Paused: the proxy keeps forwarding; nothing about the exchange is parsed or recorded.
    if (!settings.captureEnabled) return { kind: 'skipped', reason: 'paused' };

    const parsed = parseExchange(ex, takeParsed(ex.tapId));
    if (!parsed.ok) {
      if (parsed.reason === 'not_messages_endpoint') return { kind: 'ignored' };
      return { kind: 'skipped', reason: parsed.reason };
    }
    const { request, response } = parsed;
    const model = response.model ?? request.model ?? undefined;

    const rule = matchBackground(request, backgroundRules(settings), ex.requestHeaders ?? {});
    if (rule) return { kind: 'skipped', reason: 'background', event: { model }, backgroundRule: rule.id };

    const newest = tracker.newestTurn(request, ex.requestHeaders);
    if (newest) recoverFromHistory(ex, request, newest, settings);

    const analysis = tracker.analyse(request, response, ex.requestHeaders);
    if (analysis.kind === 'skip') {
      // Settled on purpose: nothing left to recover for it. A tool loop's turn is still going on.
      if (newest && analysis.reason !== 'tool_loop' && analysis.reason !== 'stop_reason')
        tracker.resolve(newest.turnKey);
      return {
        kind: 'skipped',
        reason: analysis.reason,
        event: { conversationId: analysis.conversationId, model },
      };
    }
    const turn = analysis.turn;
    const cwd = extractWorkingDirectory(request) ?? tracker.projectPathOf(turn.conversationId);
    return storeCleaned(turn, cwd, ex, settings, { capturedAt: ex.endedAt, recovered: false });
  }

  /** Exclusion, privacy and the write of one turn (live, or recovered from a later history). */
  function storeCleaned(
    turn: Turn,
    cwd: string | null,
    ex: CapturedExchange,
    settings: Settings,
    at: { capturedAt: string; recovered: boolean },
  ): Outcome {
    if (cwd && excluder(settings).match(cwd)) {
      tracker.resolve(turn.turnKey);
      return { kind: 'skipped', reason: 'excluded_project', event: { conversationId: turn.conversationId } };
    }
    const { projectId, projectPath } = attributeProject(settings, cwd);

    const user = cleanForStorage(turn.userText);
    const answer = cleanForStorage(turn.answerText);
    // Everything the user said was private: Claude's answer would tell it anyway.
    if (!user.text || !answer.text) {
      tracker.resolve(turn.turnKey);
      return { kind: 'skipped', reason: 'private', event: { conversationId: turn.conversationId } };
    }

    const redactions: Record<string, number> = {};
    for (const counts of [user.counts, answer.counts]) {
      for (const [k, n] of Object.entries(counts)) redactions[k] = (redactions[k] ?? 0) + (n ?? 0);
    }
    const metadata: Metadata = {
      capture: {
        turnKey: turn.turnKey,
        route: ex.route,
        host: ex.host,
        client: ex.requestHeaders['user-agent'] ?? null,
        stopReason: turn.stopReason,
        capturedAt: at.capturedAt,
        ...(at.recovered ? { recovered: true, position: turn.position } : {}),
      },
      tools: turn.tools,
      projectPath,
      userChars: user.text.length,
      ...(Object.keys(redactions).length ? { redactions } : {}),
    };
    const stored = storeTurn(turn, projectPath, {
      userId: settings.userId,
      text: formatTurnText(user.text, answer.text),
      // Mem0 backends extract memories from the exchange itself; the local store keeps `text`.
      messages: [
        { role: 'user', content: user.text },
        { role: 'assistant', content: answer.text },
      ],
      infer: true,
      source: ex.route,
      projectId,
      conversationId: turn.conversationId,
      model: turn.model,
      metadata,
      createdAt: validTime(at.capturedAt),
    });
    if (stored === 'duplicate')
      return { kind: 'skipped', reason: 'duplicate', event: { conversationId: turn.conversationId } };
    return {
      kind: 'captured',
      event: {
        conversationId: turn.conversationId,
        projectId,
        model: turn.model ?? undefined,
        turnKey: turn.turnKey,
        // Queued: the ids follow in 'capture.stored' once the outbox has delivered it.
        ...(stored === 'queued' ? { queued: true } : { memoryIds: [stored.id] }),
      },
      added: stored === 'queued' ? [] : [stored],
      userId: settings.userId,
    };
  }

  /**
   * Turns of this conversation that were accepted for capture but never stored (their batch died
   * with the core) are stored now from the history this request resends, each once, at its own
   * place (its acceptance time), before the request's own turn. Only accepted turns: what was sent
   * while paused, excluded or before Mem0 Tray ran was never accepted, so it is never taken. An
   * accepted turn the history no longer shows before the newest one is given up (counted).
   */
  function recoverFromHistory(
    ex: CapturedExchange,
    request: ParsedRequest,
    newest: { conversationId: string; turnKey: string; position: number },
    settings: Settings,
  ): void {
    const earlier = tracker.outstanding(newest.conversationId).filter((a) => a.turnKey !== newest.turnKey);
    if (earlier.length === 0) return;
    const history = new Map(
      tracker.historyTurns(request, newest.conversationId, newest.position).map((t) => [t.turnKey, t]),
    );
    const cwd = extractWorkingDirectory(request) ?? tracker.projectPathOf(newest.conversationId);
    const found: Recovery = {
      conversationId: newest.conversationId,
      added: [],
      recovered: 0,
      unrecovered: 0,
    };
    for (const accepted of earlier) {
      const past = history.get(accepted.turnKey);
      if (!past) {
        // Not (or no longer) in this history: a later request of another branch may still show it.
        if (accepted.position < newest.position) {
          tracker.resolve(accepted.turnKey);
          found.unrecovered++;
        }
        continue;
      }
      if (!past.answerText) {
        tracker.resolve(accepted.turnKey);
        continue;
      }
      const outcome = storeCleaned(
        {
          conversationId: newest.conversationId,
          turnKey: past.turnKey,
          position: past.position,
          userText: past.userText,
          answerText: past.answerText,
          tools: past.tools,
          model: request.model,
          stopReason: 'end_turn',
        },
        cwd,
        ex,
        settings,
        { capturedAt: accepted.acceptedAt, recovered: true },
      );
      if (outcome.kind === 'captured') {
        found.recovered++;
        found.added.push(...outcome.added);
      }
    }
    if (found.recovered > 0 || found.unrecovered > 0) recovery = found;
  }

  /**
   * Marks the turn seen and stores it in one transaction: never one without the other (inside a
   * batch, the batch's transaction; see atomically). The local store shares this database, so the
   * memory itself is written there (durable once committed); a remote backend gets it through the
   * durable outbox. Transactions are IMMEDIATE: they read before they write, and a deferred one
   * would fail instead of waiting when another process (mcp stdio, the CLI) wrote in between. A
   * conversation with captures still waiting in the outbox (from before a backend switch) keeps using it, in order.
   * A memory written here carries no idempotency key: the claim in the same transaction is what keeps
   * a turn from being stored twice, and a key (a lookup and a random page of its unique index per
   * turn) cost ~30 µs of a ~200 µs turn under load. Deliveries through the outbox, which can repeat,
   * carry it. Returns the stored memory; its creation is announced once the transaction has committed.
   */
  function storeTurn(
    turn: Turn,
    projectPath: string | null,
    memory: Parameters<Outbox['enqueue']>[0]['memory'],
  ): Memory | 'queued' | 'duplicate' {
    const key = `${TURN_KEY_PREFIX}${turn.turnKey}`;
    const backend = ctx.backend();
    if (backend instanceof LocalMemoryBackend && backend.sharesDatabase(ctx.db)) {
      try {
        const added = atomically(() => {
          if (outbox.hasPending(turn.conversationId)) return null;
          if (!tracker.claim(turn, projectPath)) return [];
          return [backend.addWithinTransaction(memory)];
        });
        if (added?.length === 0) return 'duplicate';
        if (added) return added[0]!;
      } catch (err) {
        if (err instanceof BatchLost) throw err;
        // Nothing was written (the transaction rolled back): the outbox keeps it and retries.
        log.warn('capture.store_failed', { error: describeError(err) });
      }
    }
    const queued = atomically(() => {
      if (!tracker.claim(turn, projectPath)) return false;
      return outbox.enqueue({ conversationId: turn.conversationId, key, memory });
    });
    return queued ? 'queued' : 'duplicate';
  }

  /**
   * Runs a turn's writes all or nothing: alone, in a transaction of their own; in a batch, within
   * the batch's transaction, where a failure ends the batch. No savepoint per turn: FTS5 writes its
   * pending index at every savepoint, which made each turn of a batch cost as much as two.
   */
  function atomically<T>(writes: () => T): T {
    if (!inBatch) return ctx.db.transaction(writes).immediate();
    try {
      return writes();
    } catch (err) {
      throw new BatchLost(err);
    }
  }

  /** What becomes of one exchange; touches nothing but the database (reported once committed). */
  function evaluate(ex: CapturedExchange): Outcome {
    let outcome: Outcome;
    recovery = undefined;
    try {
      if (typeof ex !== 'object' || ex === null)
        throw new TypeError('the tap handed over something that is not an exchange');
      outcome = process1(ex);
    } catch (err) {
      if (err instanceof BatchLost) throw err;
      // A SyntaxError's message can quote the input; everything else we throw is content-free.
      const message = err instanceof SyntaxError ? 'SyntaxError' : describeError(err).slice(0, 300);
      outcome = { kind: 'failed', message };
    }
    if (inBatch && !ctx.db.inTransaction) throw new BatchLost();
    if (recovery && outcome.kind !== 'failed') outcome.recovery = recovery;
    recovery = undefined;
    return outcome;
  }

  function reportRecovery(ex: CapturedExchange, found: Recovery): void {
    counters.recovered += found.recovered;
    counters.unrecovered += found.unrecovered;
    counters.captured += found.recovered;
    if (found.added.length > 0) {
      try {
        ctx.events.created(found.added, { userId: ctx.settings().userId, via: 'capture' });
      } catch (err) {
        log.warn('capture.listener_failed', { error: describeError(err) });
      }
    }
    if (found.recovered > 0)
      log.warn('capture.recovered', {
        route: ex.route,
        conversation: found.conversationId,
        turns: found.recovered,
      });
    if (found.unrecovered > 0)
      log.warn('capture.turns_unrecovered', {
        conversation: found.conversationId,
        turns: found.unrecovered,
        reason: 'not_in_history',
      });
  }

  function report(ex: CapturedExchange, outcome: Outcome): void {
    if (outcome.recovery) reportRecovery(ex, outcome.recovery);
    switch (outcome.kind) {
      case 'ignored':
        counters.ignored++;
        return;
      case 'failed': {
        counters.errors++;
        lastError = { message: outcome.message, at: new Date().toISOString() };
        const route = ex?.route === 'proxy' ? 'proxy' : 'gateway';
        log.error('capture.failed', {
          route,
          status: typeof ex?.status === 'number' ? ex.status : null,
          error: outcome.message,
        });
        try {
          ctx.events.emit('capture', { at: lastError.at, route, outcome: 'failed', reason: 'error' });
          ctx.events.emit('status');
        } catch {
          // a failing listener is its own problem
        }
        return;
      }
      case 'captured':
        counters.captured++;
        if (outcome.added.length > 0) {
          try {
            ctx.events.created(outcome.added, { userId: outcome.userId, via: 'capture' });
          } catch (err) {
            log.warn('capture.listener_failed', { error: describeError(err) });
          }
        }
        log.info('capture.captured', { route: ex.route, conversation: outcome.event.conversationId });
        emit(ex, 'captured', outcome.event);
        ctx.events.emit('status');
        return;
      case 'skipped':
        skipped[outcome.reason] = (skipped[outcome.reason] ?? 0) + 1;
        if (outcome.backgroundRule)
          background[outcome.backgroundRule] = (background[outcome.backgroundRule] ?? 0) + 1;
        log.debug('capture.skipped', { route: ex.route, reason: outcome.reason, status: ex.status });
        emit(ex, 'skipped', { ...outcome.event, reason: outcome.reason });
        return;
    }
  }

  function handle(batch: CapturedExchange[]): void {
    let outcomes: Outcome[] | null = null;
    if (batch.length > 1) {
      inBatch = true;
      try {
        // Every turn writes straight into this transaction (see atomically).
        outcomes = ctx.db.transaction(() => batch.map(evaluate)).immediate();
      } catch (err) {
        // Rolled back (a failed BEGIN or COMMIT, or BatchLost), so nothing of the batch was kept:
        // each exchange gets its own try, and the same outcome it would have had.
        log.warn('capture.batch_failed', { exchanges: batch.length, error: describeError(err) });
      } finally {
        inBatch = false;
      }
    }
    outcomes ??= batch.map(evaluate);
    batch.forEach((ex, i) => report(ex, outcomes[i]!));
  }

  function emit(ex: CapturedExchange, outcome: CaptureEvent['outcome'], extra: Partial<CaptureEvent>): void {
    try {
      ctx.events.emit('capture', { at: new Date().toISOString(), route: ex.route, outcome, ...extra });
    } catch (err) {
      // A failing listener is its own problem, not the capture's.
      log.warn('capture.listener_failed', { error: describeError(err) });
    }
  }

  function drain(): void {
    scheduled = false;
    if (queue.length > 0) handle(queue.splice(0, MAX_BATCH));
    if (queue.length > 0) {
      // A backlog: the next batch at the next turn of the event loop, so the core's other work
      // (API, UI, MCP) keeps its turns in between.
      scheduled = true;
      setImmediate(drain);
    } else {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setTimeout(drain, COMMIT_WINDOW_MS);
  }

  /**
   * Requests as parsed when they were accepted, by tap id, for their finished exchange (parsed once).
   * Bounded: an exchange that never arrives is forgotten with the oldest; a missing one is parsed again.
   */
  const parsedByTap = new Map<string, ParsedRequest>();
  const MAX_PARSED_KEPT = 4_096;
  function keepParsed(tapId: string | undefined, parsed: ParsedRequest): void {
    if (typeof tapId !== 'string') return;
    if (parsedByTap.size >= MAX_PARSED_KEPT) parsedByTap.delete(parsedByTap.keys().next().value!);
    parsedByTap.set(tapId, parsed);
  }
  function takeParsed(tapId: string | undefined): ParsedRequest | undefined {
    if (typeof tapId !== 'string') return undefined;
    const parsed = parsedByTap.get(tapId);
    if (parsed) parsedByTap.delete(tapId);
    return parsed;
  }

  /** Whether a request could become a turn, and if so its keys recorded (no content). */
  function acceptOne(request: AcceptedRequest): void {
    const settings = ctx.settings();
    if (!settings.captureEnabled || !isMessagesRequest(request.method, request.path)) return;
    const parsed = parseRequestBody(request.requestBody);
    if (!parsed) return;
    keepParsed(request.tapId, parsed);
    if (matchBackground(parsed, backgroundRules(settings), request.requestHeaders ?? {})) return;
    const newest = tracker.newestTurn(parsed, request.requestHeaders);
    if (!newest) return;
    const cwd = extractWorkingDirectory(parsed) ?? tracker.projectPathOf(newest.conversationId);
    if (cwd && excluder(settings).match(cwd)) return;
    tracker.accept(newest);
  }

  function commitAccepted(): void {
    const batch = accepting;
    accepting = [];
    if (batch.length === 0) return;
    try {
      ctx.db
        .transaction(() => {
          for (const { request } of batch) {
            try {
              acceptOne(request);
            } catch (err) {
              if (!ctx.db.inTransaction) throw err;
              // One unreadable request does not keep the others from being recorded.
              log.debug('capture.accept_skipped', { error: describeError(err).slice(0, 200) });
            }
          }
        })
        .immediate();
    } catch (err) {
      // Fail open: the reply goes on; this turn just cannot be recovered should the core die.
      log.warn('capture.accept_failed', { requests: batch.length, error: describeError(err) });
    }
    for (const { done } of batch) done();
  }

  const accept = (request: AcceptedRequest): Promise<void> =>
    new Promise<void>((resolve) => {
      try {
        if (stopped) return resolve();
        // Committed once the code that accepted it is done (all requests of one message from the
        // network thread in one transaction): that thread's replies wait for it.
        if (accepting.length === 0) queueMicrotask(commitAccepted);
        accepting.push({ request, done: resolve });
      } catch {
        resolve();
      }
    });

  const sink: ExchangeSink = (exchange) => {
    try {
      if (stopped) return;
      counters.received++;
      if (queue.length >= maxQueued) {
        skipped.overloaded = (skipped.overloaded ?? 0) + 1;
        return;
      }
      queue.push(exchange);
      schedule();
    } catch {
      // never into the network path
    }
  };

  return {
    sink,
    accept,
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
        ...counters,
        skipped: { ...skipped },
        background: { ...background },
        lastError,
        queued: queue.length,
        uncleanShutdown,
        outbox: outboxStatus,
      };
    },
    idle() {
      if (queue.length === 0 && !scheduled) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    async stop() {
      stopped = true;
      clearInterval(pruneTimer);
      commitAccepted();
      // What was already handed over is processed, so it reaches the durable outbox.
      while (queue.length > 0) handle(queue.splice(0, MAX_BATCH));
      try {
        tracker.setState('running', '0');
      } catch (err) {
        log.warn('capture.state_failed', { error: describeError(err) });
      }
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
      if (ownOutbox) await outbox.stop();
    },
  };
}

function validTime(iso: string): string | undefined {
  return Number.isNaN(Date.parse(iso)) ? undefined : new Date(iso).toISOString();
}
