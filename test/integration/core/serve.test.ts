// `mem0-tray serve` as scripts rely on it: runtime.json once ready, /health, one core per data
// directory, the CLI working beside it, and a clean exit on SIGTERM / SIGINT.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, cliEnv, runCliAsync } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';
import { until } from '../../support/until.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function startServe(home: string, extra: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, 'serve'], { env: cliEnv(home, extra) });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

function readRuntime(home: string) {
  try {
    return JSON.parse(fs.readFileSync(path.join(home, 'runtime.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

describe('mem0-tray serve', () => {
  it('writes runtime.json when ready, answers /health, and cleans up on SIGTERM', async () => {
    const home = tempDir();
    const serve = startServe(home);
    const runtime = await until(() => readRuntime(home));
    expect(Object.keys(runtime).sort()).toEqual(
      ['apiPort', 'caPath', 'gatewayPort', 'pid', 'proxyPort', 'uiUrl'].sort(),
    );
    expect(runtime.pid).toBe(serve.child.pid);
    const health = await fetch(`http://127.0.0.1:${runtime.apiPort}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    await until(() => serve.out().includes('http://127.0.0.1:'));

    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(fs.existsSync(path.join(home, 'runtime.json'))).toBe(false);
  });

  it('refuses a second core on the same data directory, and lets the CLI work beside it', async () => {
    const home = tempDir();
    const serve = startServe(home, { MEM0_TRAY_USER_ID: 'alice' });
    await until(() => readRuntime(home));
    const env = cliEnv(home, { MEM0_TRAY_USER_ID: 'alice' });
    const second = await runCliAsync(['serve'], env);
    expect(second.code).toBe(5);
    expect(second.stderr).toMatch(/already running/);

    const add = await runCliAsync(['memories', 'add', 'added while serve runs'], env);
    expect(add.code).toBe(0);
    const backupFile = path.join(tempDir(), 'live.db');
    expect((await runCliAsync(['backup', backupFile], env)).code).toBe(0);
    const restore = await runCliAsync(['restore', backupFile], env);
    expect(restore.code).toBe(5);
    expect(restore.stderr).toMatch(/quit it before you restore/);

    serve.child.kill('SIGINT');
    expect(await serve.exited).toBe(0);
  });

  it('says which port is taken and how to choose another', async () => {
    const home = tempDir();
    const blocker = await new Promise<net.Server>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
    const port = (blocker.address() as AddressInfo).port;
    const r = await runCliAsync(['serve'], cliEnv(home, { MEM0_TRAY_API_PORT: String(port) }));
    blocker.close();
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`port ${port} is in use`);
    expect(r.stderr).toContain('MEM0_TRAY_API_PORT');
  });
});
