// What became of one exchange: decided while its batch's transaction is open, reported (counters,
// events, logs) only once that transaction has committed.
import type { CaptureEvent } from '../../events.js';
import type { Memory } from '../../memory/types.js';

/** Earlier turns of the conversation stored (or given up) from a later request's history. */
export interface Recovery {
  conversationId: string;
  added: Memory[];
  recovered: number;
  unrecovered: number;
}

export type Outcome = (
  | { kind: 'captured'; event: Partial<CaptureEvent>; added: Memory[]; userId: string }
  | { kind: 'skipped'; reason: string; event?: Partial<CaptureEvent>; backgroundRule?: string }
  | { kind: 'failed'; message: string }
  /** Not a Messages call (count_tokens, HEAD probes, …). */
  | { kind: 'ignored' }
) & { recovery?: Recovery };

/** A capture's idempotency key in the outbox: this prefix and its turn key. */
export const TURN_KEY_PREFIX = 'capture:';
