// The audit log: every authentication attempt (who, success or failure and why, token prefix,
// client address, user agent) and every memory access through MCP or REST (who read, changed or
// deleted which memory ids). It never holds a token value or a memory's text. Rows are kept for
// settings.auditRetentionDays and written in small batches so a busy client costs one transaction
// per batch, not one per call.
import { applyMigrations, withDbErrors, type Db } from '../db/database.js';
import type { AccessEvent, AccessVia, Caller, CoreEvents } from '../events.js';
import type { Logger } from '../log.js';
import { describeError } from '../errors.js';
import { TOKEN_MIGRATIONS, type AuthFailureReason, type TokenStore } from './tokens.js';

export const AUDIT_MIGRATIONS: ReadonlyArray<string> = [
  `CREATE TABLE mcp_audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     kind TEXT NOT NULL,
     user_id TEXT,
     owner_id TEXT,
     token_id TEXT,
     token_prefix TEXT,
     action TEXT NOT NULL,
     outcome TEXT NOT NULL,
     reason TEXT,
     via TEXT,
     transport TEXT,
     memory_ids TEXT,
     count INTEGER,
     client_ip TEXT,
     user_agent TEXT
   );
   CREATE INDEX mcp_audit_at ON mcp_audit (at);
   CREATE INDEX mcp_audit_user ON mcp_audit (user_id, at);
   CREATE INDEX mcp_audit_owner ON mcp_audit (owner_id, at);
   CREATE INDEX mcp_audit_token ON mcp_audit (token_id, at);`,
];

/** Where a request came in: REST or MCP, over HTTP or stdio. */
export type Transport = 'http' | 'stdio';

export interface AuthAttempt {
  /** The claimed user (X-MCP-UserID) or the token's user when the token is known. */
  userId: string | null;
  tokenId: string | null;
  tokenPrefix: string | null;
  outcome: 'success' | 'failed';
  reason: AuthFailureReason | null;
  via: AccessVia;
  transport: Transport;
  clientIp: string | null;
  userAgent: string | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  kind: 'auth' | 'access';
  /** Who acted: the authenticated (or claimed) user. */
  userId: string | null;
  /** Whose memories were reached (differs from userId only in the shared "global" pool). */
  ownerId: string | null;
  tokenId: string | null;
  tokenName: string | null;
  tokenPrefix: string | null;
  action: string;
  outcome: string;
  reason: string | null;
  /** A one-line summary for lists (reason, memory ids, count). */
  detail: string | null;
  via: string | null;
  transport: string | null;
  memoryIds: string[];
  count: number | null;
  clientIp: string | null;
  userAgent: string | null;
  /** Client address and user agent in one string, for lists. */
  client: string | null;
}

export interface AuditQuery {
  /** Entries where this user acted or whose memories were reached. */
  userId?: string;
  tokenId?: string;
  kind?: 'auth' | 'access';
  action?: string;
  outcome?: string;
  /** Entries that name this memory id. */
  memoryId?: string;
  since?: string;
  until?: string;
  offset?: number;
  limit?: number;
}

export interface TokenStats {
  userId: string;
  tokens: { total: number; active: number; revoked: number; expired: number };
  lastUsedAt: string | null;
  authSuccessLast24h: number;
  failedLastHour: number;
  failedLast24h: number;
  accessesLast30Days: Record<string, number>;
}

interface AuditRow {
  id: number;
  at: string;
  kind: 'auth' | 'access';
  user_id: string | null;
  owner_id: string | null;
  token_id: string | null;
  token_prefix: string | null;
  action: string;
  outcome: string;
  reason: string | null;
  via: string | null;
  transport: string | null;
  memory_ids: string | null;
  count: number | null;
  client_ip: string | null;
  user_agent: string | null;
  token_name?: string | null;
}

type NewRow = Omit<AuditRow, 'id' | 'token_name'>;

/** The vias whose memory accesses are recorded (the UI and CLI act as the machine's own user). */
const AUDITED_VIAS: ReadonlySet<AccessVia> = new Set(['rest', 'mcp', 'hook']);
/** Memory ids per access row; a larger access is split over several rows. */
const MAX_IDS = 100;
const MAX_AGENT = 200;
const FLUSH_MS = 20;
const FLUSH_ROWS = 256;

/**
 * Who really acted when the memory service is called as someone else: in the "global" isolation
 * mode callers act on the shared pool's owner id, and the audit log must still name the person.
 * The caller object travels unchanged through MemoryService into the access event.
 */
const actors = new WeakMap<Caller, string>();
export function setActor(caller: Caller, actorUserId: string): Caller {
  actors.set(caller, actorUserId);
  return caller;
}
export function actorOf(caller: Caller): string {
  return actors.get(caller) ?? caller.userId;
}

export interface AuditLogOptions {
  now?: () => Date;
  log?: Logger;
  /** Write each row at once (tests that read the table directly); default: small batches. */
  synchronous?: boolean;
}

export class AuditLog {
  private readonly now: () => Date;
  private readonly stmt;
  private pending: NewRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly options: AuditLogOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    // Queries join the token table for names: make sure it exists even if no TokenStore was built.
    applyMigrations(db, 'tokens', TOKEN_MIGRATIONS);
    applyMigrations(db, 'audit', AUDIT_MIGRATIONS);
    this.stmt = {
      insert: db.prepare(
        `INSERT INTO mcp_audit (at, kind, user_id, owner_id, token_id, token_prefix, action, outcome,
           reason, via, transport, memory_ids, count, client_ip, user_agent)
         VALUES (@at, @kind, @user_id, @owner_id, @token_id, @token_prefix, @action, @outcome,
           @reason, @via, @transport, @memory_ids, @count, @client_ip, @user_agent)`,
      ),
      prune: db.prepare('DELETE FROM mcp_audit WHERE at < ?'),
      forget: db.prepare("DELETE FROM mcp_audit WHERE kind = 'access' AND (user_id = ? OR owner_id = ?)"),
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

  private run<T>(fn: () => T): T {
    return withDbErrors(this.db.name, fn);
  }

  private push(row: NewRow): void {
    if (this.closed) return;
    this.pending.push(row);
    if (this.options.synchronous || this.pending.length >= FLUSH_ROWS) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
    this.timer.unref?.();
  }

  /** Writes what is queued. Failures are logged, never thrown into a request. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    try {
      this.db.transaction(() => {
        for (const r of rows) this.stmt.insert.run(r);
      })();
    } catch (err) {
      this.options.log?.error('audit.write_failed', { rows: rows.length, error: describeError(err) });
    }
  }

  recordAuth(attempt: AuthAttempt): void {
    this.push({
      at: this.now().toISOString(),
      kind: 'auth',
      user_id: attempt.userId?.slice(0, 200) ?? null,
      owner_id: null,
      token_id: attempt.tokenId,
      token_prefix: attempt.tokenPrefix,
      action: 'auth',
      outcome: attempt.outcome,
      reason: attempt.reason,
      via: attempt.via,
      transport: attempt.transport,
      memory_ids: null,
      count: null,
      client_ip: attempt.clientIp,
      user_agent: attempt.userAgent?.slice(0, MAX_AGENT) ?? null,
    });
  }

  /**
   * One row per access, or per MAX_IDS ids of a larger one (a 500-item page, an export): each
   * memory's access log finds its id, and every row of the access carries its total count.
   */
  recordAccess(event: AccessEvent, transport: Transport | null = null): void {
    const { caller } = event;
    if (!AUDITED_VIAS.has(caller.via)) return;
    const at = this.now().toISOString();
    const chunks: string[][] = [];
    for (let i = 0; i < event.memoryIds.length; i += MAX_IDS)
      chunks.push(event.memoryIds.slice(i, i + MAX_IDS));
    if (chunks.length === 0) chunks.push([]);
    for (const ids of chunks) {
      this.push({
        at,
        kind: 'access',
        user_id: actorOf(caller),
        owner_id: caller.userId,
        token_id: caller.tokenId ?? null,
        token_prefix: null,
        action: event.action,
        outcome: event.outcome,
        reason: null,
        via: caller.via,
        transport,
        memory_ids: ids.length ? ids.join(',') : null,
        count: event.count,
        client_ip: caller.clientIp ?? null,
        user_agent: caller.userAgent?.slice(0, MAX_AGENT) ?? null,
      });
    }
  }

  /** Records every memory access the service announces; returns the unsubscribe function. */
  attach(events: CoreEvents, transport: Transport | null = null): () => void {
    const listener = (event: AccessEvent) => this.recordAccess(event, transport);
    events.on('memory.access', listener);
    return () => events.off('memory.access', listener);
  }

  query(q: AuditQuery = {}): { entries: AuditEntry[]; total: number } {
    this.flush();
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.userId) {
      where.push('(a.user_id = ? OR a.owner_id = ?)');
      args.push(q.userId, q.userId);
    }
    if (q.tokenId) {
      where.push('a.token_id = ?');
      args.push(q.tokenId);
    }
    if (q.kind) {
      where.push('a.kind = ?');
      args.push(q.kind);
    }
    if (q.action) {
      where.push('a.action = ?');
      args.push(q.action);
    }
    if (q.outcome) {
      where.push('a.outcome = ?');
      args.push(q.outcome);
    }
    if (q.memoryId) {
      // Ids are joined with commas; wrapping both sides in commas matches whole ids only.
      where.push("instr(',' || a.memory_ids || ',', ?) > 0");
      args.push(`,${q.memoryId},`);
    }
    if (q.since) {
      where.push('a.at >= ?');
      args.push(q.since);
    }
    if (q.until) {
      where.push('a.at < ?');
      args.push(q.until);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = Math.max(1, Math.min(1000, Math.floor(q.limit ?? 100)));
    const offset = Math.max(0, Math.floor(q.offset ?? 0));
    return this.run(() => {
      const total = this.db
        .prepare(`SELECT count(*) FROM mcp_audit a ${clause}`)
        .pluck()
        .get(...args) as number;
      const rows = this.db
        .prepare(
          `SELECT a.*, t.name AS token_name FROM mcp_audit a LEFT JOIN mcp_tokens t ON t.id = a.token_id
           ${clause} ORDER BY a.id DESC LIMIT ? OFFSET ?`,
        )
        .all(...args, limit, offset) as AuditRow[];
      return { entries: rows.map(toEntry), total };
    });
  }

  /** Failed authentication attempts since a time (all users): the tray's warning badge. */
  failedSince(since: Date): number {
    this.flush();
    return this.run(() => this.stmt.failedSince.get(since.toISOString()) as number);
  }

  stats(
    userId: string,
    tokens: { total: number; active: number; revoked: number; expired: number; lastUsedAt: string | null },
  ): TokenStats {
    this.flush();
    const now = this.now().getTime();
    const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
    return this.run(() => {
      const accesses: Record<string, number> = {};
      for (const r of this.stmt.accessesOfUserSince.all(userId, iso(30 * 86_400_000)) as Array<{
        action: string;
        n: number;
      }>)
        accesses[r.action] = r.n;
      return {
        userId,
        tokens: {
          total: tokens.total,
          active: tokens.active,
          revoked: tokens.revoked,
          expired: tokens.expired,
        },
        lastUsedAt: tokens.lastUsedAt,
        authSuccessLast24h: this.stmt.successOfUserSince.get(userId, iso(86_400_000)) as number,
        failedLastHour: this.stmt.failedOfUserSince.get(userId, iso(3_600_000)) as number,
        failedLast24h: this.stmt.failedOfUserSince.get(userId, iso(86_400_000)) as number,
        accessesLast30Days: accesses,
      };
    });
  }

  /** Drops rows older than the retention; returns how many. */
  prune(retentionDays: number): number {
    this.flush();
    const cutoff = new Date(this.now().getTime() - retentionDays * 86_400_000).toISOString();
    return this.run(() => this.stmt.prune.run(cutoff).changes);
  }

  /** Forgetting a user removes the record of their memory accesses (auth attempts stay: security). */
  forgetUser(userId: string): number {
    this.flush();
    return this.run(() => this.stmt.forget.run(userId, userId).changes);
  }

  close(): void {
    this.flush();
    this.closed = true;
  }
}

function toEntry(r: AuditRow): AuditEntry {
  const memoryIds = r.memory_ids ? r.memory_ids.split(',') : [];
  const detail =
    r.kind === 'auth'
      ? (r.reason ?? null)
      : [
          memoryIds.length === 1 ? memoryIds[0] : memoryIds.length ? `${memoryIds.length} memories` : null,
          r.count !== null && r.action !== 'read' ? `count ${r.count}` : null,
        ]
          .filter(Boolean)
          .join(', ') || null;
  const client = [r.client_ip, r.user_agent].filter(Boolean).join(' ') || null;
  return {
    id: r.id,
    at: r.at,
    kind: r.kind,
    userId: r.user_id,
    ownerId: r.owner_id,
    tokenId: r.token_id,
    tokenName: r.token_name ?? null,
    tokenPrefix: r.token_prefix,
    action: r.action,
    outcome: r.outcome,
    reason: r.reason,
    detail,
    via: r.via,
    transport: r.transport,
    memoryIds,
    count: r.count,
    clientIp: r.client_ip,
    userAgent: r.user_agent,
    client,
  };
}

/** Token figures plus audit counts for one user (`mem0-tray token stats U`, the UI). */
export function userStats(tokens: TokenStore, audit: AuditLog, userId: string): TokenStats {
  const list = tokens.list({ userId });
  const lastUsedAt = list.reduce<string | null>(
    (max, t) => (t.lastUsedAt && (!max || t.lastUsedAt > max) ? t.lastUsedAt : max),
    null,
  );
  return audit.stats(userId, {
    total: list.length,
    active: list.filter((t) => !t.revoked && !t.expired).length,
    revoked: list.filter((t) => t.revoked).length,
    expired: list.filter((t) => !t.revoked && t.expired).length,
    lastUsedAt,
  });
}
