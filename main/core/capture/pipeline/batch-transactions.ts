// Exchanges are processed in batches, each in one SQLite transaction: a commit costs more than a
// turn's own writes (turns keyed by hashes and ids dirty random index pages, which turns in one
// commit share), so one commit for many turns is what lets a busy proxy's burst be stored instead of
// dropped. Within a batch every turn writes straight into the batch's transaction; a failure that
// leaves the batch unusable rolls it all back and each exchange gets its own try.
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
   * Each item's outcome, all in one transaction when there are several; when that transaction is
   * rolled back (a failed BEGIN or COMMIT, or BatchLost), nothing of the batch was kept, so each
   * item is evaluated again on its own and gets the outcome it would have had.
   */
  run<T, R>(batch: readonly T[], evaluate: (item: T) => R): R[] {
    if (batch.length > 1) {
      this.inBatch = true;
      try {
        return this.db.transaction(() => batch.map(evaluate)).immediate();
      } catch (err) {
        this.log.warn('capture.batch_failed', { exchanges: batch.length, error: describeError(err) });
      } finally {
        this.inBatch = false;
      }
    }
    return batch.map(evaluate);
  }
}
