// One rule per memory input and one export, seen from every front door of a real core: MCP (the SDK
// client over HTTP), REST, the UI API and the CLI refuse the same bad input with the same words,
// naming the field, and export the same memories with the same history.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../../main/core/core.js';
import { silentLogger } from '../../../main/core/log.js';
import { MEMORY_INPUT_MESSAGES, MEMORY_LIMITS } from '../../../main/core/memory/input-schema.js';
import { uiFeature } from '../../../main/core/ui-api/feature.js';
import { cliEnv, runCliAsync } from '../../support/cli.js';
import { coreEnv } from '../../support/core-env.js';
import { frontDoors } from '../../support/front-doors.js';
import { tempDir } from '../../support/tmp.js';
import { call, httpClient } from '../mcp/mcp-client.js';

let core: Core;
let home: string;
let token: string;
let mcp: Client;
const ui = () => core.feature('ui')!.api;
const alice = { userId: 'alice', via: 'cli' as const };

function rest(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: core.api.port,
        method,
        path,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

beforeAll(async () => {
  home = tempDir('mem0-tray-doors-');
  core = await Core.start({
    env: coreEnv({ MEM0_TRAY_USER_ID: 'alice' }, home),
    log: silentLogger,
    features: [...frontDoors(), uiFeature],
    writeRuntime: false,
  });
  token = core.feature('access')!.createToken({ name: 'doors', userId: 'alice' }).token;
  mcp = await httpClient(`${core.api.baseUrl}/mcp`, { authorization: `Bearer ${token}` });
});

afterAll(async () => {
  await mcp?.close();
  await core?.stop();
});

async function count(): Promise<number> {
  return (await core.memories.list(alice, {}, { withTotal: true })).total ?? -1;
}

describe('one memory input schema, whichever door', () => {
  const cases = [
    {
      name: 'metadata over the limit',
      field: 'metadata',
      words: MEMORY_INPUT_MESSAGES.bigMetadata,
      input: { text: 'a fact', metadata: { note: 'x'.repeat(10_001) } },
    },
    {
      name: 'text over the limit',
      field: 'text',
      words: MEMORY_INPUT_MESSAGES.longText,
      input: { text: 'y'.repeat(100_001) },
    },
    { name: 'blank text', field: 'text', words: MEMORY_INPUT_MESSAGES.emptyText, input: { text: '   ' } },
  ];

  for (const c of cases) {
    it(`refuses ${c.name} through MCP, REST, the UI and the service, naming ${c.field}`, async () => {
      const before = await count();

      const viaMcp = await call(mcp, 'add_memory', c.input);
      expect(viaMcp.isError).toBe(true);
      expect(viaMcp.text).toContain(`${c.words} at ${c.field}`);

      const viaRest = await rest('POST', '/memories', c.input);
      expect(viaRest.status).toBe(400);
      expect(JSON.parse(viaRest.text).detail).toBe(`Invalid request: ${c.field}: ${c.words}.`);

      // The UI makes no new memory (its restore puts a deleted one back as it was); it edits text.
      if (c.field === 'text') {
        const [kept] = await core.memories.add(alice, { text: 'edited in the UI', source: 'manual' });
        const viaUi = await ui().dispatch('updateMemory', { id: kept!.id, text: c.input.text });
        expect(viaUi).toEqual({
          ok: false,
          error: { code: 'invalid_input', message: `Invalid updateMemory request: text: ${c.words}` },
        });
        expect((await core.memories.get(alice, kept!.id)).text).toBe('edited in the UI');
        await core.memories.delete(alice, kept!.id);
      }

      // The CLI and capture reach the service without a wire schema of their own.
      await expect(core.memories.add(alice, { source: 'manual', ...c.input })).rejects.toThrow(
        `Invalid memory: ${c.field}: ${c.words}.`,
      );
      expect(await count()).toBe(before);
    });
  }

  it('refuses an update with bad text through the service too', async () => {
    const [m] = await core.memories.add(alice, { text: 'kept as it is', source: 'manual' });
    await expect(core.memories.update(alice, m!.id, { text: ' ' })).rejects.toThrow(
      `Invalid memory: text: ${MEMORY_INPUT_MESSAGES.emptyText}.`,
    );
    expect((await core.memories.get(alice, m!.id)).text).toBe('kept as it is');
    await core.memories.delete(alice, m!.id);
  });

  it('puts back a deleted memory as it was, even past the limits of a new one (undo)', async () => {
    const big = {
      text: `${'a captured turn with a long tool output '.repeat(3_000)}end`,
      source: 'proxy' as const,
      metadata: { tools: Array.from({ length: 1_200 }, (_, i) => `tool-${i}`) },
      createdAt: '2025-02-01T09:30:00.000Z',
    };
    expect(big.text.length).toBeGreaterThan(MEMORY_LIMITS.text);
    expect(JSON.stringify(big.metadata).length).toBeGreaterThan(MEMORY_LIMITS.metadata);
    await expect(core.memories.add(alice, big)).rejects.toThrow(/Invalid memory: text/);
    const restored = await ui().dispatch('restoreMemory', {
      ...big,
      projectId: null,
      conversationId: null,
      model: null,
    });
    expect(restored).toMatchObject({
      ok: true,
      value: { text: big.text, metadata: big.metadata, createdAt: big.createdAt },
    });
    const id = (restored as { value: { id: string } }).value.id;
    expect((await core.memories.get(alice, id)).text).toBe(big.text);
    expect(await ui().dispatch('restoreMemory', { ...big, text: '' })).toMatchObject({ ok: false });
    await core.memories.delete(alice, id);
  });

  it('takes the same dates in MCP and the UI; a time without a zone is UTC', async () => {
    const at = '2025-01-31T12:00:00Z';
    const [m] = await core.memories.add(alice, {
      text: 'Dated by its own clock',
      source: 'manual',
      createdAt: at,
    });
    const listedSince = async (since: string) => {
      const viaMcp = await call(mcp, 'list_memories', { since });
      expect(viaMcp.isError).toBe(false);
      const viaUi = await ui().dispatch('listMemories', { since, offset: 0, limit: 100 });
      expect(viaUi).toMatchObject({ ok: true });
      const inUi = (viaUi as { value: { items: Array<{ id: string }> } }).value.items.some(
        (i) => i.id === m!.id,
      );
      expect(viaMcp.text.includes(m!.id)).toBe(inUi);
      return inUi;
    };
    expect(await listedSince('2025-01-31')).toBe(true);
    expect(await listedSince('2025-01-31T12:00:00+02:00')).toBe(true);
    // Zoneless and space-separated times are UTC whatever the core's own zone.
    expect(await listedSince('2025-01-31T12:00:00')).toBe(true);
    expect(await listedSince('2025-01-31 12:00:01')).toBe(false);
    for (const bad of ['31/01/2025', '2025-01-31T25:00:00Z', 'yesterday']) {
      const viaMcp = await call(mcp, 'list_memories', { since: bad });
      expect(viaMcp.text).toContain(`${MEMORY_INPUT_MESSAGES.date} at since`);
      expect(await ui().dispatch('listMemories', { since: bad, offset: 0, limit: 10 })).toEqual({
        ok: false,
        error: {
          code: 'invalid_input',
          message: `Invalid listMemories request: since: ${MEMORY_INPUT_MESSAGES.date}`,
        },
      });
    }
    await core.memories.delete(alice, m!.id);
  });
});

describe('one export, whichever door', () => {
  it('gives the same memories with the same history through the CLI, REST and the UI', async () => {
    const [first] = await core.memories.add(alice, { text: 'Deploys run on Fridays', source: 'manual' });
    await core.memories.update(alice, first!.id, { text: 'Deploys run on Thursdays' });
    await core.memories.add(alice, { text: 'The staging database is read-only', source: 'mcp' });
    const expected = (await core.memories.list(alice, {}, { limit: 500 })).items.length;

    type Rec = { id: string; history: Array<{ event: string }> } & Record<string, unknown>;
    const summary = (records: Rec[], text: (r: Rec) => unknown) =>
      records
        .map((r) => ({ id: r.id, text: text(r), history: r.history.map((h) => h.event) }))
        .sort((a, b) => a.id.localeCompare(b.id));

    const viaRest = await rest('GET', '/export');
    expect(viaRest.status).toBe(200);
    const restRecords = (JSON.parse(viaRest.text) as { memories: Rec[] }).memories;

    const uiJson = await ui().handlers.exportMemories({ format: 'json' });
    const uiLines = await ui().handlers.exportMemories({ format: 'jsonl' });
    expect(uiJson.count).toBe(expected);

    const env = cliEnv(home, { MEM0_TRAY_USER_ID: 'alice' });
    const cliJson = await runCliAsync(['memories', 'export', '--format', 'json'], env);
    const cliLines = await runCliAsync(['memories', 'export', '--format', 'jsonl'], env);
    expect(cliJson.code).toBe(0);

    const lines = (s: string) =>
      s
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Rec);
    const reference = summary(JSON.parse(uiJson.content) as Rec[], (r) => r.text);
    expect(reference).toHaveLength(expected);
    expect(reference.find((r) => r.id === first!.id)).toEqual({
      id: first!.id,
      text: 'Deploys run on Thursdays',
      history: ['ADD', 'UPDATE'],
    });
    expect(summary(lines(uiLines.content), (r) => r.text)).toEqual(reference);
    expect(summary(JSON.parse(cliJson.stdout) as Rec[], (r) => r.text)).toEqual(reference);
    expect(summary(lines(cliLines.stdout), (r) => r.text)).toEqual(reference);
    // REST keeps the Mem0 server's record shape: the text is `memory`.
    expect(summary(restRecords, (r) => r.memory)).toEqual(reference);
  });

  it('writes an empty export as an empty array', async () => {
    const empty = await ui().handlers.exportMemories({ format: 'json', projectId: 'no-such-project' });
    expect(JSON.parse(empty.content)).toEqual([]);
    expect(empty.count).toBe(0);
  });
});
