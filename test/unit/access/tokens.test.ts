// Token format, hash-only storage, verification states, default expiry, and id/prefix resolution.
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../main/core/db/database.js';
import { TokenStore, generateToken, hashToken, lookupOf } from '../../../main/core/access/tokens.js';
import { tempDir } from '../../support/tmp.js';

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function store(options: ConstructorParameters<typeof TokenStore>[1] = {}) {
  const db = openDatabase(`${tempDir()}/t.db`);
  dbs.push(db);
  return { db, tokens: new TokenStore(db, options) };
}

describe('tokens', () => {
  it('are mcp_ + 43 url-safe characters from 32 random bytes, all different', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const t = generateToken();
      expect(t).toMatch(/^mcp_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(t.slice(4), 'base64url')).toHaveLength(32);
      seen.add(t);
    }
    expect(seen.size).toBe(500);
  });

  it('are stored only as a SHA-256 hash and an 8-character lookup prefix', () => {
    const { db, tokens } = store();
    const { token, record } = tokens.create({ userId: 'alice', name: 'laptop', email: 'a@example.com' });
    const row = db.prepare('SELECT * FROM mcp_tokens').get() as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(token.slice(12));
    expect(row.lookup).toBe(lookupOf(token));
    expect((row.hash as Buffer).equals(hashToken(token))).toBe(true);
    expect(record).toMatchObject({
      userId: 'alice',
      name: 'laptop',
      email: 'a@example.com',
      prefix: token.slice(0, 12),
      permissions: ['read', 'write'],
      createdBy: 'cli',
    });
  });

  it('verifies: valid, wrong user, unknown, malformed, missing, revoked, re-enabled, expired, deleted', () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const { tokens } = store({ now: () => now, defaultExpiryDays: () => 30 });
    const { token, record } = tokens.create({ userId: 'alice', name: 'n' });
    expect(record.expiresAt).toBe('2026-01-31T00:00:00.000Z');
    expect(tokens.verify(token)).toMatchObject({ ok: true, token: { id: record.id } });
    expect(tokens.verify(token, 'alice').ok).toBe(true);
    expect(tokens.verify(token, 'bob')).toMatchObject({ ok: false, reason: 'user_mismatch' });
    expect(tokens.verify(generateToken())).toMatchObject({ ok: false, reason: 'unknown' });
    // Same lookup prefix, different secret: still unknown.
    expect(tokens.verify(token.slice(0, 12) + 'A'.repeat(35))).toMatchObject({
      ok: false,
      reason: 'unknown',
    });
    expect(tokens.verify('mcp_abc')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(tokens.verify(undefined)).toMatchObject({ ok: false, reason: 'missing' });
    tokens.revoke(record.id);
    expect(tokens.verify(token)).toMatchObject({ ok: false, reason: 'revoked' });
    tokens.enable(record.id);
    expect(tokens.verify(token).ok).toBe(true);
    now = new Date('2026-02-01T00:00:00Z');
    expect(tokens.verify(token)).toMatchObject({ ok: false, reason: 'expired' });
    tokens.delete(record.id);
    expect(tokens.verify(token)).toMatchObject({ ok: false, reason: 'unknown' });
  });

  it('never expire with 0 days; read-only tokens carry only read', () => {
    const { tokens } = store({ defaultExpiryDays: () => 0 });
    expect(tokens.create({ userId: 'a', name: 'n' }).record.expiresAt).toBeNull();
    expect(tokens.create({ userId: 'a', name: 'n', readOnly: true, expiresDays: 2 }).record).toMatchObject({
      permissions: ['read'],
      expiresAt: expect.any(String),
    });
    expect(() => tokens.create({ userId: 'a', name: 'n', expiresDays: -1 })).toThrow(/whole number/);
    expect(() => tokens.create({ userId: ' ', name: 'n' })).toThrow(/user id/);
  });

  it('resolves an id or an unambiguous prefix, and refuses an ambiguous one without changing anything', () => {
    const { tokens } = store();
    const a = tokens.create({ userId: 'a', name: 'one' });
    const b = tokens.create({ userId: 'b', name: 'two' });
    expect(tokens.resolve(a.record.id).id).toBe(a.record.id);
    expect(tokens.resolve(a.record.prefix).id).toBe(a.record.id);
    expect(tokens.resolve(b.record.prefix.slice(4, 10)).id).toBe(b.record.id);
    expect(() => tokens.revoke('tok_')).toThrow(/matches 2 tokens/);
    expect(tokens.list().every((t) => !t.revoked)).toBe(true);
    expect(() => tokens.resolve('nothing-like-this')).toThrow(/No token matches/);
    expect(() => tokens.resolve(a.token)).toThrow(/whole token/);
  });

  it('revokes all tokens, or all of one user', () => {
    const { tokens } = store();
    tokens.create({ userId: 'a', name: '1' });
    tokens.create({ userId: 'a', name: '2' });
    tokens.create({ userId: 'b', name: '3' });
    expect(tokens.revokeAll('a')).toBe(2);
    expect(tokens.list({ userId: 'b' })[0]!.revoked).toBe(false);
    expect(tokens.revokeAll()).toBe(1);
    expect(tokens.list().every((t) => t.revoked)).toBe(true);
  });
});
