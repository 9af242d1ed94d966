// `mem0-tray claude-code` (the printed "claude mcp add" command): it reuses this machine's token
// for Claude Code (claude-code-token.json) while it works, mints one only when asked or when
// there is none, and says which token Claude Code's own config sends.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv, runCliAsync } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';

const tokenOf = (stdout: string) => /Bearer (mcp_[\w-]+)"/.exec(stdout)?.[1];

function setup() {
  const home = tempDir();
  const env = {
    ...cliEnv(home, { MEM0_TRAY_API_PORT: '18879', MEM0_TRAY_USER_ID: 'alice' }),
    HOME: tempDir(),
  };
  const run = (...args: string[]) => runCliAsync(['claude-code', ...args], env);
  return { home, env, run };
}

describe('mem0-tray claude-code (print)', () => {
  it("reuses this machine's token run after run, and a new one only with --new-token", async () => {
    const { home, run } = setup();
    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    const token = tokenOf(first.stdout)!;
    expect(token).toBeDefined();
    expect(first.stderr).toMatch(/new token tok_\w+, now this machine's token for Claude Code/);
    const file = path.join(home, 'claude-code-token.json');
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).token).toBe(token);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const again = await run();
    expect(tokenOf(again.stdout)).toBe(token);
    expect(again.stderr).toMatch(/this machine's token for Claude Code, reused/);

    const fresh = await run('--new-token');
    expect(tokenOf(fresh.stdout)).not.toBe(token);
    expect(fresh.stderr).toMatch(/new token .*this machine's token for Claude Code stays tok_/);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).token).toBe(token);
    const readOnly = await run('--read-only');
    expect(tokenOf(readOnly.stdout)).not.toBe(token);

    const list = await runCliAsync(['token', 'list', '--json'], cliEnv(home, { MEM0_TRAY_USER_ID: 'alice' }));
    expect((JSON.parse(list.stdout) as unknown[]).length).toBe(3);
  }, 60_000);

  it('mints a new one when the machine token no longer works', async () => {
    const { home, env, run } = setup();
    const first = tokenOf((await run()).stdout)!;
    const id = JSON.parse(fs.readFileSync(path.join(home, 'claude-code-token.json'), 'utf8'))
      .tokenId as string;
    expect((await runCliAsync(['token', 'revoke', id], env)).code).toBe(0);
    const next = await run();
    expect(tokenOf(next.stdout)).not.toBe(first);
    expect(next.stderr).toMatch(/now this machine's token for Claude Code/);
  }, 60_000);

  it("says which token Claude Code's config uses", async () => {
    const { env, run } = setup();
    const token = tokenOf((await run()).stdout)!;
    expect((await run()).stderr).toMatch(/has no mem0-tray server yet/);
    fs.writeFileSync(
      path.join(env.HOME!, '.claude.json'),
      JSON.stringify({ mcpServers: { 'mem0-tray': { headers: { Authorization: `Bearer ${token}` } } } }),
    );
    expect((await run()).stderr).toMatch(/\.claude\.json\) uses token tok_\w+ \(mcp_[\w-]+…\): working\./);
  }, 60_000);
});
