// `npm start` where a display is present (an Xvfb server here): with no Electron runtime it fetches
// one through Electron's own installer, and when that fails (here: a mirror nobody answers on) it
// runs headless, saying why and which command retries; with a runtime (a stub in
// ELECTRON_OVERRIDE_DIST_PATH) it opens the app and fetches nothing. Without a display nothing is
// fetched. The decisions themselves are unit-tested with fakes below.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript, run by node before any build
import { startMem0Tray } from '../../../scripts/start-plan.js';
import { partAvailable } from '../../support/available.js';
import { cliEnv } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';
import { until } from '../../support/until.js';

const hasXvfb = spawnSync('sh', ['-c', 'command -v Xvfb']).status === 0;
const xvfb = partAvailable('Xvfb', hasXvfb, 'apt-get install xvfb');
let server: ChildProcess | undefined;
const display = `:${90 + (process.pid % 9)}`;

beforeAll(async () => {
  if (!xvfb) return;
  server = spawn('Xvfb', [display, '-nolisten', 'tcp'], { stdio: 'ignore' });
  await until(() => fs.existsSync(`/tmp/.X11-unix/X${display.slice(1)}`), 'the Xvfb display');
});
const children: ChildProcess[] = [];
afterAll(() => {
  // A failed test leaves its process running: start.js passes SIGTERM on to what it started.
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  server?.kill();
});

function start(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['scripts/start.js'], { env });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, exited, out: () => stdout, err: () => stderr };
}

const electronDist = path.resolve('node_modules/electron/dist');

describe.runIf(xvfb)('npm start with a display', () => {
  it('fetches the missing runtime with the installer; offline, runs headless and says why and how to retry', async () => {
    expect(fs.existsSync(path.resolve('node_modules/electron/path.txt'))).toBe(false);
    const home = tempDir();
    const env = cliEnv(home, {
      DISPLAY: display,
      // No answer there: the fetch fails at once, as offline or behind a proxy.
      ELECTRON_MIRROR: 'http://127.0.0.1:9/',
      electron_config_cache: tempDir(),
    });
    const run = start(env);
    await until(() => run.out().includes('\n'), 'the headless line', 30_000);
    expect(run.err()).toContain('fetching the Electron runtime');
    const line = run.out().split('\n')[0]!;
    expect(line).toMatch(
      /^Mem0 Tray running headless \(the Electron runtime could not be fetched: .+; "npx install-electron" retries, then npm start\): API http/,
    );
    expect(fs.existsSync(path.join(home, 'runtime.json'))).toBe(true);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  }, 60_000);

  it('opens the tray app with the runtime there, and fetches nothing', async () => {
    const dist = tempDir();
    const record = path.join(dist, 'ran.txt');
    fs.writeFileSync(path.join(dist, 'electron'), `#!/bin/sh\necho "$PWD $*" > '${record}'\n`, {
      mode: 0o755,
    });
    const run = start(cliEnv(tempDir(), { DISPLAY: display, ELECTRON_OVERRIDE_DIST_PATH: dist }));
    expect(await run.exited).toBe(0);
    expect(fs.readFileSync(record, 'utf8').trim()).toBe(`${process.cwd()} .`);
    expect(run.err()).not.toContain('fetching');
    expect(run.out()).not.toContain('headless');
  }, 30_000);
});

describe('npm start without a display', () => {
  it('fetches nothing, even with no runtime installed', async () => {
    const env = cliEnv(tempDir(), { ELECTRON_MIRROR: 'http://127.0.0.1:9/' });
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const run = start(env);
    await until(() => run.out().includes('\n'), 'the headless line', 30_000);
    expect(run.out()).toMatch(/^Mem0 Tray running headless \(no display\)/);
    expect(run.err()).not.toContain('fetching');
    expect(fs.existsSync(electronDist)).toBe(false);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  }, 30_000);
});

describe('the start plan', () => {
  const plan = (over: Record<string, unknown>) => {
    const calls: string[] = [];
    const deps = {
      env: {},
      platform: 'linux',
      electronDir: tempDir(),
      say: (l: string) => calls.push(`say ${l}`),
      install: async () => {
        calls.push('install');
        return { ok: false, why: 'getaddrinfo ENOTFOUND github.com' };
      },
      startApp: (bin: string) => calls.push(`app ${bin}`),
      startHeadless: (why: string) => calls.push(`headless ${why}`),
      ...over,
    };
    return { calls, run: () => startMem0Tray(deps) };
  };

  it('installs only where a display is, and opens what the installer put there', async () => {
    const none = plan({ env: {} });
    await none.run();
    expect(none.calls).toEqual(['headless no display']);

    const offline = plan({ env: { DISPLAY: ':1' } });
    await offline.run();
    expect(offline.calls.slice(1)).toEqual([
      'install',
      'headless the Electron runtime could not be fetched: getaddrinfo ENOTFOUND github.com; "npx install-electron" retries, then npm start',
    ]);

    const dir = tempDir();
    const online = plan({
      env: { DISPLAY: ':1' },
      platform: 'darwin',
      electronDir: dir,
      install: async () => {
        const bin = path.join(dir, 'dist', 'Electron.app/Contents/MacOS/Electron');
        fs.mkdirSync(path.dirname(bin), { recursive: true });
        fs.writeFileSync(bin, '');
        fs.writeFileSync(path.join(dir, 'path.txt'), 'Electron.app/Contents/MacOS/Electron');
        return { ok: true };
      },
    });
    await online.run();
    expect(online.calls.at(-1)).toBe(`app ${path.join(dir, 'dist', 'Electron.app/Contents/MacOS/Electron')}`);
  });
});
