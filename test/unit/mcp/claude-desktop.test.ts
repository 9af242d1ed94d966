// Editing Claude Desktop's config: per-OS location, other servers and keys kept, backup, 0600,
// a token per connection (the old one revoked), a broken file left alone, disconnect and status.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  claudeDesktopConfigPath,
  claudeDesktopStatus,
  connectClaudeDesktop,
  disconnectClaudeDesktop,
} from '../../../main/core/claude-clients/claude-desktop.js';
import { openDatabase, type Db } from '../../../main/core/db/database.js';
import { TokenStore } from '../../../main/core/access/tokens.js';
import { tempDir } from '../../support/tmp.js';

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function setup() {
  const home = tempDir('desktop-home-');
  const db = openDatabase(path.join(tempDir(), 'm.db'));
  dbs.push(db);
  const tokens = new TokenStore(db);
  const deps = { tokens, env: { HOME: home }, platform: 'linux' as const };
  const file = claudeDesktopConfigPath(deps);
  return { home, tokens, deps, file };
}
const launch = { command: '/usr/local/bin/mem0-tray', args: ['mcp', 'stdio'] };
interface Entry {
  command: string;
  args: string[];
  env: Record<string, string>;
}
interface Config {
  globalShortcut?: string;
  mcpServers: Record<string, Entry>;
}
const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Config;

describe('Claude Desktop config', () => {
  it('lives where Claude Desktop looks on each OS', () => {
    expect(claudeDesktopConfigPath({ platform: 'linux', env: { HOME: '/h' } })).toBe(
      '/h/.config/Claude/claude_desktop_config.json',
    );
    expect(claudeDesktopConfigPath({ platform: 'linux', env: { HOME: '/h', XDG_CONFIG_HOME: '/x' } })).toBe(
      '/x/Claude/claude_desktop_config.json',
    );
    expect(claudeDesktopConfigPath({ platform: 'darwin', env: { HOME: '/Users/a' } })).toBe(
      '/Users/a/Library/Application Support/Claude/claude_desktop_config.json',
    );
    expect(
      claudeDesktopConfigPath({ platform: 'win32', env: { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' } }),
    ).toBe('C:\\Users\\a\\AppData\\Roaming\\Claude\\claude_desktop_config.json');
  });

  it('creates the file when there is none, with a working token', () => {
    const { tokens, deps, file } = setup();
    const r = connectClaudeDesktop(deps, { userId: 'alice', launch, dataDir: '/data/mem0' });
    expect(r).toMatchObject({ configPath: file, backupPath: null, replaced: false });
    const entry = read(file).mcpServers['mem0-tray']!;
    expect(entry).toMatchObject({
      command: launch.command,
      args: ['mcp', 'stdio'],
      env: { MEM0_TRAY_HOME: '/data/mem0' },
    });
    expect(tokens.verify(entry.env.MEM0_TRAY_TOKEN)).toMatchObject({
      ok: true,
      token: { userId: 'alice', purpose: 'claude-desktop' },
    });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps other servers and keys, backs up the old file, and replaces its own entry (revoking the old token)', () => {
    const { tokens, deps, file } = setup();
    const original = {
      globalShortcut: 'Ctrl+Space',
      mcpServers: { other: { command: 'npx', args: ['-y', 'other-server'] } },
    };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(original, null, 4));
    const first = connectClaudeDesktop(deps, { userId: 'alice', launch });
    expect(fs.readFileSync(first.backupPath!, 'utf8')).toBe(JSON.stringify(original, null, 4));
    const firstToken = read(file).mcpServers['mem0-tray']!.env.MEM0_TRAY_TOKEN as string;
    const second = connectClaudeDesktop(deps, { userId: 'alice', launch });
    expect(second.replaced).toBe(true);
    const config = read(file);
    expect(config.globalShortcut).toBe('Ctrl+Space');
    expect(config.mcpServers.other).toEqual(original.mcpServers.other);
    expect(tokens.verify(firstToken)).toMatchObject({ ok: false, reason: 'revoked' });
    expect(tokens.verify(config.mcpServers['mem0-tray']!.env.MEM0_TRAY_TOKEN).ok).toBe(true);
    expect(claudeDesktopStatus(deps)).toMatchObject({
      connected: true,
      working: true,
      command: launch.command,
    });
  });

  it('leaves a broken file untouched and creates no token', () => {
    const { tokens, deps, file } = setup();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{ "mcpServers": { oops');
    expect(() => connectClaudeDesktop(deps, { userId: 'alice', launch })).toThrow(
      /not valid JSON.*left untouched/,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('{ "mcpServers": { oops');
    expect(tokens.list()).toEqual([]);
    fs.writeFileSync(file, JSON.stringify({ mcpServers: [] }));
    expect(() => connectClaudeDesktop(deps, { userId: 'alice', launch })).toThrow(/must be an object/);
  });

  it('disconnects: removes only its entry and revokes its token', () => {
    const { tokens, deps, file } = setup();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ mcpServers: { other: { command: 'x' } } }));
    connectClaudeDesktop(deps, { userId: 'alice', launch });
    const token = read(file).mcpServers['mem0-tray']!.env.MEM0_TRAY_TOKEN as string;
    const r = disconnectClaudeDesktop(deps);
    expect(r.removed).toBe(true);
    expect(read(file)).toEqual({ mcpServers: { other: { command: 'x' } } });
    expect(tokens.verify(token)).toMatchObject({ ok: false, reason: 'revoked' });
    expect(claudeDesktopStatus(deps)).toMatchObject({ connected: false, working: false });
    expect(disconnectClaudeDesktop(deps).removed).toBe(false);
  });
});
