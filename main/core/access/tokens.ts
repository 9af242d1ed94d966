// MCP/REST access tokens: `mcp_` + 43 url-safe characters (32 random bytes, base64url). Only a
// SHA-256 hash and a short lookup prefix are stored; a presented token is found by its prefix and
// compared in constant time. A token belongs to one user id and carries read and/or write permission.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { applyMigrations, withDbErrors, type Db } from '../db/database.js';
import { UserError } from '../errors.js';

export const TOKEN_PREFIX = 'mcp_';
/** Characters after `mcp_` that are stored in clear to find the row (48 bits: not a secret). */
export const LOOKUP_LENGTH = 8;
const TOKEN_RE = /^mcp_[A-Za-z0-9_-]{43}$/;

export const PERMISSIONS = ['read', 'write'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const TOKEN_MIGRATIONS: ReadonlyArray<string> = [
  `CREATE TABLE mcp_tokens (
     id TEXT PRIMARY KEY,
     lookup TEXT NOT NULL,
     hash BLOB NOT NULL,
     user_id TEXT NOT NULL,
     name TEXT NOT NULL,
     email TEXT,
     created_at TEXT NOT NULL,
     expires_at TEXT,
     revoked_at TEXT,
     last_used_at TEXT,
     created_by TEXT NOT NULL,
     permissions TEXT NOT NULL,
     purpose TEXT
   );
   CREATE INDEX mcp_tokens_lookup ON mcp_tokens (lookup);
   CREATE INDEX mcp_tokens_user ON mcp_tokens (user_id);`,
];

/** What is known about a token; never its value or hash. */
export interface TokenInfo {
  id: string;
  /** `mcp_` + the lookup characters: enough to recognise a token in a list, useless to use it. */
  prefix: string;
  userId: string;
  name: string;
  email: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  revoked: boolean;
  /** Not revoked (an expired token is still "enabled" but fails with reason expired). */
  enabled: boolean;
  expired: boolean;
  lastUsedAt: string | null;
  createdBy: string;
  permissions: Permission[];
  /** What created it for a client, e.g. "claude-desktop"; null for tokens made by hand. */
  purpose: string | null;
}

export interface CreateTokenInput {
  userId: string;
  name: string;
  email?: string | null;
  /** Days until expiry; 0 = never; undefined = the default given to the store. */
  expiresDays?: number;
  readOnly?: boolean;
  createdBy?: string;
  purpose?: string | null;
}

export interface CreatedToken {
  /** The secret: shown once, stored nowhere. */
  token: string;
  record: TokenInfo;
}

export type AuthFailureReason =
  'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked' | 'user_mismatch' | 'rate_limited';

export type VerifyResult =
  | { ok: true; token: TokenInfo }
  | { ok: false; reason: AuthFailureReason; token?: TokenInfo; prefix: string | null };

interface TokenRow {
  id: string;
  lookup: string;
  hash: Buffer;
  user_id: string;
  name: string;
  email: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_by: string;
  permissions: string;
  purpose: string | null;
}

/**
 * SHA-256 without a salt or a slow KDF is right here: the token is 256 bits from the CSPRNG, so
 * there is nothing to guess or pre-compute (unlike a password), and a fast hash keeps each request's
 * authentication far below a millisecond.
 */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function looksLikeToken(value: string): boolean {
  return TOKEN_RE.test(value);
}

export function lookupOf(token: string): string {
  return token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + LOOKUP_LENGTH);
}

const DUMMY_HASH = hashToken('mcp_dummy-value-used-to-keep-timing-uniform');

export interface TokenStoreOptions {
  /** Default lifetime in days for new tokens (settings.tokenExpiryDays); 0 = never. */
  defaultExpiryDays?: () => number;
  now?: () => Date;
}

export class TokenStore {
  private readonly now: () => Date;
  private readonly stmt;
  /** last_used_at is written at most once a minute per token: a busy client is not a write per call. */
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly options: TokenStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    applyMigrations(db, 'tokens', TOKEN_MIGRATIONS);
    this.stmt = {
      insert: db.prepare(
        `INSERT INTO mcp_tokens (id, lookup, hash, user_id, name, email, created_at, expires_at,
           revoked_at, last_used_at, created_by, permissions, purpose)
         VALUES (@id, @lookup, @hash, @user_id, @name, @email, @created_at, @expires_at, NULL, NULL,
           @created_by, @permissions, @purpose)`,
      ),
      byLookup: db.prepare('SELECT * FROM mcp_tokens WHERE lookup = ?'),
      byId: db.prepare('SELECT * FROM mcp_tokens WHERE id = ?'),
      all: db.prepare('SELECT * FROM mcp_tokens ORDER BY created_at, id'),
      ofUser: db.prepare('SELECT * FROM mcp_tokens WHERE user_id = ? ORDER BY created_at, id'),
      touch: db.prepare('UPDATE mcp_tokens SET last_used_at = ? WHERE id = ?'),
      revoke: db.prepare('UPDATE mcp_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      enable: db.prepare('UPDATE mcp_tokens SET revoked_at = NULL WHERE id = ?'),
      delete: db.prepare('DELETE FROM mcp_tokens WHERE id = ?'),
      revokeAll: db.prepare('UPDATE mcp_tokens SET revoked_at = ? WHERE revoked_at IS NULL'),
      revokeUser: db.prepare('UPDATE mcp_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL'),
    };
  }

  private run<T>(fn: () => T): T {
    return withDbErrors(this.db.name, fn);
  }

  private info(row: TokenRow): TokenInfo {
    const now = this.now().toISOString();
    return {
      id: row.id,
      prefix: TOKEN_PREFIX + row.lookup,
      userId: row.user_id,
      name: row.name,
      email: row.email,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      revokedAt: row.revoked_at,
      revoked: row.revoked_at !== null,
      enabled: row.revoked_at === null,
      expired: row.expires_at !== null && row.expires_at <= now,
      lastUsedAt: row.last_used_at,
      createdBy: row.created_by,
      permissions: row.permissions.split(',').filter((p): p is Permission => p === 'read' || p === 'write'),
      purpose: row.purpose,
    };
  }

  create(input: CreateTokenInput): CreatedToken {
    const userId = input.userId.trim();
    const name = input.name.trim();
    if (!userId) throw new UserError('usage', 'A token needs a user id (--user-id).');
    if (!name) throw new UserError('usage', 'A token needs a name (--name), e.g. "laptop Claude Code".');
    const days = input.expiresDays ?? this.options.defaultExpiryDays?.() ?? 365;
    if (!Number.isInteger(days) || days < 0 || days > 3650) {
      throw new UserError(
        'usage',
        `Expiry must be a whole number of days from 0 (never) to 3650, got ${days}.`,
      );
    }
    const token = generateToken();
    const created = this.now();
    const row = {
      id: 'tok_' + randomUUID().replace(/-/g, '').slice(0, 12),
      lookup: lookupOf(token),
      hash: hashToken(token),
      user_id: userId,
      name,
      email: input.email?.trim() || null,
      created_at: created.toISOString(),
      expires_at: days === 0 ? null : new Date(created.getTime() + days * 86_400_000).toISOString(),
      created_by: input.createdBy ?? 'cli',
      permissions: input.readOnly ? 'read' : 'read,write',
      purpose: input.purpose ?? null,
    };
    this.run(() => this.stmt.insert.run(row));
    return { token, record: this.info({ ...row, revoked_at: null, last_used_at: null }) };
  }

  /**
   * Checks a presented token. Rows sharing the lookup prefix are compared by hash in constant
   * time; an unknown prefix still costs one comparison, so timing does not tell prefixes apart.
   */
  verify(presented: string | undefined | null, claimedUserId?: string | null): VerifyResult {
    if (!presented) return { ok: false, reason: 'missing', prefix: null };
    if (!looksLikeToken(presented)) return { ok: false, reason: 'malformed', prefix: null };
    const lookup = lookupOf(presented);
    const prefix = TOKEN_PREFIX + lookup;
    const hash = hashToken(presented);
    const rows = this.run(() => this.stmt.byLookup.all(lookup) as TokenRow[]);
    let match: TokenRow | undefined;
    if (rows.length === 0) timingSafeEqual(hash, DUMMY_HASH);
    for (const row of rows) if (timingSafeEqual(hash, row.hash)) match = row;
    if (!match) return { ok: false, reason: 'unknown', prefix };
    const token = this.info(match);
    if (token.revoked) return { ok: false, reason: 'revoked', token, prefix };
    if (token.expired) return { ok: false, reason: 'expired', token, prefix };
    if (claimedUserId !== undefined && claimedUserId !== null && claimedUserId !== token.userId) {
      return { ok: false, reason: 'user_mismatch', token, prefix };
    }
    this.touch(token);
    return { ok: true, token };
  }

  /** The token a value belongs to, without recording a use (finding our own token in a config). */
  findByValue(presented: string): TokenInfo | null {
    if (!looksLikeToken(presented)) return null;
    const hash = hashToken(presented);
    const rows = this.run(() => this.stmt.byLookup.all(lookupOf(presented)) as TokenRow[]);
    const row = rows.find((r) => timingSafeEqual(hash, r.hash));
    return row ? this.info(row) : null;
  }

  private touch(token: TokenInfo): void {
    const nowMs = this.now().getTime();
    const last = this.lastTouched.get(token.id) ?? 0;
    if (nowMs - last < 60_000) return;
    this.lastTouched.set(token.id, nowMs);
    try {
      this.stmt.touch.run(new Date(nowMs).toISOString(), token.id);
    } catch {
      // "last used" is informative; a busy or read-only database must not fail the request.
    }
  }

  get(id: string): TokenInfo | null {
    const row = this.run(() => this.stmt.byId.get(id) as TokenRow | undefined);
    return row ? this.info(row) : null;
  }

  list(filter: { userId?: string } = {}): TokenInfo[] {
    const rows = this.run(
      () => (filter.userId ? this.stmt.ofUser.all(filter.userId) : this.stmt.all.all()) as TokenRow[],
    );
    return rows.map((r) => this.info(r));
  }

  /**
   * One token by its id, or by an unambiguous beginning of its id or of its prefix (`mcp_AbCd…`
   * or the characters after `mcp_`). Several matches are an error: a command never acts on more
   * than the one token the user meant.
   */
  resolve(ref: string): TokenInfo {
    const wanted = ref.trim();
    if (!wanted) throw new UserError('usage', 'Give a token id or prefix (see "mem0-tray token list").');
    if (looksLikeToken(wanted)) {
      throw new UserError(
        'usage',
        'That is a whole token: give its id or prefix instead (see "mem0-tray token list"), and treat the token as exposed.',
      );
    }
    const exact = this.get(wanted);
    if (exact) return exact;
    const bare = wanted.startsWith(TOKEN_PREFIX) ? wanted.slice(TOKEN_PREFIX.length) : wanted;
    const matches = this.list().filter(
      (t) =>
        t.id.startsWith(wanted) || (bare.length > 0 && t.prefix.slice(TOKEN_PREFIX.length).startsWith(bare)),
    );
    if (matches.length === 0) {
      throw new UserError('not_found', `No token matches "${wanted}" (see "mem0-tray token list").`);
    }
    if (matches.length > 1) {
      throw new UserError(
        'conflict',
        `"${wanted}" matches ${matches.length} tokens (${matches.map((t) => t.id).join(', ')}): give more characters or the full id. Nothing was changed.`,
      );
    }
    return matches[0]!;
  }

  revoke(ref: string): TokenInfo {
    const token = this.resolve(ref);
    this.run(() => this.stmt.revoke.run(this.now().toISOString(), token.id));
    return this.get(token.id)!;
  }

  enable(ref: string): TokenInfo {
    const token = this.resolve(ref);
    this.run(() => this.stmt.enable.run(token.id));
    return this.get(token.id)!;
  }

  delete(ref: string): TokenInfo {
    const token = this.resolve(ref);
    this.run(() => this.stmt.delete.run(token.id));
    this.lastTouched.delete(token.id);
    return token;
  }

  /** Incident response: every token (or every token of one user) stops working at once. */
  revokeAll(userId?: string): number {
    const at = this.now().toISOString();
    return this.run(() =>
      userId ? this.stmt.revokeUser.run(at, userId).changes : this.stmt.revokeAll.run(at).changes,
    );
  }
}
