// Recall through the real front doors of a running core: one LoCoMo conversation stored with
// POST /memories, its questions asked through POST /search and the search_memories MCP tool. The
// slice of `npm run bench -- recall` that CI runs: it fails when recall drops below the plain FTS5
// baseline computed over the same memories. Also: what a caller gets never depends on memories it
// may not read, through REST and MCP.
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, httpClient } from '../mcp/mcp-client.js';
import { startMcpCore, type McpTestCore } from '../mcp/harness.js';
import { openDatabase } from '../../../main/core/db/database.js';
import { CoreEvents } from '../../../main/core/events.js';
import { LocalMemoryBackend } from '../../../main/core/memory/local-backend.js';
import { MemoryService } from '../../../main/core/memory/service.js';
import {
  loadConversation,
  LOCOMO_DIR,
  locomoFiles,
  measureRecall,
  summarizeScores,
  type LocomoConversation,
} from '../../support/locomo.js';
import { tempDir } from '../../support/tmp.js';
import fs from 'node:fs';
import { partAvailable } from '../../support/available.js';

const file = path.join(LOCOMO_DIR, 'conv-30.json');
const haveData = partAvailable(
  'the LoCoMo development split',
  fs.existsSync(file),
  `expected ${file}: shared/ beside the checkout, or set LOCOMO_DIR`,
);

let t: McpTestCore;
let token: string;
let mcp: Client;
let conv: LocomoConversation;
/** Utterance ids of each stored memory, by memory id. */
const utterancesOf = new Map<string, readonly string[]>();
const textOf = new Map<string, string>();

beforeAll(async () => {
  t = await startMcpCore({ access: { limiter: { maxFailures: 1000 } } });
  token = t.token({ userId: 'gina' }).token;
  mcp = await httpClient(`${t.baseUrl}/mcp`, { authorization: `Bearer ${token}` });
});
afterAll(async () => {
  await mcp?.close().catch(() => undefined);
  await t.stop();
});

async function restSearch(
  body: Record<string, unknown>,
  as = token,
): Promise<Array<{ id: string; score: number }>> {
  const r = await t.request('POST', '/search', { token: as, body });
  expect(r.status, r.text).toBe(200);
  return (r.json as { results: Array<{ id: string; score: number }> }).results;
}

async function mcpSearch(
  args: Record<string, unknown>,
  client = mcp,
): Promise<Array<{ id: string; score: number }>> {
  const r = await call(client, 'search_memories', args);
  expect(r.isError, r.text).toBe(false);
  return r.structured!.results as Array<{ id: string; score: number }>;
}

describe.runIf(haveData)('recall on a LoCoMo conversation, through REST and MCP', () => {
  beforeAll(async () => {
    conv = loadConversation(file);
    for (const m of conv.memories) {
      const r = await t.request('POST', '/memories', {
        token,
        body: { messages: [{ role: 'user', content: m.text }] },
      });
      expect(r.status, r.text).toBe(200);
      const id = (r.json as { results: Array<{ id: string }> }).results[0]!.id;
      utterancesOf.set(id, m.diaIds);
      textOf.set(id, m.text);
    }
  });

  it('answers every question of the five conversations as well as the plain FTS5 OR baseline, never with nothing where it finds something', async () => {
    // A store of its own: the LoCoMo users beside this core's would share nothing with them anyway.
    const dir = tempDir('mem0-tray-recall-');
    const db = openDatabase(path.join(dir, 'mem0-tray.db'));
    const service = new MemoryService(() => new LocalMemoryBackend(db), new CoreEvents());
    const run = await measureRecall(service, locomoFiles().map(loadConversation));
    db.close();
    const [mine, base] = [summarizeScores(run.ours), summarizeScores(run.baseline)];
    expect(run.ours.length).toBeGreaterThan(700);
    expect(run.emptyWhereBaselineFinds).toBe(0);
    expect(mine.recall10).toBeGreaterThanOrEqual(base.recall10);
    expect(mine.recall5).toBeGreaterThanOrEqual(base.recall5);
  });

  it('finds the memories that answer the questions that used to come back empty, by REST and by MCP alike', async () => {
    const examples: Array<[string, RegExp]> = [
      ['What did Gina design for her store?', /the space I designed/],
      ['Which cities has Jon visited?', /Paris/],
      ['When did Gina get her tattoo?', /tattoo/],
    ];
    for (const [question, answer] of examples) {
      const viaRest = await restSearch({ query: question });
      const viaMcp = await mcpSearch({ query: question });
      expect(viaMcp.map((h) => h.id)).toEqual(viaRest.map((h) => h.id));
      expect(
        viaRest.slice(0, 5).some((h) => answer.test(textOf.get(h.id)!)),
        question,
      ).toBe(true);
    }
  });

  it('fuses several phrasings: a memory that several find ranks first', async () => {
    const fused = await mcpSearch({ queries: ['Gina tattoo', 'ink symbolize freedom dance'] });
    expect(utterancesOf.get(fused[0]!.id)).toContain('D5:15');
    const viaRest = await restSearch({ queries: ['Gina tattoo', 'ink symbolize freedom dance'] });
    expect(viaRest.map((h) => h.id)).toEqual(fused.map((h) => h.id));
    const r = await t.request('POST', '/search', { token, body: {} });
    expect(r.status).toBe(400);
    expect((await call(mcp, 'search_memories', {})).isError).toBe(true);
  });
});

describe('search answers do not depend on memories the caller may not read (REST and MCP)', () => {
  it('gives root the same results, order and scores before and after bob and another project add the words', async () => {
    const root = t.token({ userId: 'root' }).token;
    const bob = t.token({ userId: 'bob' }).token;
    const rootMcp = await httpClient(`${t.baseUrl}/mcp`, { authorization: `Bearer ${root}` });
    const add = (as: string, text: string, project?: string) =>
      t.request('POST', '/memories', {
        token: as,
        body: { messages: [{ role: 'user', content: text }], ...(project ? { project_id: project } : {}) },
      });
    await add(root, 'caching layer: redis with a one hour ttl', 'svc');
    await add(root, 'caching of node_modules in CI', 'svc');
    await add(root, 'redis failover drill on friday', 'ops');
    const asks: Array<Record<string, unknown>> = [
      { query: 'caching zanzibarquokka' },
      { query: 'caching zanzibarnotthere' },
      { query: 'caching redis', project: 'svc' },
      { query: 'zanzibarquokka caching', project: 'svc' },
    ];
    const answers = async () => {
      const out = [];
      for (const a of asks) {
        const { project, ...body } = a;
        out.push(await restSearch({ ...body, ...(project ? { project_id: project } : {}) }, root));
        out.push(await mcpSearch(a, rootMcp));
      }
      return out;
    };
    const before = await answers();
    expect(before[0]!.length).toBeGreaterThan(0);
    expect(before[4]!.length).toBeGreaterThan(0);
    for (let i = 0; i < 30; i++) await add(bob, `zanzibarquokka caching redis ${i}`, 'svc');
    await add(root, 'zanzibarquokka redis redis caching', 'elsewhere');
    const after = await answers();
    // Unscoped, root may read its own new memory: those answers change only by it.
    for (const i of [4, 5, 6, 7]) expect(after[i], JSON.stringify(asks[i >> 1])).toEqual(before[i]);
    expect(after[0]!.map((h) => h.id)).toEqual(expect.arrayContaining(before[0]!.map((h) => h.id)));
    await rootMcp.close();
  });
});
