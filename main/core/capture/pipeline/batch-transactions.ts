// Exchanges are processed in batches, each in one SQLite transaction: a commit costs more than a
// turn's own writes (turns keyed by hashes and ids dirty random index pages, which turns in one
// commit share), so one commit for many turns is what lets a busy proxy's burst be stored instead of
// dropped. Within a batch every turn writes straight into the batch's transaction; a failure that
// leaves the batch unusable rolls it all back and each exchange gets its own try. Writes that others
// wait for (accept records: replies end only once theirs is committed) are not held for a whole
// batch: see Interlude.
import type { Db } from '../../db/database.js';
import { describeError } from '../../errors.js';
import type { Logger } from '../../log.js';

/**
 * The batch cannot go on, and every exchange gets its own try instead: SQLite rolled the batch's
 * transaction back by itself (disk full, I/O error), or a turn failed part-way through its writes,
 * which only rolling the whole batch back undoes (turns in a batch have no savepoints; see atomically).
 */
export class BatchLost extends Error {
  constructor(cause?: unknown) {
    super(cause === undefined ? 'the database rolled the batch back' : describeError(cause), { cause });
  }
}

/**
 * Writes that must not wait for a whole batch, taken between two of its turns once the batch has
 * run INTERLUDE_AFTER_MS: written into the batch's transaction, which then commits (so they are
 * confirmed), and the batch goes on in a new one. `W` is what `take` hands over.
 */
export interface Interlude<W> {
  /** What is waiting now, or null. */
  take(): W | null;
  /** Writes it inside the open transaction; throws only if SQLite ended that transaction. */
  writeWithin(taken: W): void;
  /** Its transaction committed. */
  committed(taken: W): void;
  /** Its transaction was rolled back: write it again on its own (and confirm it). */
  writeAlone(taken: W): void;
}

/** How long a batch's transaction runs before waiting writes are let in (see Interlude). */
const INTERLUDE_AFTER_MS = 4;

export class BatchTransactions {
  /** A batch's transaction is open (see atomically). */
  private inBatch = false;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  /**
   * Runs a turn's writes all or nothing: alone, in a transaction of their own; in a batch, within
   * the batch's transaction, where a failure ends the batch. No savepoint per turn: FTS5 writes its
   * pending index at every savepoint, which made each turn of a batch cost as much as two.
   * Transactions are IMMEDIATE: they read before they write, and a deferred one would fail instead
   * of waiting when another process (mcp stdio, the CLI) wrote in between.
   */
  atomically<T>(writes: () => T): T {
    if (!this.inBatch) return this.db.transaction(writes).immediate();
    try {
      return writes();
    } catch (err) {
      throw new BatchLost(err);
    }
  }

  /** Throws BatchLost when SQLite ended the batch's transaction on its own (disk full, I/O error). */
  assertBatchAlive(): void {
    if (this.inBatch && !this.db.inTransaction) throw new BatchLost();
  }

  /**
   * Each item's outcome, all in one transaction when there are several (split where an interlude
   * let waiting writes in). When a transaction is rolled back (a failed BEGIN or COMMIT, or
   * BatchLost), nothing of its part was kept, so each item from there on is evaluated again on its
   * own and gets the outcome it would have had.
   */
  run<T, R, W>(batch: readonly T[], evaluate: (item: T) => R, interlude?: Interlude<W>): R[] {
    const outcomes: R[] = [];
    let next = 0;
    while (batch.length - next > 1) {
      const start = next;
      const pause: { taken: W | null } = { taken: null };
      this.inBatch = true;
      try {
        this.db
          .transaction(() => {
            const began = performance.now();
            while (next < batch.length) {
              outcomes.push(evaluate(batch[next++]!));
              if (!interlude || next === batch.length || performance.now() - began < INTERLUDE_AFTER_MS)
                continue;
              pause.taken = interlude.take();
              if (pause.taken === null) continue;
              interlude.writeWithin(pause.taken);
              return;
            }
          })
          .immediate();
        if (pause.taken !== null) interlude?.committed(pause.taken);
      } catch (err) {
        this.log.warn('capture.batch_failed', { exchanges: batch.length - start, error: describeError(err) });
        if (pause.taken !== null) interlude?.writeAlone(pause.taken);
        outcomes.length = start;
        next = start;
        break;
      } finally {
        this.inBatch = false;
      }
    }
    while (next < batch.length) outcomes.push(evaluate(batch[next++]!));
    return outcomes;
  }
}
