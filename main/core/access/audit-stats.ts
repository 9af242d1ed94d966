// Counts over the audit log: failed sign-ins for the tray's warning badge, and one user's figures
// (`mem0-tray token stats U`, the UI's token page) next to their tokens'.
import { withDbErrors, type Db } from '../db/database.js';
import type { TokenStore } from './tokens.js';

export interface TokenStats {
  userId: string;
  tokens: { total: number; active: number; revoked: number; expired: number };
  lastUsedAt: string | null;
  authSuccessLast24h: number;
  failedLastHour: number;
  failedLast24h: number;
  accessesLast30Days: Record<string, number>;
}

export type TokenFigures = Pick<TokenStats, 'tokens' | 'lastUsedAt'>;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Prepared once per database: the badge asks on every status. */
export class AuditCounts {
  private readonly stmt;

  constructor(private readonly db: Db) {
    this.stmt = {
      failedSince: db
        .prepare("SELECT count(*) FROM mcp_audit WHERE kind = 'auth' AND outcome = 'failed' AND at >= ?")
        .pluck(),
      failedOfUserSince: db
        .prepare(
          "SELECT count(*) FROM mcp_audit WHERE kind = 'auth' AND outcome = 'failed' AND user_id = ? AND at >= ?",
        )
        .pluck(),
      successOfUserSince: db
        .prepare(
          "SELECT count(*) FROM mcp_audit WHERE kind = 'auth' AND outcome = 'success' AND user_id = ? AND at >= ?",
        )
        .pluck(),
      accessesOfUserSince: db.prepare(
        `SELECT action, count(*) AS n FROM mcp_audit
         WHERE kind = 'access' AND outcome = 'ok' AND user_id = ? AND at >= ? GROUP BY action`,
      ),
    };
  }

  /** Failed authentication attempts since a time, of every user. */
  failedSince(since: Date): number {
    return withDbErrors(this.db.name, () => this.stmt.failedSince.get(since.toISOString()) as number);
  }

  ofUser(userId: string, tokens: TokenFigures, now: Date): TokenStats {
    const iso = (msAgo: number) => new Date(now.getTime() - msAgo).toISOString();
    return withDbErrors(this.db.name, () => {
      const accesses: Record<string, number> = {};
      const rows = this.stmt.accessesOfUserSince.all(userId, iso(30 * DAY_MS)) as Array<{
        action: string;
        n: number;
      }>;
      for (const r of rows) accesses[r.action] = r.n;
      return {
        userId,
        ...tokens,
        authSuccessLast24h: this.stmt.successOfUserSince.get(userId, iso(DAY_MS)) as number,
        failedLastHour: this.stmt.failedOfUserSince.get(userId, iso(HOUR_MS)) as number,
        failedLast24h: this.stmt.failedOfUserSince.get(userId, iso(DAY_MS)) as number,
        accessesLast30Days: accesses,
      };
    });
  }
}

/** What a user's tokens say about them: how many of each state, and when one was last used. */
export function tokenFigures(tokens: TokenStore, userId: string): TokenFigures {
  const list = tokens.list({ userId });
  const lastUsedAt = list.reduce<string | null>(
    (max, t) => (t.lastUsedAt && (!max || t.lastUsedAt > max) ? t.lastUsedAt : max),
    null,
  );
  return {
    tokens: {
      total: list.length,
      active: list.filter((t) => !t.revoked && !t.expired).length,
      revoked: list.filter((t) => t.revoked).length,
      expired: list.filter((t) => !t.revoked && t.expired).length,
    },
    lastUsedAt,
  };
}
