// The data directory holds every conversation captured: whichever entry point makes it (serve, a
// CLI command, `mcp stdio`), it and everything in it must be the user's alone from the first write,
// with the usual umask 0022; an installation made with looser modes is tightened at start and the
// log says so. (On Windows the per-user profile protects it and modes mean nothing.)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, cliEnv, type CliResult } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';
import { until } from '../../support/until.js';

/** Runs node with the usual umask 0022, whatever the test runner's is. */
const UMASK_022 = ['-c', 'umask 022; exec "$0" "$@"', process.execPath];

function runCli(args: string[], env: NodeJS.ProcessEnv): CliResult {
  const r = spawnSync('/bin/sh', [...UMASK_022, CLI, ...args], { env, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Every file and directory under root (links are neither listed nor followed) with its mode. */
function modes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isSymbolicLink()) continue;
      const file = path.join(dir, entry.name);
      out[path.relative(root, file)] = (fs.lstatSync(file).mode & 0o777).toString(8);
      if (entry.isDirectory()) visit(file);
    }
  };
  out['.'] = (fs.statSync(root).mode & 0o777).toString(8);
  visit(root);
  return out;
}

/** The entries group or others can read, write or enter: none is the point. */
function exposed(root: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(modes(root)).filter(([, mode]) => (parseInt(mode, 8) & 0o077) !== 0),
  );
}

/** A data directory that does not exist yet, below one that does not either. */
function freshHome(): string {
  return path.join(tempDir('mem0-tray-private-'), 'nested', 'data');
}

const children: ChildProcess[] = [];
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function startServe(home: string) {
  const child = spawn('/bin/sh', [...UMASK_022, CLI, 'serve'], { env: cliEnv(home) });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, err: () => stderr };
}

async function stdioSession(home: string, token: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: '/bin/sh',
    args: [...UMASK_022, CLI, 'mcp', 'stdio'],
    env: cliEnv(home, { MEM0_TRAY_TOKEN: token }) as Record<string, string>,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'private-data-dir-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

function logEvents(home: string): Array<Record<string, unknown>> {
  const file = path.join(home, 'logs', 'mem0-tray.log');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe.skipIf(process.platform === 'win32')('the data directory is private to the user', () => {
  it('when a CLI command makes it (the default ~/.config/mem0-tray as well)', () => {
    const home = freshHome();
    const r = runCli(['memories', 'add', 'a decision nobody else may read'], cliEnv(home));
    expect(r.code, r.stderr).toBe(0);
    // (Its WAL and SHM files are gone once the command closed the database; serve's are below.)
    expect(Object.keys(modes(home))).toEqual(expect.arrayContaining(['.', 'mem0-tray.db']));
    expect(exposed(home)).toEqual({});
    expect(exposed(path.dirname(home))).toEqual({});

    // The reproduction: no MEM0_TRAY_HOME, a HOME without ~/.config.
    if (process.platform === 'linux') {
      const userHome = tempDir('mem0-tray-home-');
      const env = cliEnv(userHome, { HOME: userHome });
      delete env.MEM0_TRAY_HOME;
      delete env.XDG_CONFIG_HOME;
      const list = runCli(['memories', 'list'], env);
      expect(list.code, list.stderr).toBe(0);
      const dataDir = path.join(userHome, '.config', 'mem0-tray');
      expect(fs.existsSync(path.join(dataDir, 'mem0-tray.db'))).toBe(true);
      expect(exposed(dataDir)).toEqual({});
    }
  });

  it('for the backups the app writes and the database a restore keeps', () => {
    const home = freshHome();
    const env = cliEnv(home);
    expect(runCli(['memories', 'add', 'kept across a restore'], env).code).toBe(0);
    const backup = path.join(home, 'backups', 'before.db');
    fs.mkdirSync(path.dirname(backup), { mode: 0o700 });
    const b = runCli(['backup', backup], env);
    expect(b.code, b.stderr).toBe(0);
    const restore = runCli(['restore', backup], env);
    expect(restore.code, restore.stderr).toBe(0);
    expect(Object.keys(modes(home)).some((f) => f.startsWith('mem0-tray.db.before-restore-'))).toBe(true);
    expect(exposed(home)).toEqual({});
  });

  it('when serve makes it, while it runs and after it stopped', async () => {
    const home = freshHome();
    const serve = startServe(home);
    await until(() => fs.existsSync(path.join(home, 'runtime.json')), 'runtime.json', 20_000);
    const all = Object.keys(modes(home));
    expect(all).toEqual(
      expect.arrayContaining([
        'mem0-tray.db',
        'mem0-tray.db-wal',
        'mem0-tray.db-shm',
        'runtime.json',
        'logs/mem0-tray.log',
        'ca/ca.pem',
        'ca/ca.key.pem',
      ]),
    );
    expect(exposed(home)).toEqual({});
    serve.child.kill('SIGTERM');
    expect(await serve.exited, serve.err()).toBe(0);
    expect(exposed(home)).toEqual({});
  }, 60_000);

  it('when `mcp stdio` makes it, refused or serving', async () => {
    const refusedHome = freshHome();
    const refused = runCli(
      ['mcp', 'stdio'],
      cliEnv(refusedHome, { MEM0_TRAY_TOKEN: 'mcp_' + 'A'.repeat(43) }),
    );
    expect(refused.code).toBe(6);
    expect(Object.keys(modes(refusedHome))).toEqual(
      expect.arrayContaining(['mem0-tray.db', 'logs/mem0-tray.log']),
    );
    expect(exposed(refusedHome)).toEqual({});

    const home = freshHome();
    const created = runCli(
      ['token', 'create', '--user-id', 'alice', '--name', 'Claude Desktop', '--email', 'a@example.com'],
      cliEnv(home),
    );
    expect(created.code, created.stderr).toBe(0);
    const token = /^Token: (mcp_\S+)$/m.exec(created.stdout)![1]!;
    const client = await stdioSession(home, token);
    const added = await client.callTool({ name: 'add_memory', arguments: { text: 'said over stdio' } });
    expect(added.isError).toBeFalsy();
    expect(Object.keys(modes(home))).toEqual(
      expect.arrayContaining(['mem0-tray.db', 'mem0-tray.db-wal', 'mem0-tray.db-shm', 'logs/mem0-tray.log']),
    );
    expect(exposed(home)).toEqual({});
    await client.close();
    expect(exposed(home)).toEqual({});
  }, 60_000);

  it('tightens an installation with looser modes at start, says so in the log, and follows no link', async () => {
    const home = freshHome();
    expect(runCli(['memories', 'add', 'written by an older version'], cliEnv(home)).code).toBe(0);
    fs.mkdirSync(path.join(home, 'logs'));
    fs.writeFileSync(path.join(home, 'logs', 'mem0-tray.log'), '');
    fs.writeFileSync(path.join(home, 'settings.json'), '{}\n');
    const outside = path.join(tempDir('mem0-tray-outside-'), 'shared.txt');
    fs.writeFileSync(outside, 'not ours');
    fs.chmodSync(outside, 0o644);
    fs.symlinkSync(outside, path.join(home, 'link-to-shared.txt'));
    const loosen = () => {
      for (const rel of Object.keys(modes(home))) {
        const file = path.join(home, rel);
        fs.chmodSync(file, fs.statSync(file).isDirectory() ? 0o755 : 0o644);
      }
    };

    // A CLI command.
    loosen();
    expect(Object.keys(exposed(home)).sort()).toEqual(
      ['.', 'logs', 'logs/mem0-tray.log', 'mem0-tray.db', 'settings.json'].sort(),
    );
    const list = runCli(['memories', 'list'], cliEnv(home));
    expect(list.code, list.stderr).toBe(0);
    expect(exposed(home)).toEqual({});
    expect(fs.statSync(outside).mode & 0o777).toBe(0o644);
    const cliNote = logEvents(home).find((e) => e.event === 'data_dir.permissions_tightened');
    expect(cliNote).toMatchObject({ level: 'warn', scope: 'cli' });
    expect(cliNote!.count).toBe(5);
    expect(String(cliNote!.paths)).toContain('mem0-tray.db');

    // serve.
    loosen();
    const serve = startServe(home);
    await until(() => fs.existsSync(path.join(home, 'runtime.json')), 'runtime.json', 20_000);
    expect(exposed(home)).toEqual({});
    expect(fs.statSync(outside).mode & 0o777).toBe(0o644);
    expect(
      logEvents(home).filter((e) => e.event === 'data_dir.permissions_tightened' && e.scope !== 'cli'),
    ).toHaveLength(1);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);

    // mcp stdio (refused: it tightens before it looks at the token).
    loosen();
    const refused = runCli(['mcp', 'stdio'], cliEnv(home, { MEM0_TRAY_TOKEN: 'mcp_' + 'A'.repeat(43) }));
    expect(refused.code).toBe(6);
    expect(exposed(home)).toEqual({});
    expect(
      logEvents(home).filter((e) => e.event === 'data_dir.permissions_tightened' && e.scope === 'mcp-stdio'),
    ).toHaveLength(1);
  }, 90_000);
});
