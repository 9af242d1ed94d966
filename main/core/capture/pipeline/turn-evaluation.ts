// What becomes of one finished exchange: paused, not a Messages call, a background call, a tool
// loop still going on, or a turn to store (after any earlier turns its history gives back). Touches
// nothing but the database; the outcome is reported once the batch has committed.
import type { Settings } from '../../config/settings.js';
import { describeError } from '../../errors.js';
import { parseExchange } from '../anthropic-parser.js';
import { matchBackground } from '../background-rules.js';
import type { ConversationTracker } from '../conversation-tracker.js';
import type { CapturedExchange } from '../exchange.js';
import { extractWorkingDirectory } from '../project.js';
import { BatchLost, type BatchTransactions } from './batch-transactions.js';
import type { CaptureRules } from './capture-rules.js';
import { recoverFromHistory } from './history-recovery.js';
import type { Outcome, Recovery } from './outcome.js';
import type { ParsedRequests } from './parsed-requests.js';
import type { TurnStore } from './turn-store.js';

export interface TurnEvaluationParts {
  settings: () => Settings;
  tracker: ConversationTracker;
  rules: CaptureRules;
  parsed: ParsedRequests;
  store: TurnStore;
  transactions: BatchTransactions;
}

/** The outcome of one exchange; never throws but BatchLost (its batch must be redone turn by turn). */
export function evaluateExchange(parts: TurnEvaluationParts, ex: CapturedExchange): Outcome {
  let outcome: Outcome;
  try {
    if (typeof ex !== 'object' || ex === null)
      throw new TypeError('the tap handed over something that is not an exchange');
    outcome = evaluateTurn(parts, ex);
  } catch (err) {
    if (err instanceof BatchLost) throw err;
    // A SyntaxError's message can quote the input; everything else we throw is content-free.
    const message = err instanceof SyntaxError ? 'SyntaxError' : describeError(err).slice(0, 300);
    outcome = { kind: 'failed', message };
  }
  parts.transactions.assertBatchAlive();
  return outcome;
}

function evaluateTurn(parts: TurnEvaluationParts, ex: CapturedExchange): Outcome {
  const { tracker } = parts;
  const settings = parts.settings();
  // Paused: the proxy keeps forwarding; nothing about the exchange is parsed or recorded.
  if (!settings.captureEnabled) return { kind: 'skipped', reason: 'paused' };

  const parsed = parseExchange(ex, parts.parsed.take(ex.tapId));
  if (!parsed.ok) {
    if (parsed.reason === 'not_messages_endpoint') return { kind: 'ignored' };
    return { kind: 'skipped', reason: parsed.reason };
  }
  const { request, response } = parsed;
  const model = response.model ?? request.model ?? undefined;

  const rule = matchBackground(request, parts.rules.background(settings), ex.requestHeaders ?? {});
  if (rule) return { kind: 'skipped', reason: 'background', event: { model }, backgroundRule: rule.id };

  const newest = tracker.newestTurn(request, ex.requestHeaders);
  const recovery = newest
    ? recoverFromHistory(tracker, parts.store, ex, request, newest, settings)
    : undefined;

  const analysis = tracker.analyse(request, response, ex.requestHeaders);
  if (analysis.kind === 'skip') {
    // Settled on purpose: nothing left to recover for it. A tool loop's turn is still going on.
    if (newest && analysis.reason !== 'tool_loop' && analysis.reason !== 'stop_reason')
      tracker.resolve(newest.turnKey);
    return withRecovery(recovery, {
      kind: 'skipped',
      reason: analysis.reason,
      event: { conversationId: analysis.conversationId, model },
    });
  }
  const turn = analysis.turn;
  const cwd = extractWorkingDirectory(request) ?? tracker.projectPathOf(turn.conversationId);
  return withRecovery(
    recovery,
    parts.store.store(turn, cwd, ex, settings, { capturedAt: ex.endedAt, recovered: false }),
  );
}

function withRecovery(recovery: Recovery | undefined, outcome: Outcome): Outcome {
  return recovery ? { ...outcome, recovery } : outcome;
}
