// What the access feature offers every front door (MCP, REST, the recall hook) and the UI: one
// token store, one authenticator, one audit log, and the isolation settings in force.
import type { AuditLog } from './audit-log.js';
import type { AuditEntry, AuditQuery } from './audit-query.js';
import type { TokenStats } from './audit-stats.js';
import type { Authenticator } from './authenticate.js';
import type { IsolationSettings } from './isolation.js';
import type { CreateTokenInput, CreatedToken, TokenInfo, TokenStore } from './tokens.js';

export interface AccessHandle {
  readonly tokens: TokenStore;
  readonly auditLog: AuditLog;
  readonly authenticator: Authenticator;
  /** The isolation mode, its fixed project and the pool owner, from the current settings. */
  isolation(): IsolationSettings;
  createToken(input: CreateTokenInput): CreatedToken;
  listTokens(filter?: { userId?: string }): TokenInfo[];
  /** By id or unambiguous prefix. */
  revokeToken(ref: string): TokenInfo;
  enableToken(ref: string): TokenInfo;
  deleteToken(ref: string): TokenInfo;
  revokeAllTokens(userId?: string): number;
  audit(query?: AuditQuery): { entries: AuditEntry[]; total: number };
  stats(userId: string): TokenStats;
  /** Failed sign-ins of the last hour, of every user: the tray's warning. */
  failedLogins(): number;
}
