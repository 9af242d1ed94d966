// `mem0-tray ui`: a running core's login link works once (runtime.json keeps the used one); the
// CLI gets a fresh one with the key only the data directory's owner can read, prints it, and opens
// it where a desktop is present. The 401 page says how to get a new link.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../../main/core/core.js';
import { silentLogger } from '../../../main/core/log.js';
import { uiFeature } from '../../../main/core/ui-api/feature.js';
import { cliEnv, runCliAsync } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';

let core: Core;
let home: string;

const login = (url: string) => fetch(url, { redirect: 'manual' });

beforeAll(async () => {
  home = tempDir();
  core = await Core.start({
    env: { MEM0_TRAY_HOME: home, MEM0_TRAY_API_PORT: '0', MEM0_TRAY_USER_ID: 'dev' },
    log: silentLogger,
    features: [uiFeature],
  });
});

afterAll(async () => {
  await core?.stop();
});

/** No desktop: DISPLAY and WAYLAND_DISPLAY unset. */
function headlessEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = cliEnv(home, extra);
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  return env;
}

describe('mem0-tray ui', () => {
  it('prints a fresh link for a running core whose runtime.json link is used up', async () => {
    const runtime = JSON.parse(fs.readFileSync(path.join(home, 'runtime.json'), 'utf8')) as { uiUrl: string };
    expect((await login(runtime.uiUrl)).status).toBe(303);
    const used = await login(runtime.uiUrl);
    expect(used.status).toBe(401);
    expect(await used.text()).toContain('run `mem0-tray ui` for a new one');

    const first = await runCliAsync(['ui'], headlessEnv());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const url = first.stdout.trim();
    expect(url).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:${core.runtime.apiPort}/ui/\\?token=[\\w-]{43}$`),
    );
    const session = await login(url);
    expect(session.status).toBe(303);
    expect(session.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await login(url)).status).toBe(401);

    const second = await runCliAsync(['ui'], headlessEnv());
    expect(second.stdout.trim()).not.toBe(url);
    expect((await login(second.stdout.trim())).status).toBe(303);
  });

  it('opens the link where a desktop is present, and not with --no-open', async () => {
    const bin = tempDir();
    const record = path.join(bin, 'opened.txt');
    fs.writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\necho "$@" >> '${record}'\n`, { mode: 0o755 });
    const env = headlessEnv({});
    env.PATH = `${bin}${path.delimiter}${env.PATH ?? ''}`;
    env.DISPLAY = ':99';
    const opened = await runCliAsync(['ui'], env);
    expect(opened.code).toBe(0);
    const url = opened.stdout.trim();
    await expect.poll(() => fs.existsSync(record) && fs.readFileSync(record, 'utf8').trim()).toBe(url);

    const printed = await runCliAsync(['ui', '--no-open'], env);
    expect(printed.code).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(fs.readFileSync(record, 'utf8').trim().split('\n')).toEqual([url]);
  });

  it('gives a link only to who can read the key in the private data directory', async () => {
    const keyFile = path.join(home, 'ui-link.key');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const base = `http://127.0.0.1:${core.runtime.apiPort}/ui-link`;
    expect((await fetch(base, { method: 'POST' })).status).toBe(401);
    const wrong = await fetch(base, { method: 'POST', headers: { authorization: 'Bearer not-the-key' } });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(await wrong.json())).not.toContain('token=');
    const right = await fetch(base, {
      method: 'POST',
      headers: { authorization: `Bearer ${fs.readFileSync(keyFile, 'utf8').trim()}` },
    });
    expect(right.status).toBe(200);
  });

  it('says what to do when no core runs, and the key is gone once the core stops', async () => {
    const idle = await runCliAsync(['ui'], cliEnv(tempDir()));
    expect(idle.code).toBe(3);
    expect(idle.stderr).toMatch(/not running.*mem0-tray serve/);

    await core.stop();
    expect(fs.existsSync(path.join(home, 'ui-link.key'))).toBe(false);
  });
});
