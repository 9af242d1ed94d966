// One authentication path for REST, MCP over HTTP and MCP over stdio: read the credentials, refuse
// a client that failed too often, verify the token, and write the attempt to the audit log.
import type { IncomingHttpHeaders } from 'node:http';
import type { AccessVia } from '../events.js';
import type { AuditLog, Transport } from './audit-log.js';
import {
  credentialFingerprint,
  type FailureLimiter,
  type LimiterClient,
  type LimitScope,
} from './rate-limit.js';
import {
  lookupOf,
  looksLikeToken,
  TOKEN_PREFIX,
  type AuthFailureReason,
  type TokenInfo,
  type TokenStore,
} from './tokens.js';

export interface Credentials {
  token: string | null;
  /** X-MCP-UserID, when sent. */
  claimedUserId: string | null;
  /** Set when the headers contradict each other (two different tokens, X-MCP-Token without a user). */
  problem: string | null;
}

const header = (headers: IncomingHttpHeaders, name: string): string | null => {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined ? null : s.trim();
};

/** `Authorization: Bearer mcp_…`, or `X-MCP-Token` with `X-MCP-UserID`. */
export function credentialsFromHeaders(headers: IncomingHttpHeaders): Credentials {
  const auth = header(headers, 'authorization');
  const bearer = auth && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '').trim() : null;
  const xToken = header(headers, 'x-mcp-token');
  const claimedUserId = header(headers, 'x-mcp-userid');
  if (bearer && xToken && bearer !== xToken) {
    return { token: null, claimedUserId, problem: 'Authorization and X-MCP-Token carry different tokens.' };
  }
  if (xToken && !bearer && !claimedUserId) {
    return {
      token: xToken,
      claimedUserId,
      problem: 'X-MCP-Token needs X-MCP-UserID (the user id the token was made for).',
    };
  }
  return { token: bearer || xToken || null, claimedUserId, problem: null };
}

export interface ClientInfo {
  via: AccessVia;
  transport: Transport;
  clientIp: string | null;
  userAgent: string | null;
}

export type AuthOutcome =
  | { ok: true; token: TokenInfo }
  | { ok: false; status: 401 | 429; reason: AuthFailureReason; detail: string; retryAfter?: number };

const DETAIL: Record<Exclude<AuthFailureReason, 'rate_limited'>, string> = {
  missing:
    'Authentication required: send "Authorization: Bearer mcp_…", or "X-MCP-Token" with "X-MCP-UserID".',
  malformed: 'Malformed token: a Mem0 Tray token is "mcp_" followed by 43 characters.',
  unknown: 'Invalid token.',
  expired: 'Token expired: create a new one with "mem0-tray token create".',
  revoked: 'Token revoked: create a new one, or re-enable it with "mem0-tray token enable".',
  user_mismatch: "X-MCP-UserID does not match the token's user.",
};

export class Authenticator {
  constructor(
    readonly tokens: TokenStore,
    private readonly audit: AuditLog,
    private readonly limiter: FailureLimiter,
  ) {}

  authenticate(credentials: Credentials, client: ClientInfo): AuthOutcome {
    const base = {
      via: client.via,
      transport: client.transport,
      clientIp: client.clientIp,
      userAgent: client.userAgent,
    };
    const presented = credentials.token;
    const prefix = presented && looksLikeToken(presented) ? TOKEN_PREFIX + lookupOf(presented) : null;
    const key: LimiterClient = {
      address: client.clientIp ?? 'unknown',
      credential: credentialFingerprint(prefix, client.userAgent, Boolean(presented)),
    };
    const refuse = (scope: LimitScope): AuthOutcome => {
      const { retryAfter, first } = this.limiter.refuse(key, scope);
      // One row per block, not per attempt: a client retrying in a loop must not fill the log.
      if (first) {
        this.audit.recordAuth({
          ...base,
          userId: credentials.claimedUserId,
          tokenId: null,
          tokenPrefix: prefix,
          outcome: 'failed',
          reason: 'rate_limited',
        });
      }
      const what =
        scope === 'credential'
          ? prefix
            ? `with token ${prefix}… (check it with "mem0-tray token list")`
            : 'without a valid token'
          : 'from this address';
      return {
        ok: false,
        status: 429,
        reason: 'rate_limited',
        detail: `Too many failed authentication attempts ${what}: try again in ${retryAfter} s.`,
        retryAfter,
      };
    };
    // The token is checked even while its client is refused: checking costs a hash and an indexed
    // lookup, and a token that just became valid (re-enabled, or a fixed config) must work at once.
    const result = credentials.problem
      ? ({ ok: false, reason: 'malformed', prefix } as const)
      : this.tokens.verify(presented, credentials.claimedUserId);
    if (result.ok) {
      // Accepted even while this credential or its address is refused: a valid token never pays
      // for failures, its own earlier ones or other local clients' (all of them are 127.0.0.1).
      this.audit.recordAuth({
        ...base,
        userId: result.token.userId,
        tokenId: result.token.id,
        tokenPrefix: result.token.prefix,
        outcome: 'success',
        reason: null,
      });
      return { ok: true, token: result.token };
    }
    if (this.limiter.credentialWait(key) > 0) return refuse('credential');
    if (this.limiter.addressWait(key) > 0) return refuse('address');
    this.limiter.fail(key);
    const token = 'token' in result ? result.token : undefined;
    this.audit.recordAuth({
      ...base,
      userId: token?.userId ?? credentials.claimedUserId,
      tokenId: token?.id ?? null,
      tokenPrefix: result.prefix,
      outcome: 'failed',
      reason: result.reason,
    });
    const detail = credentials.problem ?? DETAIL[result.reason as Exclude<AuthFailureReason, 'rate_limited'>];
    return { ok: false, status: 401, reason: result.reason, detail };
  }
}
