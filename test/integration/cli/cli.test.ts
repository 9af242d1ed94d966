// The CLI as a user and a script see it: output, exit codes, and the fault cases.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CLI, cliEnv, runCli } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';

describe('mem0-tray memories', () => {
  it('adds, lists, searches, shows, exports and deletes', () => {
    const env = cliEnv(tempDir(), { MEM0_TRAY_USER_ID: 'alice' });
    const add = runCli(
      ['memories', 'add', 'The API gateway rate limit is 600 requests per minute', '--project', 'infra'],
      env,
    );
    expect(add.code).toBe(0);
    const id = add.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    runCli(['memories', 'add', 'Lunch orders go to the kitchen channel'], env);

    const list = runCli(['memories', 'list', '--json'], env);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).total).toBe(2);
    expect(
      JSON.parse(runCli(['memories', 'list', '--project', 'infra', '--json'], env).stdout).items,
    ).toHaveLength(1);

    const search = runCli(['memories', 'search', 'rate limit', '--json'], env);
    const hits = JSON.parse(search.stdout) as Array<{ memory: { id: string }; snippet: string }>;
    expect(hits.map((h) => h.memory.id)).toEqual([id]);

    const show = runCli(['memories', 'show', id], env);
    expect(show.stdout).toContain('project:       infra');
    expect(show.stdout).toContain('ADD');

    const exported = runCli(['memories', 'export', '--format', 'jsonl'], env);
    expect(exported.stdout.trim().split('\n')).toHaveLength(2);

    expect(runCli(['memories', 'delete', id], env).code).toBe(0);
    expect(JSON.parse(runCli(['memories', 'search', 'rate limit', '--json'], env).stdout)).toEqual([]);
    expect(runCli(['memories', 'export', '--format', 'jsonl'], env).stdout.trim().split('\n')).toHaveLength(
      1,
    );
  });

  it('delete of a missing id fails with exit 3 and one error line; with a real id too, it says what was done', () => {
    const env = cliEnv(tempDir(), { MEM0_TRAY_USER_ID: 'alice' });
    const missing = runCli(['memories', 'delete', 'no-such-id'], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr.trim().split('\n')).toEqual([
      'mem0-tray: no memory with id no-such-id (nothing was deleted).',
    ]);
    const id = runCli(['memories', 'add', 'short lived'], env).stdout.trim();
    const mixed = runCli(['memories', 'delete', id, 'gone-too'], env);
    expect(mixed.code).toBe(3);
    expect(mixed.stdout.trim()).toBe(`deleted ${id}`);
    expect(mixed.stderr.trim().split('\n')).toEqual(['mem0-tray: no memory with id gone-too (1 deleted).']);
  });

  it('keeps users apart: another user cannot read or delete', () => {
    const home = tempDir();
    const id = runCli(
      ['memories', 'add', 'alice only'],
      cliEnv(home, { MEM0_TRAY_USER_ID: 'alice' }),
    ).stdout.trim();
    const bob = cliEnv(home, { MEM0_TRAY_USER_ID: 'bob' });
    const show = runCli(['memories', 'show', id], bob);
    expect(show.code).toBe(6);
    expect(show.stderr).toContain(`Access denied: Memory ${id} does not belong to user bob`);
    expect(runCli(['memories', 'delete', id], bob).code).toBe(6);
    expect(
      JSON.parse(runCli(['memories', 'list', '--json'], cliEnv(home, { MEM0_TRAY_USER_ID: 'alice' })).stdout)
        .total,
    ).toBe(1);
  });

  it('exits with documented codes and one-line errors', () => {
    const env = cliEnv(tempDir());
    const unknownFlag = runCli(['memories', 'list', '--nope'], env);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr.trim().split('\n')).toHaveLength(1);
    expect(runCli(['frobnicate'], env).code).toBe(2);
    const missing = runCli(['memories', 'show', '00000000-0000-4000-8000-000000000000'], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^mem0-tray: No memory with id/);
    expect(runCli(['memories', 'list', '--limit', 'ten'], env).code).toBe(2);
  });

  it('refuses invalid settings naming the field, exit 4', () => {
    const home = tempDir();
    fs.writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ backend: 'floppy' }));
    const r = runCli(['memories', 'list'], cliEnv(home));
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/"backend"/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a corrupt database with its path, exit 4, file untouched', () => {
    const home = tempDir();
    const db = path.join(home, 'mem0-tray.db');
    fs.writeFileSync(db, 'not a database'.repeat(500));
    const r = runCli(['memories', 'list'], cliEnv(home));
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(db);
    expect(fs.readFileSync(db, 'utf8')).toBe('not a database'.repeat(500));
  });

  it('ends quietly with exit 0 when the reader closed the pipe (| head -1)', async () => {
    const env = cliEnv(tempDir());
    for (const text of ['first', 'second']) expect(runCli(['memories', 'add', text], env).code).toBe(0);
    for (const args of [['memories', 'list'], ['memories', 'export'], ['--help']]) {
      const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      // Closed before the command writes its first line: that write fails with EPIPE.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect({ args, code, stderr }).toEqual({ args, code: 0, stderr: '' });
    }
  });

  it('reports a read-only data directory clearly (run as an unprivileged user)', () => {
    const home = tempDir();
    fs.chmodSync(home, 0o555);
    const asNobody = process.getuid?.() === 0;
    const cmd = asNobody ? 'setpriv' : process.execPath;
    const args = asNobody
      ? ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'memories', 'list']
      : [CLI, 'memories', 'list'];
    const r = spawnSync(cmd, args, { env: cliEnv(home), encoding: 'utf8' });
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/read-only|Cannot open the database/);
    expect(r.stderr).toContain(home);
    expect(fs.readdirSync(home)).toEqual([]);
  });
});

describe('mem0-tray backup and restore', () => {
  it('backs up consistently and restores, keeping the replaced database', () => {
    const home = tempDir();
    const env = cliEnv(home, { MEM0_TRAY_USER_ID: 'alice' });
    runCli(['memories', 'add', 'first memory'], env);
    const backup = path.join(tempDir(), 'backup.db');
    const b = runCli(['backup', backup], env);
    expect(b.code).toBe(0);
    runCli(['memories', 'add', 'second memory after the backup'], env);

    const r = runCli(['restore', backup], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Restored 1 memories/);
    expect(r.stdout).toMatch(/kept as/);
    const texts = (
      JSON.parse(runCli(['memories', 'list', '--json'], env).stdout).items as Array<{ text: string }>
    ).map((m) => m.text);
    expect(texts).toEqual(['first memory']);
  });

  it('restores over a damaged database, as its error message advises, and keeps the damaged file', () => {
    const home = tempDir();
    const env = cliEnv(home, { MEM0_TRAY_USER_ID: 'alice' });
    runCli(['memories', 'add', 'kept in the backup'], env);
    const backup = path.join(tempDir(), 'backup.db');
    expect(runCli(['backup', backup], env).code).toBe(0);
    const db = path.join(home, 'mem0-tray.db');
    const garbage = Buffer.from('not a database any more '.repeat(200));
    fs.writeFileSync(db, garbage);
    const broken = runCli(['memories', 'list'], env);
    expect(broken.code).toBe(4);
    expect(broken.stderr).toContain('mem0-tray restore FILE');

    const r = runCli(['restore', backup], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const keptAs = /kept as (\S+)\.$/m.exec(r.stdout)![1]!;
    expect(fs.readFileSync(keptAs).equals(garbage)).toBe(true);
    const items = JSON.parse(runCli(['memories', 'list', '--json'], env).stdout).items as Array<{
      text: string;
    }>;
    expect(items.map((m) => m.text)).toEqual(['kept in the backup']);
  });

  it('refuses to restore a file that is not a backup, changing nothing', () => {
    const home = tempDir();
    const env = cliEnv(home, { MEM0_TRAY_USER_ID: 'alice' });
    runCli(['memories', 'add', 'precious'], env);
    const junk = path.join(tempDir(), 'junk.db');
    fs.writeFileSync(junk, 'junk'.repeat(1000));
    const r = runCli(['restore', junk], env);
    expect(r.code).toBe(4);
    // The file is named as the backup it is not, never as "the database" to restore a backup over.
    expect(r.stderr).toContain(`${junk} is not a Mem0 Tray backup`);
    expect(r.stderr).toContain('the current database is unchanged');
    expect(r.stderr).not.toMatch(/The database|mem0-tray restore FILE/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(runCli(['memories', 'list', '--json'], env).stdout).items[0].text).toBe('precious');

    // A database, but not ours.
    const other = path.join(tempDir(), 'other.db');
    const foreign = new Database(other);
    foreign.exec('CREATE TABLE t (x)');
    foreign.close();
    const notOurs = runCli(['restore', other], env);
    expect(notOurs.code).toBe(4);
    expect(notOurs.stderr).toContain(`${other} is not a Mem0 Tray backup`);
    expect(notOurs.stderr).toContain('the current database is unchanged');
  });
});
