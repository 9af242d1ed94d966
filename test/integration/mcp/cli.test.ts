// The `token`, `claude-desktop` and `claude-code` commands as a user runs them (spawned), with exit
// codes; a Claude Desktop entry written by `connect` starts a working stdio server.
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliEnv } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';
import { mcpCliScript, runMcpCli } from './cli-runner.js';
import { call } from './mcp-client.js';

beforeAll(async () => {
  await mcpCliScript();
}, 60_000);

describe('mem0-tray token', () => {
  it('creates, lists, revokes, enables, deletes; refuses ambiguous prefixes; audits and counts', async () => {
    const home = tempDir('mem0-tray-cli-');
    const run = (...args: string[]) => runMcpCli(args, cliEnv(home));
    const created = await run(
      'token',
      'create',
      '--user-id',
      'alice',
      '--name',
      'laptop',
      '--email',
      'alice@example.com',
      '--expires-days',
      '30',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^Token: mcp_[A-Za-z0-9_-]{43}\n$/);
    expect(created.stderr).toMatch(/only time the token is shown/);
    const token = created.stdout.trim().slice('Token: '.length);
    const second = await run(
      'token',
      'create',
      '--user-id',
      'alice',
      '--name',
      'desktop',
      '--email',
      'alice@example.com',
      '--read-only',
      '--json',
    );
    const secondRecord = (JSON.parse(second.stdout) as { record: { id: string; permissions: string[] } })
      .record;
    expect(secondRecord.permissions).toEqual(['read']);

    const list = await run('token', 'list');
    expect(list.stdout).toContain(token.slice(0, 12));
    expect(list.stdout).not.toContain(token.slice(12));
    expect(list.stdout).toMatch(/laptop\s+active/);

    const ambiguous = await run('token', 'revoke', 'tok_');
    expect(ambiguous.code).toBe(5);
    expect(ambiguous.stderr).toMatch(/matches 2 tokens.*Nothing was changed/);
    expect((await run('token', 'revoke', 'nope')).code).toBe(3);
    expect(
      (await run('token', 'create', '--user-id', 'a', '--name', 'n', '--email', 'not-an-email')).code,
    ).toBe(2);
    expect((await run('token', 'create', '--user-id', 'a', '--name', 'n')).code).toBe(2);

    const revoked = await run('token', 'revoke', token.slice(0, 10));
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await run('token', 'list', '--json')).stdout).toContain('"revoked": true');
    // "--": a base64url prefix may begin with "-", which would otherwise be read as an option.
    expect((await run('token', 'enable', '--', token.slice(4, 12))).stdout).toMatch(/^Enabled tok_/);
    const all = await run('token', 'revoke', '--all');
    expect(all.stdout).toBe('Revoked 2 tokens.\n');
    expect((await run('token', 'delete', secondRecord.id)).code).toBe(0);
    const after = JSON.parse((await run('token', 'list', '--json')).stdout) as unknown[];
    expect(after).toHaveLength(1);

    // A failed stdio start with the revoked token is an audited failure, and counted by stats.
    expect((await runMcpCli(['mcp', 'stdio'], cliEnv(home, { MEM0_TRAY_TOKEN: token }))).code).toBe(6);
    const audit = await run('token', 'audit', '--user-id', 'alice', '--days', '1');
    expect(audit.stdout).toMatch(/alice\s+auth failed\s+revoked\s+mcp_/);
    const stats = await run('token', 'stats', 'alice');
    expect(stats.stdout).toMatch(/failed attempts \(1h\):\s+1/);
    expect(stats.stdout).toMatch(/tokens:\s+1 \(0 active, 1 revoked/);
  }, 60_000);
});

describe('mem0-tray claude-desktop and claude-code', () => {
  it('connects Claude Desktop with an entry that starts a working server, shows status, disconnects', async () => {
    const home = tempDir('mem0-tray-cli-');
    const userHome = tempDir('desktop-home-');
    const env = cliEnv(home, { HOME: userHome, MEM0_TRAY_USER_ID: 'alice', PATH: '/usr/bin:/bin' });
    const connected = await runMcpCli(['claude-desktop', 'connect'], env);
    expect(connected.code, connected.stderr).toBe(0);
    const file = path.join(userHome, '.config', 'Claude', 'claude_desktop_config.json');
    expect(connected.stdout).toContain(`Connected Claude Desktop: ${file}`);
    const entry = (
      JSON.parse(fs.readFileSync(file, 'utf8')) as {
        mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }>;
      }
    ).mcpServers['mem0-tray']!;
    expect(entry.args.slice(-2)).toEqual(['mcp', 'stdio']);
    expect(entry.env.MEM0_TRAY_HOME).toBe(home);

    // Start the server exactly as Claude Desktop would, from the entry alone.
    const client = new Client({ name: 'claude-desktop', version: '0' });
    await client.connect(
      new StdioClientTransport({
        command: entry.command,
        args: entry.args,
        env: { PATH: '/usr/bin:/bin', ...entry.env },
        stderr: 'pipe',
      }),
    );
    expect((await call(client, 'add_memory', { text: 'connected from Claude Desktop' })).isError).toBe(false);
    await client.close();

    const status = await runMcpCli(['claude-desktop', 'status', '--json'], env);
    expect(JSON.parse(status.stdout)).toMatchObject({
      connected: true,
      working: true,
      token: { userId: 'alice' },
    });
    const gone = await runMcpCli(['claude-desktop', 'disconnect'], env);
    expect(gone.stdout).toMatch(/Disconnected.*\n.*Revoked token tok_/);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ mcpServers: {} });
    expect((await runMcpCli(['claude-desktop', 'status'], env)).stdout).toContain('connected: no');
  }, 60_000);

  it('prints the claude mcp add command with a fresh token for the configured port', async () => {
    const home = tempDir('mem0-tray-cli-');
    const r = await runMcpCli(
      ['claude-code', '--user-id', 'alice'],
      cliEnv(home, { MEM0_TRAY_API_PORT: '18879' }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^claude mcp add --transport http mem0-tray http:\/\/127\.0\.0\.1:18879\/mcp --header "Authorization: Bearer mcp_[A-Za-z0-9_-]{43}"\n$/,
    );
    const zero = await runMcpCli(['claude-code'], cliEnv(home));
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/API port is 0/);
  }, 60_000);
});
