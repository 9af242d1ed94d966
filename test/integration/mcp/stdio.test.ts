// `mem0-tray mcp stdio` spawned as Claude Desktop does, driven by the MCP SDK's own stdio client:
// with no tray running and next to a running one (same WAL database), with a missing, unknown and
// revoked token, and with nothing but protocol on stdout.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/core/db/database.js';
import { AuditLog } from '../../../main/core/access/audit-log.js';
import { TokenStore } from '../../../main/core/access/tokens.js';
import { cliEnv } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';
import { mcpCliScript, runMcpCli } from './cli-runner.js';
import { startMcpCore } from './harness.js';
import { call } from './mcp-client.js';

let script: string;
const clients: Client[] = [];
beforeAll(async () => {
  script = await mcpCliScript();
}, 60_000);
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
});

/** `mem0-tray token create`, as a user would run it; returns the printed token. */
async function createToken(home: string, userId: string): Promise<string> {
  const r = await cliIn(home, [
    'token',
    'create',
    '--user-id',
    userId,
    '--name',
    'Claude Desktop',
    '--email',
    `${userId}@example.com`,
  ]);
  expect(r.code, r.stderr).toBe(0);
  const m = /^Token: (mcp_[A-Za-z0-9_-]{43})$/m.exec(r.stdout);
  expect(m, r.stdout).not.toBeNull();
  return m![1]!;
}

function cliIn(home: string, args: string[], extra: Record<string, string> = {}) {
  return runMcpCli(args, cliEnv(home, extra));
}

async function stdioClient(home: string, token: string): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [script, 'mcp', 'stdio'],
    env: cliEnv(home, { MEM0_TRAY_TOKEN: token }) as Record<string, string>,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'claude-desktop-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return { client, stderr: () => stderr };
}

describe('mcp stdio', () => {
  it('serves the tools with no tray running, and records the accesses as stdio', async () => {
    const home = tempDir('mem0-tray-stdio-');
    const token = await createToken(home, 'alice');
    const { client } = await stdioClient(home, token);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('search_memories');
    const added = await call(client, 'add_memory', { text: 'Alice keeps her notes in obsidian' });
    expect(added.isError).toBe(false);
    const found = await call(client, 'search_memories', { query: 'obsidian' });
    expect(found.text).toContain('Alice keeps her notes in obsidian');
    await client.close();

    const db = openDatabase(path.join(home, 'mem0-tray.db'));
    try {
      const entries = new AuditLog(db).query({ userId: 'alice' }).entries;
      expect(entries.find((e) => e.kind === 'auth')).toMatchObject({
        outcome: 'success',
        transport: 'stdio',
        via: 'mcp',
      });
      expect(
        entries
          .filter((e) => e.kind === 'access')
          .map((e) => e.action)
          .sort(),
      ).toEqual(['create', 'search']);
      expect(entries.every((e) => e.kind === 'auth' || e.transport === 'stdio')).toBe(true);
    } finally {
      db.close();
    }
  }, 60_000);

  it('shares the database with a running tray (WAL), both ways', async () => {
    const core = await startMcpCore();
    try {
      const viaRest = core.token({ userId: 'alice' });
      const token = core.token({ userId: 'alice', name: 'desktop' }).token;
      await core.request('POST', '/memories', {
        token: viaRest.token,
        body: { text: 'added over REST while stdio runs' },
      });
      const { client } = await stdioClient(core.home, token);
      const found = await call(client, 'search_memories', { query: 'stdio runs' });
      expect(found.text).toContain('added over REST while stdio runs');
      await call(client, 'add_memory', { text: 'added over stdio while the tray runs' });
      const r = await core.request('POST', '/search', { token: viaRest.token, body: { query: 'tray runs' } });
      expect(JSON.stringify(r.json)).toContain('added over stdio while the tray runs');

      // Revoked in the tray (or by the CLI) → the running stdio server refuses the next call.
      core.access.revokeToken(core.access.tokens.findByValue(token)!.id);
      const refused = await call(client, 'list_memories');
      expect(refused).toMatchObject({ isError: true, text: 'This token was revoked: ask for a new one.' });
    } finally {
      await core.stop();
    }
  }, 60_000);

  it('refuses to start without a valid token, with a message on stderr and nothing on stdout', async () => {
    const home = tempDir('mem0-tray-stdio-');
    const none = await cliIn(home, ['mcp', 'stdio']);
    expect(none.code).toBe(6);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/MEM0_TRAY_TOKEN is not set/);

    const bad = await cliIn(home, ['mcp', 'stdio'], { MEM0_TRAY_TOKEN: 'mcp_' + 'A'.repeat(43) });
    expect(bad.code).toBe(6);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/Invalid token/);

    const token = await createToken(home, 'alice');
    const db = openDatabase(path.join(home, 'mem0-tray.db'));
    new TokenStore(db).revokeAll('alice');
    db.close();
    const revoked = await cliIn(home, ['mcp', 'stdio'], { MEM0_TRAY_TOKEN: token });
    expect(revoked.code).toBe(6);
    expect(revoked.stderr).toMatch(/revoked/);
  }, 60_000);

  it('writes only JSON-RPC lines to stdout, and exits when stdin closes', async () => {
    const home = tempDir('mem0-tray-stdio-');
    const token = await createToken(home, 'alice');
    const child = spawn(process.execPath, [script, 'mcp', 'stdio'], {
      env: cliEnv(home, { MEM0_TRAY_TOKEN: token, MEM0_TRAY_LOG_LEVEL: 'debug' }),
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const send = (msg: unknown) => child.stdin.write(JSON.stringify(msg) + '\n');
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'add_memory', arguments: { text: 'raw protocol check' } },
    });
    send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'search_memories', arguments: { query: 'raw protocol' } },
    });
    for (let i = 0; i < 200 && (out.match(/\n/g) ?? []).length < 3; i++)
      await new Promise((r) => setTimeout(r, 25));
    child.stdin.end();
    expect(await exited).toBe(0);
    const lines = out.split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(JSON.parse(l)).toMatchObject({ jsonrpc: '2.0' });
    expect(lines[2]).toContain('raw protocol check');
    // The log went to the log file, without the memory's text or the token.
    const log = fs.readFileSync(path.join(home, 'logs', 'mem0-tray.log'), 'utf8');
    expect(log).toContain('mcp.stdio_ready');
    expect(log).not.toContain('raw protocol check');
    expect(log).not.toContain(token);
  }, 60_000);
});
