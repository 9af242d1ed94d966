// MCP over Streamable HTTP with the SDK's own client against a real core: every tool, the recent
// resource, input errors, cross-user denial as tool errors, read-only tokens, project isolation in
// the three modes, and tokens that stop working mid-session.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectIdForPath } from '../../../main/core/capture/project.js';
import { generateToken } from '../../../main/core/access/tokens.js';
import { startMcpCore, type McpTestCore } from './harness.js';
import { call, httpClient } from './mcp-client.js';

let t: McpTestCore;
let alice: Client;
let bob: Client;
let aliceToken: { token: string; id: string };
const clients: Client[] = [];

async function connect(core: McpTestCore, headers: Record<string, string>): Promise<Client> {
  const c = await httpClient(`${core.baseUrl}/mcp`, headers);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  t = await startMcpCore({ access: { limiter: { maxFailures: 1000 } } });
  aliceToken = t.token({ userId: 'alice' });
  const bobToken = t.token({ userId: 'bob' });
  alice = await connect(t, { authorization: `Bearer ${aliceToken.token}` });
  bob = await connect(t, { 'x-mcp-token': bobToken.token, 'x-mcp-userid': 'bob' });
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await t.stop();
});

const idOf = (r: { structured?: Record<string, unknown> }) =>
  ((r.structured?.memories as Array<{ id: string }>)[0] ?? { id: '' }).id;

describe('MCP over HTTP', () => {
  it('offers the seven tools and the recent resource', async () => {
    const tools = (await alice.listTools()).tools.map((x) => x.name).sort();
    expect(tools).toEqual([
      'add_memory',
      'delete_memory',
      'get_memory',
      'list_memories',
      'memory_history',
      'search_memories',
      'update_memory',
    ]);
    const search = (await alice.listTools()).tools.find((x) => x.name === 'search_memories')!;
    expect(search.description).toMatch(/search/i);
    // A query, or several phrasings in `queries`: neither alone is required by the schema.
    expect(Object.keys(search.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['query', 'queries', 'limit', 'project']),
    );
    const resources = (await alice.listResources()).resources.map((r) => r.uri);
    expect(resources).toEqual(['memory://recent']);
  });

  it('adds, searches, lists, reads, updates, shows history and deletes', async () => {
    const added = await call(alice, 'add_memory', {
      text: 'Alice uses vitest for unit tests',
      metadata: { topic: 'testing' },
    });
    expect(added.isError).toBe(false);
    const id = idOf(added);
    expect(added.text).toBe(`Saved memory ${id}.`);

    const found = await call(alice, 'search_memories', { query: 'vitest' });
    expect(found.text).toContain(id);
    expect(found.text).toContain('Alice uses vitest for unit tests');
    expect((found.structured?.results as Array<{ id: string; text: string }>)[0]).toMatchObject({
      id,
      text: 'Alice uses vitest for unit tests',
    });

    const listed = await call(alice, 'list_memories', { limit: 5 });
    expect((listed.structured?.memories as Array<{ id: string }>).map((m) => m.id)).toContain(id);

    const got = await call(alice, 'get_memory', { id });
    expect(got.text).toContain('Alice uses vitest for unit tests');
    expect(got.structured?.memory).toMatchObject({ id, metadata: { topic: 'testing' }, source: 'mcp' });

    const updated = await call(alice, 'update_memory', { id, text: 'Alice uses vitest 4 for unit tests' });
    expect(updated.text).toBe(`Updated memory ${id}.`);
    const history = await call(alice, 'memory_history', { id });
    expect((history.structured?.history as Array<{ event: string }>).map((h) => h.event)).toEqual([
      'ADD',
      'UPDATE',
    ]);
    expect(history.text).toContain('vitest 4');

    const recent = await alice.readResource({ uri: 'memory://recent' });
    const doc = JSON.parse((recent.contents[0] as { text: string }).text) as {
      memories: Array<{ id: string }>;
    };
    expect(doc.memories.map((m) => m.id)).toContain(id);

    expect((await call(alice, 'delete_memory', { id })).text).toBe(`Deleted memory ${id}.`);
    const gone = await call(alice, 'get_memory', { id });
    expect(gone).toMatchObject({ isError: true, text: `No memory with id ${id}.` });
    expect((await call(alice, 'search_memories', { query: 'vitest' })).text).toBe(
      'No memories match "vitest".',
    );
  });

  it('names the memories list_memories and memory://recent handed out, in the audit and access logs', async () => {
    const texts = [
      'Alice takes node 22 from .nvmrc',
      'Alice reviews PRs before lunch',
      'Alice keeps ADRs in docs/adr',
    ];
    const ids: string[] = [];
    for (const text of texts) ids.push(idOf(await call(alice, 'add_memory', { text })));

    const listed = await call(alice, 'list_memories', { limit: 3 });
    expect((listed.structured?.memories as Array<{ id: string }>).map((m) => m.id).sort()).toEqual(
      [...ids].sort(),
    );
    const list = t.access.audit({ userId: 'alice', kind: 'access', action: 'list', limit: 1 }).entries[0]!;
    expect(list).toMatchObject({ via: 'mcp', outcome: 'ok', tokenId: aliceToken.id, count: 3 });
    expect([...list.memoryIds].sort()).toEqual([...ids].sort());

    const recent = await alice.readResource({ uri: 'memory://recent' });
    const shown = (
      JSON.parse((recent.contents[0] as { text: string }).text) as { memories: Array<{ id: string }> }
    ).memories;
    const row = t.access.audit({ userId: 'alice', kind: 'access', action: 'list', limit: 1 }).entries[0]!;
    expect(row.id).toBeGreaterThan(list.id);
    expect(row.memoryIds).toEqual(shown.map((m) => m.id));
    expect(row.memoryIds).toEqual(expect.arrayContaining(ids));
    expect(row.count).toBe(shown.length);

    // The review UI's detail pane shows both reads for each memory.
    for (const id of ids) {
      const log = await t.accessLog(id);
      expect(log.map((e) => e.action).sort(), id).toEqual(['create', 'list', 'list']);
      expect(log.every((e) => e.via === 'mcp' && e.outcome === 'ok')).toBe(true);
    }
    t.access.auditLog.flush();
    const dump = JSON.stringify(t.core.db.prepare('SELECT * FROM mcp_audit').all());
    for (const text of texts) expect(dump).not.toContain(text);
  });

  it('turns bad input into a tool error that says what was wrong', async () => {
    const empty = await call(alice, 'search_memories', { query: '' });
    expect(empty.isError).toBe(true);
    expect(empty.text).toMatch(/query/);
    expect(empty.text).toMatch(/must not be empty/);
    const big = await call(alice, 'search_memories', { query: 'x', limit: 1000 });
    expect(big.isError).toBe(true);
    expect(big.text).toMatch(/limit/);
    const since = await call(alice, 'list_memories', { since: 'last tuesday' });
    expect(since.isError).toBe(true);
    expect(since.text).toMatch(/ISO 8601/);
    const nothing = await call(alice, 'update_memory', { id: 'x' });
    expect(nothing).toMatchObject({
      isError: true,
      text: 'Nothing to change: give "text" and/or "metadata".',
    });
    const missing = await call(alice, 'get_memory', {});
    expect(missing.isError).toBe(true);
    expect(missing.text).toMatch(/id/);
  });

  it('denies another user’s memory on every tool with the same message as REST, and audits it', async () => {
    const bobs = idOf(await call(bob, 'add_memory', { text: 'Bob’s bank PIN hint is his first dog' }));
    const denied = `Access denied: Memory ${bobs} does not belong to user alice`;
    for (const [tool, args] of [
      ['get_memory', { id: bobs }],
      ['update_memory', { id: bobs, text: 'hijacked' }],
      ['delete_memory', { id: bobs }],
      ['memory_history', { id: bobs }],
    ] as Array<[string, Record<string, unknown>]>) {
      const r = await call(alice, tool, args);
      expect(r, tool).toMatchObject({ isError: true, text: denied });
      const entry = t.access.audit({ userId: 'alice', kind: 'access', limit: 1 }).entries[0]!;
      expect(entry).toMatchObject({
        outcome: 'denied',
        memoryIds: [bobs],
        via: 'mcp',
        tokenId: aliceToken.id,
      });
    }
    expect((await call(alice, 'search_memories', { query: 'PIN dog' })).structured?.results).toEqual([]);
    expect((await call(bob, 'get_memory', { id: bobs })).text).toContain('first dog');
  });

  it('lets a read-only token search but not write', async () => {
    const ro = await connect(t, {
      authorization: `Bearer ${t.token({ userId: 'alice', readOnly: true }).token}`,
    });
    expect((await call(ro, 'list_memories')).isError).toBe(false);
    const r = await call(ro, 'add_memory', { text: 'should not be saved' });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/read-only/);
  });

  it('keeps projects apart in auto mode; a directory path maps to capture’s project id', async () => {
    const dir = '/home/alice/src/billing-service';
    await call(alice, 'add_memory', { text: 'billing uses stripe webhooks', project: dir });
    await call(alice, 'add_memory', { text: 'frontend uses stripe elements', project: 'frontend' });
    const inBilling = await call(alice, 'search_memories', { query: 'stripe', project: dir });
    const results = inBilling.structured?.results as Array<{ text: string; projectId: string }>;
    expect(results.map((r) => r.text)).toEqual(['billing uses stripe webhooks']);
    expect(results[0]!.projectId).toBe(projectIdForPath(dir));
    const everywhere = await call(alice, 'search_memories', { query: 'stripe' });
    expect((everywhere.structured?.results as unknown[]).length).toBe(2);
    // A client-wide default project (X-MCP-Project) scopes calls that name none.
    const scoped = await connect(t, {
      authorization: `Bearer ${aliceToken.token}`,
      'x-mcp-project': 'frontend',
    });
    const fe = await call(scoped, 'search_memories', { query: 'stripe' });
    expect((fe.structured?.results as Array<{ text: string }>).map((r) => r.text)).toEqual([
      'frontend uses stripe elements',
    ]);
  });

  it('refuses an unknown token and stops a revoked one at the next request', async () => {
    await expect(
      httpClient(`${t.baseUrl}/mcp`, { authorization: `Bearer ${generateToken()}` }),
    ).rejects.toThrow();
    const temp = t.token({ userId: 'alice', name: 'temporary' });
    const c = await connect(t, { authorization: `Bearer ${temp.token}` });
    expect((await call(c, 'list_memories')).isError).toBe(false);
    t.access.revokeToken(temp.id);
    await expect(call(c, 'list_memories')).rejects.toThrow();
    expect(t.access.audit({ kind: 'auth', limit: 1 }).entries[0]).toMatchObject({
      outcome: 'failed',
      reason: 'revoked',
      tokenId: temp.id,
    });
  });
});

describe('MCP isolation modes', () => {
  it('manual: every call is confined to the fixed project', async () => {
    const m = await startMcpCore({ settings: { isolationMode: 'manual', manualProjectId: 'acme' } });
    try {
      const c = await connect(m, { authorization: `Bearer ${m.token({ userId: 'alice' }).token}` });
      const id = idOf(await call(c, 'add_memory', { text: 'acme ships on tuesdays', project: 'other' }));
      expect((await m.core.backend().get(id))?.projectId).toBe('acme');
      await m.core.backend().add({
        userId: 'alice',
        text: 'elsewhere ships on tuesdays',
        source: 'manual',
        projectId: 'elsewhere',
      });
      const r = await call(c, 'search_memories', { query: 'ships tuesdays' });
      expect((r.structured?.results as Array<{ text: string }>).map((x) => x.text)).toEqual([
        'acme ships on tuesdays',
      ]);
    } finally {
      await m.stop();
    }
  });

  it('global: every token reaches one shared pool owned by the userId setting; the audit names the person', async () => {
    const g = await startMcpCore({
      settings: { isolationMode: 'global' },
      env: { MEM0_TRAY_USER_ID: 'team' },
    });
    try {
      const a = await connect(g, { authorization: `Bearer ${g.token({ userId: 'alice' }).token}` });
      const b = await connect(g, { authorization: `Bearer ${g.token({ userId: 'bob' }).token}` });
      const id = idOf(await call(a, 'add_memory', { text: 'the team deploys with argo' }));
      expect((await g.core.backend().get(id))?.userId).toBe('team');
      expect((await call(b, 'get_memory', { id })).text).toContain('argo');
      const personal = await g.core
        .backend()
        .add({ userId: 'carol', text: 'carol private note about argo', source: 'manual' });
      const denied = await call(b, 'get_memory', { id: personal[0]!.id });
      expect(denied).toMatchObject({
        isError: true,
        text: `Access denied: Memory ${personal[0]!.id} does not belong to user team`,
      });
      const read = g.access.audit({ kind: 'access', action: 'read', memoryId: id }).entries[0]!;
      expect(read).toMatchObject({ userId: 'bob', ownerId: 'team' });
    } finally {
      await g.stop();
    }
  });
});
