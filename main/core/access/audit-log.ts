// The audit log: every authentication attempt (who, success or failure and why, token prefix,
// client address, user agent) and every memory access through MCP or REST (who read, changed or
// deleted which memory ids). It never holds a token value or a memory's text. Rows are kept for
// settings.auditRetentionDays and written in small batches so a busy client costs one transaction
// per batch, not one per call. Reading goes through here too, so what is queued is written first;
// the SQL of reading is in audit-query.ts and audit-stats.ts.
import { withDbErrors, type Db } from '../db/database.js';
import type { AccessEvent, AccessVia, CoreEvents } from '../events.js';
import type { Logger } from '../log.js';
import { describeError } from '../errors.js';
import { actorOf } from './actor.js';
import { queryAudit, type AuditEntry, type AuditQuery } from './audit-query.js';
import { AuditCounts, tokenFigures, type TokenStats } from './audit-stats.js';
import { applyAuditMigrations, type AuditRow } from './audit-table.js';
import type { AuthFailureReason, TokenStore } from './tokens.js';

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

type NewRow = Omit<AuditRow, 'id' | 'token_name'>;

/** The vias whose memory accesses are recorded (the UI and CLI act as the machine's own user). */
const AUDITED_VIAS: ReadonlySet<AccessVia> = new Set(['rest', 'mcp', 'hook']);
/** Memory ids per access row; a larger access is split over several rows. */
const MAX_IDS = 100;
const MAX_AGENT = 200;
const FLUSH_MS = 20;
const FLUSH_ROWS = 256;

export interface AuditLogOptions {
  now?: () => Date;
  log?: Logger;
  /** Write each row at once (tests that read the table directly); default: small batches. */
  synchronous?: boolean;
}

export class AuditLog {
  private readonly now: () => Date;
  private readonly stmt;
  private readonly counts: AuditCounts;
  private pending: NewRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly options: AuditLogOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    applyAuditMigrations(db);
    this.counts = new AuditCounts(db);
    this.stmt = {
      insert: db.prepare(
        `INSERT INTO mcp_audit (at, kind, user_id, owner_id, token_id, token_prefix, action, outcome,
           reason, via, transport, memory_ids, count, client_ip, user_agent)
         VALUES (@at, @kind, @user_id, @owner_id, @token_id, @token_prefix, @action, @outcome,
           @reason, @via, @transport, @memory_ids, @count, @client_ip, @user_agent)`,
      ),
      prune: db.prepare('DELETE FROM mcp_audit WHERE at < ?'),
      forget: db.prepare("DELETE FROM mcp_audit WHERE kind = 'access' AND (user_id = ? OR owner_id = ?)"),
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
    return queryAudit(this.db, q);
  }

  /** Failed authentication attempts since a time (all users): the tray's warning badge. */
  failedSince(since: Date): number {
    this.flush();
    return this.counts.failedSince(since);
  }

  /** Token figures plus audit counts for one user (`mem0-tray token stats U`, the UI). */
  userStats(tokens: TokenStore, userId: string): TokenStats {
    this.flush();
    return this.counts.ofUser(userId, tokenFigures(tokens, userId), this.now());
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
