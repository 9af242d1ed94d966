// Reading the audit log: the filters the UI, the CLI and the access log of one memory use, each
// row joined with its token's name and summarised for lists.
import { withDbErrors, type Db } from '../db/database.js';
import type { AuditRow } from './audit-table.js';

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

export function queryAudit(db: Db, q: AuditQuery = {}): { entries: AuditEntry[]; total: number } {
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
  return withDbErrors(db.name, () => {
    const total = db
      .prepare(`SELECT count(*) FROM mcp_audit a ${clause}`)
      .pluck()
      .get(...args) as number;
    const rows = db
      .prepare(
        `SELECT a.*, t.name AS token_name FROM mcp_audit a LEFT JOIN mcp_tokens t ON t.id = a.token_id
         ${clause} ORDER BY a.id DESC LIMIT ? OFFSET ?`,
      )
      .all(...args, limit, offset) as AuditRow[];
    return { entries: rows.map(toEntry), total };
  });
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
