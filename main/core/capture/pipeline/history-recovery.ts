// Turns of a conversation that were accepted for capture but never stored (their batch died with
// the core) are stored from the history a later request resends, each once, at its own place (its
// acceptance time), before the request's own turn. Only accepted turns: what was sent while paused,
// excluded or before Mem0 Tray ran was never accepted, so it is never taken.
import type { Settings } from '../../config/settings.js';
import type { ParsedRequest } from '../anthropic-types.js';
import type { ConversationTracker } from '../conversation-tracker.js';
import type { NewestTurn } from '../request-turns.js';
import type { CapturedExchange } from '../exchange.js';
import { extractWorkingDirectory } from '../project.js';
import type { Recovery } from './outcome.js';
import type { TurnStore } from './turn-store.js';

/**
 * Stores the conversation's outstanding accepted turns that this request's history shows before
 * its newest one; an accepted turn the history no longer shows before the newest one is given up
 * (counted). Undefined when nothing was recovered or given up.
 */
export function recoverFromHistory(
  tracker: ConversationTracker,
  store: TurnStore,
  ex: CapturedExchange,
  request: ParsedRequest,
  newest: Pick<NewestTurn, 'conversationId' | 'turnKey' | 'position'>,
  settings: Settings,
): Recovery | undefined {
  const earlier = tracker.outstanding(newest.conversationId).filter((a) => a.turnKey !== newest.turnKey);
  if (earlier.length === 0) return undefined;
  const history = new Map(
    tracker.historyTurns(request, newest.conversationId, newest.position).map((t) => [t.turnKey, t]),
  );
  const cwd = extractWorkingDirectory(request) ?? tracker.projectPathOf(newest.conversationId);
  const found: Recovery = { conversationId: newest.conversationId, added: [], recovered: 0, unrecovered: 0 };
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
    const outcome = store.store(
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
  return found.recovered > 0 || found.unrecovered > 0 ? found : undefined;
}
