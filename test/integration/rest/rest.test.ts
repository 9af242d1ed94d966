// The REST API against a real core (SQLite in a temp dir, express on 127.0.0.1): Mem0-server shapes,
// the whole token lifecycle, cross-user denial on every operation, audit rows, rebinding checks,
// rate limiting, body limits, forgetting and exporting a user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../../main/core/access/tokens.js';
import { MEMORY_LIMITS } from '../../../main/core/memory/input-schema.js';
import { startMcpCore, type McpTestCore } from '../mcp/harness.js';

let t: McpTestCore;
let alice: { token: string; id: string };
let bob: { token: string; id: string };

beforeAll(async () => {
  t = await startMcpCore({ access: { limiter: { maxFailures: 1000 } } });
  alice = t.token({ userId: 'alice' });
  bob = t.token({ userId: 'bob' });
});
afterAll(async () => {
  await t.stop();
});

async function addAs(token: string, text: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await t.request('POST', '/memories', {
    token,
    body: { messages: [{ role: 'user', content: text }], ...extra },
  });
  expect(r.status).toBe(200);
  const results = (r.json as { results: Array<{ id: string; memory: string; event: string }> }).results;
  expect(results).toHaveLength(1);
  expect(results[0]).toMatchObject({ memory: text, event: 'ADD' });
  return results[0]!.id;
}

function lastAudit(filter: Record<string, unknown> = {}) {
  return t.access.audit({ limit: 1, ...filter }).entries[0]!;
}

describe('REST API: Mem0-server compatible shapes', () => {
  it('adds, lists, gets, updates, searches, shows history and deletes', async () => {
    const id = await addAs(alice.token, 'Alice deploys with terraform on Fridays');
    const list = await t.request('GET', '/memories?user_id=alice', { token: alice.token });
    expect(list.status).toBe(200);
    const results = (list.json as { results: Array<Record<string, unknown>> }).results;
    expect(results.map((r) => r.id)).toContain(id);
    expect(results[0]).toMatchObject({
      memory: expect.any(String),
      user_id: 'alice',
      hash: expect.stringMatching(/^[0-9a-f]{32}$/),
    });

    const got = await t.request('GET', `/memories/${id}?user_id=alice`, { token: alice.token });
    expect(got.json).toMatchObject({
      id,
      memory: 'Alice deploys with terraform on Fridays',
      user_id: 'alice',
      // Added by a REST client, not through an MCP tool or by capture.
      source: 'manual',
    });

    const put = await t.request('PUT', `/memories/${id}?user_id=alice`, {
      token: alice.token,
      body: { data: 'Alice deploys with terraform on Mondays' },
    });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ message: 'Memory updated successfully!' });

    const search = await t.request('POST', '/search', {
      token: alice.token,
      body: { query: 'terraform mondays', user_id: 'alice' },
    });
    expect(search.status).toBe(200);
    const hits = (search.json as { results: Array<{ id: string; score: number; memory: string }> }).results;
    expect(hits[0]).toMatchObject({
      id,
      memory: 'Alice deploys with terraform on Mondays',
      score: expect.any(Number),
    });

    const history = await t.request('GET', `/memories/${id}/history?user_id=alice`, { token: alice.token });
    expect((history.json as Array<{ event: string }>).map((h) => h.event)).toEqual(['ADD', 'UPDATE']);
    expect((history.json as Array<Record<string, unknown>>)[1]).toMatchObject({
      memory_id: id,
      old_memory: 'Alice deploys with terraform on Fridays',
      new_memory: 'Alice deploys with terraform on Mondays',
    });

    const del = await t.request('DELETE', `/memories/${id}?user_id=alice`, { token: alice.token });
    expect(del.json).toEqual({ message: 'Memory deleted successfully' });
    const gone = await t.request('GET', `/memories/${id}?user_id=alice`, { token: alice.token });
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual({ detail: `No memory with id ${id}.` });
  });

  it('answers bad input with a 400 that names the field, and limits body size', async () => {
    const r = await t.request('POST', '/search', { token: alice.token, body: { query: 42 } });
    expect(r.status).toBe(400);
    expect((r.json as { detail: string }).detail).toMatch(/query/);
    const notJson = await t.request('POST', '/memories', { token: alice.token, rawBody: '{"messages": [' });
    expect(notJson.status).toBe(400);
    expect(notJson.json).toEqual({ detail: 'Request body is not valid JSON.' });
    const big = await t.request('POST', '/memories', {
      token: alice.token,
      rawBody: JSON.stringify({ text: 'x'.repeat(1_100_000) }),
    });
    expect(big.status).toBe(413);
    expect(big.json).toEqual({ detail: 'Request body too large.' });
    const empty = await t.request('POST', '/memories', { token: alice.token, body: { messages: [] } });
    expect(empty.status).toBe(400);
  });

  it('keeps a conversation longer than the longest memory, cut to it, rather than refusing it', async () => {
    const turn = (role: string, word: string) => ({ role, content: `${word} `.repeat(12_000) });
    const r = await t.request('POST', '/memories', {
      token: alice.token,
      body: { messages: [turn('user', 'alpha'), turn('assistant', 'bravo'), turn('user', 'charlie')] },
    });
    expect(r.status).toBe(200);
    const [kept] = (r.json as { results: Array<{ memory: string }> }).results;
    expect(kept!.memory).toHaveLength(MEMORY_LIMITS.text);
    expect(kept!.memory.startsWith('alpha alpha')).toBe(true);
    expect(kept!.memory.endsWith('…')).toBe(true);
  });

  it('sends no CORS headers and refuses a forged Host or a foreign Origin', async () => {
    const ok = await t.request('GET', '/memories', { token: alice.token });
    expect(ok.headers['access-control-allow-origin']).toBeUndefined();
    for (const path of ['/memories', '/mcp']) {
      const forged = await t.request('GET', path, {
        token: alice.token,
        headers: { host: `evil.example:${t.port}` },
      });
      expect(forged.status).toBe(403);
      expect(forged.json).toEqual({ detail: 'Forbidden: invalid Host header.' });
      const origin = await t.request('GET', path, {
        token: alice.token,
        headers: { origin: 'http://evil.example' },
      });
      expect(origin.status).toBe(403);
    }
  });
});

describe('REST API: ownership', () => {
  it('denies every id-based operation on another user’s memory with the exact 403, and audits it', async () => {
    const bobs = await addAs(bob.token, 'Bob keeps his ssh keys on a yubikey');
    const denied = { detail: `Access denied: Memory ${bobs} does not belong to user alice` };
    const calls: Array<[string, string, unknown?]> = [
      ['GET', `/memories/${bobs}?user_id=alice`],
      ['PUT', `/memories/${bobs}?user_id=alice`, { data: 'overwritten by alice' }],
      ['DELETE', `/memories/${bobs}?user_id=alice`],
      ['GET', `/memories/${bobs}/history?user_id=alice`],
    ];
    for (const [method, path, body] of calls) {
      const r = await t.request(method, path, { token: alice.token, body });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.json).toEqual(denied);
      const entry = lastAudit({ userId: 'alice', kind: 'access' });
      expect(entry).toMatchObject({
        outcome: 'denied',
        memoryIds: [bobs],
        userId: 'alice',
        via: 'rest',
        tokenId: alice.id,
      });
    }
    // Still there, unchanged, for Bob.
    const still = await t.request('GET', `/memories/${bobs}`, { token: bob.token });
    expect(still.json).toMatchObject({ memory: 'Bob keeps his ssh keys on a yubikey' });
    // Search and list never show it to Alice.
    const search = await t.request('POST', '/search', { token: alice.token, body: { query: 'yubikey' } });
    expect((search.json as { results: unknown[] }).results).toEqual([]);
    const list = await t.request('GET', '/memories', { token: alice.token });
    expect(JSON.stringify(list.json)).not.toContain(bobs);
  });

  it('refuses a user_id that is not the token’s', async () => {
    for (const [method, path, body] of [
      ['GET', '/memories?user_id=bob'],
      ['POST', '/search', { query: 'ssh', user_id: 'bob' }],
      ['POST', '/memories', { text: 'x', user_id: 'bob' }],
      ['DELETE', '/memories?user_id=bob'],
      ['GET', '/export?user_id=bob'],
    ] as Array<[string, string, unknown?]>) {
      const r = await t.request(method, path, { token: alice.token, body });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.json).toEqual({ detail: 'Access denied: this token belongs to user alice, not bob.' });
    }
  });

  it('lets a read-only token read but not write', async () => {
    const ro = t.token({ userId: 'alice', readOnly: true });
    const id = await addAs(alice.token, 'Alice prefers pnpm over npm');
    expect((await t.request('GET', `/memories/${id}`, { token: ro.token })).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', '/memories', { text: 'nope' }],
      ['PUT', `/memories/${id}`, { data: 'nope' }],
      ['DELETE', `/memories/${id}`],
      ['DELETE', '/memories?user_id=alice'],
    ] as Array<[string, string, unknown?]>) {
      const r = await t.request(method, path, { token: ro.token, body });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.json).toEqual({ detail: 'Access denied: this token is read-only.' });
    }
  });
});

describe('REST API: token lifecycle and the audit log', () => {
  it('accepts a valid token in either header form and refuses every invalid state with 401 JSON', async () => {
    const carol = t.token({ userId: 'carol' });
    const get = (headers: Record<string, string>) => t.request('GET', '/memories', { headers });
    const expectAudit = (outcome: string, reason: string | null, userId: string | null) =>
      expect(lastAudit({ kind: 'auth' })).toMatchObject({ outcome, reason, userId });

    expect((await get({ authorization: `Bearer ${carol.token}` })).status).toBe(200);
    expectAudit('success', null, 'carol');
    expect(lastAudit({ kind: 'auth' })).toMatchObject({
      tokenId: carol.id,
      tokenPrefix: carol.token.slice(0, 12),
      clientIp: expect.stringMatching(/127\.0\.0\.1/),
    });
    expect((await get({ 'x-mcp-token': carol.token, 'x-mcp-userid': 'carol' })).status).toBe(200);
    expectAudit('success', null, 'carol');

    const missing = await get({});
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    expect((missing.json as { detail: string }).detail).toMatch(/Authentication required/);
    expectAudit('failed', 'missing', null);

    const wrongUser = await get({ 'x-mcp-token': carol.token, 'x-mcp-userid': 'alice' });
    expect(wrongUser.status).toBe(401);
    expect(wrongUser.json).toEqual({ detail: "X-MCP-UserID does not match the token's user." });
    expectAudit('failed', 'user_mismatch', 'carol');

    const noUser = await get({ 'x-mcp-token': carol.token });
    expect(noUser.status).toBe(401);

    const unknown = await get({ authorization: `Bearer ${generateToken()}` });
    expect(unknown.status).toBe(401);
    expect(unknown.json).toEqual({ detail: 'Invalid token.' });
    expectAudit('failed', 'unknown', null);

    const malformed = await get({ authorization: 'Bearer mcp_short' });
    expect(malformed.status).toBe(401);
    expectAudit('failed', 'malformed', null);

    t.access.revokeToken(carol.id);
    const revoked = await get({ authorization: `Bearer ${carol.token}` });
    expect(revoked.status).toBe(401);
    expect((revoked.json as { detail: string }).detail).toMatch(/revoked/);
    expectAudit('failed', 'revoked', 'carol');

    t.access.enableToken(carol.id);
    expect((await get({ authorization: `Bearer ${carol.token}` })).status).toBe(200);
    expectAudit('success', null, 'carol');

    t.core.db
      .prepare('UPDATE mcp_tokens SET expires_at = ? WHERE id = ?')
      .run('2000-01-01T00:00:00.000Z', carol.id);
    const expired = await get({ authorization: `Bearer ${carol.token}` });
    expect(expired.status).toBe(401);
    expect((expired.json as { detail: string }).detail).toMatch(/expired/);
    expectAudit('failed', 'expired', 'carol');

    t.access.deleteToken(carol.id);
    const deleted = await get({ authorization: `Bearer ${carol.token}` });
    expect(deleted.status).toBe(401);
    expectAudit('failed', 'unknown', null);
  });

  it('records memory accesses without text or token values', async () => {
    const secretText = 'the launch code is swordfish-7781';
    const id = await addAs(alice.token, secretText);
    await t.request('GET', `/memories/${id}`, { token: alice.token });
    expect((await t.request('GET', '/memories', { token: alice.token })).status).toBe(200);
    expect((await t.request('GET', '/export', { token: alice.token })).status).toBe(200);
    const entries = t.access.audit({ userId: 'alice', memoryId: id }).entries;
    expect(entries.map((e) => e.action).sort()).toEqual(['create', 'export', 'list', 'read']);
    expect(entries.every((e) => e.via === 'rest' && e.tokenId === alice.id)).toBe(true);
    // The review UI's detail pane shows the same reads.
    const log = await t.accessLog(id);
    expect(log.map((e) => e.action).sort()).toEqual(['create', 'export', 'list', 'read']);
    expect(log.every((e) => e.via === 'rest' && e.outcome === 'ok')).toBe(true);
    t.access.auditLog.flush();
    const dump = JSON.stringify(t.core.db.prepare('SELECT * FROM mcp_audit').all());
    expect(dump).not.toContain('swordfish');
    expect(dump).not.toContain(alice.token);
    const tokens = JSON.stringify(t.core.db.prepare('SELECT * FROM mcp_tokens').all());
    expect(tokens).not.toContain(alice.token.slice(12));
  });
});

describe('REST API: which memories a list or an export handed out', () => {
  it('names every id, split over rows of at most 100, each with the total count', async () => {
    const frank = t.token({ userId: 'frank' });
    const ids: string[] = [];
    for (let i = 0; i < 230; i++) {
      const [m] = await t.core
        .backend()
        .add({ userId: 'frank', text: `Frank note ${i}`, source: 'manual', infer: false });
      ids.push(m!.id);
    }
    const rowsOf = (action: string) => t.access.audit({ userId: 'frank', kind: 'access', action }).entries;

    const list = await t.request('GET', '/memories?limit=250', { token: frank.token });
    const listed = (list.json as { results: Array<{ id: string }> }).results.map((r) => r.id);
    expect(listed).toHaveLength(230);
    const listRows = rowsOf('list');
    expect(listRows.map((r) => r.memoryIds.length).sort((a, b) => a - b)).toEqual([30, 100, 100]);
    expect(listRows.every((r) => r.count === 230 && r.via === 'rest' && r.tokenId === frank.id)).toBe(true);
    expect(listRows.flatMap((r) => r.memoryIds).sort()).toEqual([...listed].sort());

    const page = await t.request('GET', '/memories?limit=5', { token: frank.token });
    const five = (page.json as { results: Array<{ id: string }> }).results.map((r) => r.id);
    expect(rowsOf('list')[0]).toMatchObject({ memoryIds: five, count: 5 });

    expect((await t.request('GET', '/export', { token: frank.token })).status).toBe(200);
    const exportRows = rowsOf('export');
    expect(exportRows).toHaveLength(3);
    expect(exportRows.every((r) => r.count === 230)).toBe(true);
    expect(exportRows.flatMap((r) => r.memoryIds).sort()).toEqual([...ids].sort());
  });
});

describe('REST API: forgetting and exporting a user', () => {
  it('exports everything of the caller, and forgets it: memories, history, access records, tokens', async () => {
    const dave = t.token({ userId: 'dave' });
    const second = t.token({ userId: 'dave', name: 'second' });
    const id = await addAs(dave.token, 'Dave runs postgres 16 in docker');
    await t.request('PUT', `/memories/${id}`, {
      token: dave.token,
      body: { data: 'Dave runs postgres 17 in docker' },
    });
    const bobs = await addAs(bob.token, 'Bob also runs postgres');

    const exported = await t.request('GET', '/export?user_id=dave', { token: dave.token });
    expect(exported.status).toBe(200);
    const doc = exported.json as {
      user_id: string;
      memories: Array<{ id: string; memory: string; history: Array<{ event: string }> }>;
      tokens: Array<Record<string, unknown>>;
      audit: Array<{ action: string }>;
    };
    expect(doc.user_id).toBe('dave');
    expect(doc.memories).toHaveLength(1);
    expect(doc.memories[0]).toMatchObject({ id, memory: 'Dave runs postgres 17 in docker' });
    expect(doc.memories[0]!.history.map((h) => h.event)).toEqual(['ADD', 'UPDATE']);
    expect(doc.tokens.map((tk) => tk.id).sort()).toEqual([dave.id, second.id].sort());
    expect(exported.text).not.toContain(dave.token);
    expect(doc.audit.some((a) => a.action === 'update')).toBe(true);

    const forget = await t.request('DELETE', '/memories?user_id=dave', { token: dave.token });
    expect(forget.status).toBe(200);
    expect(forget.json).toEqual({ message: 'All relevant memories deleted', deleted: 1, tokens_revoked: 2 });
    expect(await t.core.backend().get(id)).toBeNull();
    expect(await t.core.backend().history(id)).toEqual([]);
    const access = t.access.audit({ userId: 'dave', kind: 'access' }).entries;
    expect(access.map((e) => e.action)).toEqual(['forget']);
    expect(t.access.listTokens({ userId: 'dave' }).every((tk) => tk.revoked)).toBe(true);
    expect((await t.request('GET', '/memories', { token: dave.token })).status).toBe(401);
    // Bob is untouched.
    expect((await t.request('GET', `/memories/${bobs}`, { token: bob.token })).status).toBe(200);
  });
});

describe('REST API: repeated failures', () => {
  const limiter = { maxFailures: 5, maxAddressFailures: 40, windowMs: 60_000, blockMs: 60_000 };
  const authRows = (core: McpTestCore) => {
    core.access.auditLog.flush();
    return core.core.db.prepare("SELECT count(*) FROM mcp_audit WHERE kind = 'auth'").pluck().get() as number;
  };

  it('refuses a client with a stale token with 429, while a good client on 127.0.0.1 keeps working', async () => {
    const limited = await startMcpCore({ access: { limiter } });
    try {
      const valid = limited.token({ userId: 'alice' });
      const stale = limited.token({ userId: 'alice', name: 'old laptop config' });
      limited.access.revokeToken(stale.id);
      const bad = () =>
        limited.request('GET', '/memories', {
          token: stale.token,
          headers: { 'user-agent': 'stale-client' },
        });
      const good = () =>
        limited.request('GET', '/memories', {
          token: valid.token,
          headers: { 'user-agent': 'stale-client' },
        });
      for (let i = 0; i < 5; i++) expect((await bad()).status).toBe(401);

      // The bad and the good client at the same time, same address and user agent.
      const [refused, accepted, mcp] = await Promise.all([
        bad(),
        good(),
        limited.request('POST', '/mcp', {
          token: valid.token,
          headers: { accept: 'application/json, text/event-stream' },
          body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
        }),
      ]);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((refused.json as { detail: string }).detail).toMatch(
        new RegExp(`Too many failed authentication attempts with token ${stale.token.slice(0, 12)}`),
      );
      expect(accepted.status).toBe(200);
      expect(mcp.status).toBe(200);
      expect(mcp.text).toContain('search_memories');
      // A client that sends no token at all is a different credential too.
      expect((await limited.request('GET', '/memories')).status).toBe(401);

      expect(limited.access.audit({ kind: 'auth', outcome: 'failed', limit: 10 }).entries[1]).toMatchObject({
        reason: 'rate_limited',
        tokenPrefix: stale.token.slice(0, 12),
      });
      // Refused attempts write one row per block, not one per attempt.
      const before = authRows(limited);
      for (let i = 0; i < 50; i++) expect((await bad()).status).toBe(429);
      expect(authRows(limited)).toBe(before);
      expect(
        limited.access
          .audit({ kind: 'auth', limit: 1000 })
          .entries.filter((e) => e.reason === 'rate_limited'),
      ).toHaveLength(1);
      expect(limited.core.status().features.access).toMatchObject({ failedLogins: 5 + 1 + 1 });
      // Re-enabled (as the revoked message suggests), the same token works at once.
      limited.access.enableToken(stale.id);
      expect((await bad()).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  it('stops a flood of ever-changing tokens with a bounded audit log; a valid token still passes', async () => {
    const limited = await startMcpCore({ access: { limiter } });
    try {
      const valid = limited.token({ userId: 'alice' });
      const statuses: number[] = [];
      for (let i = 0; i < 300; i++) {
        const r = await limited.request('GET', '/memories', { token: generateToken() });
        statuses.push(r.status);
        if (i % 50 === 0) {
          expect((await limited.request('GET', '/memories', { token: valid.token })).status).toBe(200);
        }
      }
      expect(statuses.slice(0, 40).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(40).every((s) => s === 429)).toBe(true);
      expect((await limited.request('GET', '/memories', { token: valid.token })).status).toBe(200);
      // 40 failures, one rate_limited row, and the 7 successful logins.
      expect(authRows(limited)).toBe(40 + 1 + 7);
    } finally {
      await limited.stop();
    }
  });
});
