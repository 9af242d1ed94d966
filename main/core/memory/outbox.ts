// The durable queue between capture and the memory backend. A capture is written to SQLite before
// anything else happens to it and removed only once the backend has it, so a crash, a restart or a
// backend outage loses nothing. Delivery is ordered per conversation (one in flight each), several
// conversations at once, retried with exponential backoff and jitter, and idempotent: the key sent
// with every attempt is the capture's own, so a retry after a timeout never creates a second memory.
import { applyMigrations, withDbErrors, type Db } from '../db/database.js';
import { describeError, isUserError } from '../errors.js';
import type { CoreEvents } from '../events.js';
import { silentLogger, type Logger } from '../log.js';
import type { MemoryBackend, NewMemory } from './types.js';
import { nextDelayMs, type BackoffOptions } from './outbox-backoff.js';

export const OUTBOX_MIGRATIONS = [
  `CREATE TABLE outbox (
     seq INTEGER PRIMARY KEY,
     key TEXT NOT NULL UNIQUE,
     conversation_id TEXT NOT NULL,
     payload TEXT NOT NULL,
     state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     last_error TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX outbox_heads ON outbox (state, conversation_id, seq);
   CREATE TABLE outbox_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);`,
  // When last_error was written: status still says why captures wait after a restart.
  `ALTER TABLE outbox ADD COLUMN last_error_at INTEGER`,
];

export interface OutboxItem {
  /** Ordering scope: items of one conversation are delivered one after another, in order. */
  conversationId: string;
  /** Stable per capture; becomes the backend's idempotency key. Enqueuing it twice is a no-op. */
  key: string;
  memory: Omit<NewMemory, 'idempotencyKey'>;
}

export interface OutboxOptions {
  db: Db;
  backend: () => MemoryBackend;
  events?: CoreEvents;
  log?: Logger;
  /** Conversations delivered at the same time. */
  concurrency?: number;
  backoff?: BackoffOptions;
  /** An attempt that takes longer counts as failed and is retried (with the same key). */
  deliveryTimeoutMs?: number;
  now?: () => number;
  random?: () => number;
}

export interface OutboxStatus {
  pending: number;
  /** Captures the backend rejected as invalid; kept (never dropped) until retried or cleared. */
  failed: number;
  inFlight: number;
  oldestPendingAgeMs: number | null;
  delivered: number;
  deliveredSinceStart: number;
  lastError: { message: string; at: string } | null;
}

interface Row {
  seq: number;
  key: string;
  conversation_id: string;
  payload: string;
  attempts: number;
}

/** Errors no retry can fix: the backend says the capture itself is invalid. */
const isPermanent = (err: unknown) => isUserError(err) && err.code === 'invalid_input';

export class Outbox {
  private readonly stmt;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | null = null;
  private pumpQueued = false;
  private running = false;
  private deliveredSinceStart = 0;
  private lastError: OutboxStatus['lastError'] = null;

  constructor(private readonly options: OutboxOptions) {
    const { db } = options;
    applyMigrations(db, 'outbox', OUTBOX_MIGRATIONS);
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.timeoutMs = options.deliveryTimeoutMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.log = options.log ?? silentLogger;
    this.stmt = this.db(() => ({
      insert: db.prepare(
        `INSERT OR IGNORE INTO outbox (key, conversation_id, payload, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      // The oldest pending item of each conversation that is due.
      due: db.prepare(
        `SELECT o.seq, o.key, o.conversation_id, o.payload, o.attempts
         FROM (SELECT MIN(seq) AS seq FROM outbox WHERE state = 'pending' GROUP BY conversation_id) h
         JOIN outbox o ON o.seq = h.seq
         WHERE o.next_attempt_at <= ?
         ORDER BY o.next_attempt_at, o.seq
         LIMIT ?`,
      ),
      nextDue: db.prepare(
        `SELECT MIN(o.next_attempt_at) AS at
         FROM (SELECT MIN(seq) AS seq FROM outbox WHERE state = 'pending' GROUP BY conversation_id) h
         JOIN outbox o ON o.seq = h.seq`,
      ),
      done: db.prepare('DELETE FROM outbox WHERE seq = ?'),
      pendingFor: db.prepare("SELECT 1 FROM outbox WHERE state = 'pending' AND conversation_id = ? LIMIT 1"),
      count: db.prepare(
        `INSERT INTO outbox_counters (name, value) VALUES ('delivered', 1)
         ON CONFLICT(name) DO UPDATE SET value = value + 1`,
      ),
      retry: db.prepare(
        'UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, last_error_at = ? WHERE seq = ?',
      ),
      fail: db.prepare(
        "UPDATE outbox SET state = 'failed', attempts = ?, last_error = ?, last_error_at = ? WHERE seq = ?",
      ),
      latestError: db.prepare(
        `SELECT last_error AS message, last_error_at AS at FROM outbox
         WHERE last_error_at IS NOT NULL ORDER BY last_error_at DESC LIMIT 1`,
      ),
      revive: db.prepare(
        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error_at = NULL WHERE state = 'failed'",
      ),
      stats: db.prepare(
        `SELECT SUM(state = 'pending') AS pending, SUM(state = 'failed') AS failed,
                MIN(CASE WHEN state = 'pending' THEN created_at END) AS oldest
         FROM outbox`,
      ),
      delivered: db.prepare("SELECT value FROM outbox_counters WHERE name = 'delivered'"),
    }));
  }

  private db<T>(fn: () => T): T {
    return withDbErrors(this.options.db.name, fn);
  }

  /** Starts delivering, beginning with whatever a previous run left pending. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedulePump();
  }

  /**
   * Writes a capture durably. Returns false when the key was already queued (or delivered and
   * still queued). Throws on a database failure: the caller decides what a lost capture means.
   */
  enqueue(item: OutboxItem): boolean {
    const now = this.now();
    const inserted = this.db(
      () =>
        this.stmt.insert.run(item.key, item.conversationId, JSON.stringify(item.memory), now, now).changes ===
        1,
    );
    if (inserted) this.schedulePump();
    return inserted;
  }

  /** Whether a conversation still has captures waiting (a later one must not overtake them). */
  hasPending(conversationId: string): boolean {
    return this.db(() => this.stmt.pendingFor.get(conversationId) !== undefined);
  }

  /** Puts captures the backend rejected back in the queue (after the cause was fixed). */
  retryFailed(): number {
    const n = this.db(() => this.stmt.revive.run(this.now()).changes);
    if (n) this.schedulePump();
    return n;
  }

  status(): OutboxStatus {
    const s = this.db(
      () => this.stmt.stats.get() as { pending: number | null; failed: number | null; oldest: number | null },
    );
    const d = this.db(() => this.stmt.delivered.get() as { value: number } | undefined);
    return {
      pending: s.pending ?? 0,
      failed: s.failed ?? 0,
      inFlight: this.inFlight.size,
      oldestPendingAgeMs: s.oldest === null ? null : Math.max(0, this.now() - s.oldest),
      delivered: d?.value ?? 0,
      deliveredSinceStart: this.deliveredSinceStart,
      lastError: this.lastError ?? this.recordedError(),
    };
  }

  /** Stops taking new work and waits (up to timeoutMs) for deliveries in flight. */
  async stop(timeoutMs = 2_000): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.inFlight.size === 0) return;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight.values()]),
      new Promise<void>((resolve) => (t = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(t);
  }

  private schedulePump(): void {
    if (!this.running || this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    if (!this.running) return;
    try {
      let free = this.concurrency - this.inFlight.size;
      if (free > 0) {
        const rows = this.db(() => this.stmt.due.all(this.now(), free + this.inFlight.size) as Row[]);
        for (const row of rows) {
          if (free === 0) break;
          if (this.inFlight.has(row.conversation_id)) continue;
          free--;
          const p = this.deliver(row).finally(() => {
            this.inFlight.delete(row.conversation_id);
            this.schedulePump();
          });
          this.inFlight.set(row.conversation_id, p);
        }
      }
      this.armTimer();
    } catch (err) {
      // The database is unavailable: note it and look again a little later.
      this.noteError(err);
      this.log.error('outbox.pump_failed', { error: describeError(err) });
      this.armTimer(1_000);
    }
  }

  /** Wakes up when the earliest waiting retry is due. */
  private armTimer(fallbackMs?: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.running) return;
    let delay = fallbackMs;
    if (delay === undefined) {
      const next = (this.db(() => this.stmt.nextDue.get()) as { at: number | null }).at;
      if (next === null) return;
      delay = next - this.now();
      // Already due: either its conversation is in flight (a finishing delivery pumps again) or it
      // fell due while this pump ran. Returning without a timer stalled the queue in the second
      // case (seen under load), so a short timer stays armed as the safety net.
      if (delay <= 0) delay = 10;
    }
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.pump();
      },
      Math.max(1, delay),
    );
    this.timer.unref();
  }

  private async deliver(row: Row): Promise<void> {
    const attempt = row.attempts + 1;
    let memory: OutboxItem['memory'];
    try {
      memory = JSON.parse(row.payload) as OutboxItem['memory'];
    } catch (err) {
      this.db(() => this.stmt.fail.run(attempt, 'unreadable queue entry', this.now(), row.seq));
      this.noteError(err);
      return;
    }
    try {
      const added = await this.withTimeout(
        this.options.backend().add({ ...memory, idempotencyKey: row.key }),
      );
      this.db(() =>
        this.options.db.transaction(() => {
          this.stmt.done.run(row.seq);
          this.stmt.count.run();
        })(),
      );
      this.deliveredSinceStart++;
      this.log.debug('outbox.delivered', { seq: row.seq, attempts: attempt, memories: added.length });
      this.options.events?.created(added, { userId: memory.userId, via: 'outbox' });
    } catch (err) {
      const message = describeError(err).slice(0, 300);
      this.noteError(err);
      try {
        if (isPermanent(err)) {
          this.db(() => this.stmt.fail.run(attempt, message, this.now(), row.seq));
          this.log.error('outbox.rejected', { seq: row.seq, attempts: attempt, error: message });
        } else {
          const delay = nextDelayMs(attempt, this.options.backoff, this.random);
          const now = this.now();
          this.db(() => this.stmt.retry.run(attempt, now + delay, message, now, row.seq));
          this.log.warn('outbox.retry', { seq: row.seq, attempts: attempt, delayMs: delay, error: message });
        }
      } catch (dbErr) {
        // Could not even record the failure: the row stays as it was and is retried.
        this.noteError(dbErr);
      }
    }
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      t = setTimeout(
        () => reject(new Error(`the memory backend did not answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(t));
  }

  /**
   * Before this process saw a failure itself: the latest one recorded with a capture still in the
   * outbox (waiting, or parked as rejected).
   */
  private recordedError(): OutboxStatus['lastError'] {
    const row = this.db(() => this.stmt.latestError.get() as { message: string; at: number } | undefined);
    return row ? { message: row.message, at: new Date(row.at).toISOString() } : null;
  }

  private noteError(err: unknown): void {
    this.lastError = { message: describeError(err).slice(0, 300), at: new Date(this.now()).toISOString() };
    this.options.events?.emit('status');
  }
}
