// The audit table (mcp_audit): its migrations and its row, shared by the writer (audit-log.ts)
// and the readers (audit-query.ts, audit-stats.ts).
import { applyMigrations, type Db } from '../db/database.js';
import { TOKEN_MIGRATIONS } from './tokens.js';

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

export interface AuditRow {
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

/** Both tables the audit readers use: queries join the token table for names. */
export function applyAuditMigrations(db: Db): void {
  applyMigrations(db, 'tokens', TOKEN_MIGRATIONS);
  applyMigrations(db, 'audit', AUDIT_MIGRATIONS);
}
