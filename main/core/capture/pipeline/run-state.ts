// Whether the previous run stopped cleanly (a flag set while a pipeline runs, cleared by its stop),
// and the daily forgetting of old turn keys and of accepted turns no request gave back in time.
import { describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ConversationTracker } from '../conversation-tracker.js';

/** capture_state key of an unclean stop not yet shown by `mem0-tray status`. */
export const UNCLEAN_SHUTDOWN_STATE = 'unclean_shutdown_unseen';

export interface UncleanShutdown {
  detectedAt: string;
  outstandingTurns: number;
}

/** Marks the pipeline running; returns what it found if the previous run had not stopped cleanly. */
export function markRunning(tracker: ConversationTracker, log: Logger): UncleanShutdown | null {
  let unclean: UncleanShutdown | null = null;
  try {
    if (tracker.state('running') === '1') {
      unclean = { detectedAt: new Date().toISOString(), outstandingTurns: tracker.outstandingCount() };
      log.warn('capture.unclean_shutdown', { outstandingTurns: unclean.outstandingTurns });
      // Kept until `mem0-tray status` has shown it once.
      tracker.setState(UNCLEAN_SHUTDOWN_STATE, JSON.stringify(unclean));
    }
    tracker.setState('running', '1');
  } catch (err) {
    log.warn('capture.state_failed', { error: describeError(err) });
  }
  return unclean;
}

export function markStopped(tracker: ConversationTracker, log: Logger): void {
  try {
    tracker.setState('running', '0');
  } catch (err) {
    log.warn('capture.state_failed', { error: describeError(err) });
  }
}

/**
 * Forgets turn keys after `rememberDays` and gives up accepted turns after `recoverDays` (reported
 * through `expired`), now and once a day; returns the timer's stop.
 */
export function schedulePruning(
  tracker: ConversationTracker,
  days: { rememberDays: number; recoverDays: number },
  expired: (turns: number) => void,
  log: Logger,
): () => void {
  const prune = () => {
    try {
      tracker.prune(days.rememberDays);
      const n = tracker.pruneAccepted(days.recoverDays);
      if (n > 0) expired(n);
    } catch (err) {
      log.warn('capture.prune_failed', { error: describeError(err) });
    }
  };
  prune();
  const timer = setInterval(prune, 24 * 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
