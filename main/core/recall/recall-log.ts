// What the hooks handed to which Claude Code session: the memories a session was given (none is
// given twice), how often each memory was found relevant (the brief puts those first), and the
// last injection (ids and sizes, never text) for `status`, the tray and the Connections page.
import type { Db } from '../db/database.js';
import { applyMigrations, withDbErrors } from '../db/database.js';

export const RECALL_MIGRATIONS = [
  `CREATE TABLE recall_given (
     session_id TEXT NOT NULL,
     memory_id TEXT NOT NULL,
     event TEXT NOT NULL,
     at TEXT NOT NULL,
     PRIMARY KEY (session_id, memory_id)
   ) WITHOUT ROWID;
   CREATE INDEX recall_given_memory ON recall_given (memory_id, event);
   CREATE INDEX recall_given_at ON recall_given (at);
   CREATE TABLE recall_injections (
     id INTEGER PRIMARY KEY,
     at TEXT NOT NULL,
     user_id TEXT NOT NULL,
     session_id TEXT NOT NULL,
     event TEXT NOT NULL,
     project_id TEXT,
     memory_ids TEXT NOT NULL,
     chars INTEGER NOT NULL,
     tokens INTEGER NOT NULL
   );`,
];

export type RecallEvent = 'session' | 'prompt';

export interface Injection {
  at: string;
  userId: string;
  sessionId: string;
  event: RecallEvent;
  projectId: string | null;
  memoryIds: string[];
  chars: number;
  tokens: number;
}

/** Sessions older than this are forgotten (their ids could be given again; they are long gone). */
const KEEP_DAYS = 30;

export class RecallLog {
  private readonly stmt;

  constructor(private readonly db: Db) {
    applyMigrations(db, 'recall', RECALL_MIGRATIONS);
    this.stmt = withDbErrors(db.name, () => ({
      given: db.prepare('SELECT memory_id FROM recall_given WHERE session_id = ?').pluck(),
      give: db.prepare(
        'INSERT OR IGNORE INTO recall_given (session_id, memory_id, event, at) VALUES (?, ?, ?, ?)',
      ),
      forgetSession: db.prepare('DELETE FROM recall_given WHERE session_id = ?'),
      uses: db.prepare(
        `SELECT memory_id AS id, count(*) AS n FROM recall_given WHERE event = 'prompt' AND memory_id IN
           (SELECT value FROM json_each(?)) GROUP BY memory_id`,
      ),
      record: db.prepare(
        `INSERT INTO recall_injections (at, user_id, session_id, event, project_id, memory_ids, chars, tokens)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      last: db.prepare(
        `SELECT at, user_id AS userId, session_id AS sessionId, event, project_id AS projectId,
           memory_ids AS memoryIds, chars, tokens FROM recall_injections WHERE user_id = ?
         ORDER BY id DESC LIMIT 1`,
      ),
      prune: db.prepare('DELETE FROM recall_given WHERE at < ?'),
      pruneInjections: db.prepare('DELETE FROM recall_injections WHERE at < ?'),
    }));
  }

  /** Memories this session was already given. */
  given(sessionId: string): Set<string> {
    return new Set(withDbErrors(this.db.name, () => this.stmt.given.all(sessionId) as string[]));
  }

  /** A session whose context was emptied (/clear, compaction) may be given everything again. */
  forgetSession(sessionId: string): void {
    withDbErrors(this.db.name, () => this.stmt.forgetSession.run(sessionId));
  }

  /** How many sessions found each memory relevant to a prompt. */
  uses(memoryIds: readonly string[]): Map<string, number> {
    const rows = withDbErrors(
      this.db.name,
      () => this.stmt.uses.all(JSON.stringify(memoryIds)) as Array<{ id: string; n: number }>,
    );
    return new Map(rows.map((r) => [r.id, r.n]));
  }

  record(injection: Injection): void {
    withDbErrors(this.db.name, () =>
      this.db.transaction(() => {
        for (const id of injection.memoryIds)
          this.stmt.give.run(injection.sessionId, id, injection.event, injection.at);
        this.stmt.record.run(
          injection.at,
          injection.userId,
          injection.sessionId,
          injection.event,
          injection.projectId,
          JSON.stringify(injection.memoryIds),
          injection.chars,
          injection.tokens,
        );
      })(),
    );
  }

  /** The last injection for a user. */
  last(userId: string): Injection | null {
    const row = withDbErrors(this.db.name, () => this.stmt.last.get(userId)) as
      (Omit<Injection, 'memoryIds'> & { memoryIds: string }) | undefined;
    return row ? { ...row, memoryIds: JSON.parse(row.memoryIds) as string[] } : null;
  }

  prune(now = new Date()): void {
    const before = new Date(now.getTime() - KEEP_DAYS * 86_400_000).toISOString();
    withDbErrors(this.db.name, () => {
      this.stmt.prune.run(before);
      this.stmt.pruneInjections.run(before);
    });
  }
}
