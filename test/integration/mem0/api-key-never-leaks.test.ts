// The Mem0 API key never reaches a log, the database, settings.json, the outbox's status and
// errors, the UI API or CLI output: a known key is rejected (401) and then cannot reach Mem0
// (network failure), through the real core, outbox and backend, and every place is searched for it.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../../main/core/core.js';
import { Outbox } from '../../../main/core/memory/outbox.js';
import { KeytarSecretStore, maskSecret } from '../../../main/core/secrets/secret-store.js';
import { createUiApi, type UiHost } from '../../../main/core/ui-api/handlers.js';
import { createUiServices } from '../../../main/core/ui-api/services.js';
import { FakeMem0Platform } from '../../fakes/mem0-platform.js';
import { cliEnv, runCliAsync } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';
import { until } from '../../support/until.js';

const KEY = `m0-${randomBytes(24).toString('hex')}`;
/** The key and long pieces of it; the last 4 characters are the hint and may be shown. */
const PIECES = [KEY, KEY.slice(0, 16), KEY.slice(3, 19), KEY.slice(-12, -4), KEY.slice(-8)];

function expectNoKey(where: string, text: string): void {
  for (const piece of PIECES) {
    if (text.includes(piece))
      throw new Error(`${where} contains the API key (or ${piece.length} characters of it)`);
  }
}

function readAll(dir: string): string {
  let out = '';
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out += readAll(p);
    else out += fs.readFileSync(p).toString('latin1');
  }
  return out;
}

function uiHost(core: Core): UiHost {
  return {
    paths: core.paths,
    env: core.env,
    runtime: core.runtime,
    memories: core.memories,
    events: core.events,
    settings: () => core.settings(),
    featureIds: () => core.featureIds(),
    settingsStatus: () => core.settingsStatus(),
    updateSettings: (patch) => core.updateSettings(patch),
  };
}

const fake = new FakeMem0Platform({ apiKey: 'm0-the-key-this-project-wants-0000', processingMs: 2 });
beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});

describe('the Mem0 API key never leaks', () => {
  it('not after a 401 and a network failure: logs, database, settings, outbox, UI API, CLI', async () => {
    const home = tempDir();
    const env = {
      MEM0_TRAY_HOME: home,
      MEM0_TRAY_API_PORT: '0',
      MEM0_TRAY_USER_ID: 'lee',
      MEM0_TRAY_BACKEND: 'mem0-platform',
      MEM0_TRAY_MEM0_HOST: fake.url,
      MEM0_API_KEY: KEY,
    };
    const level = process.env.MEM0_TRAY_LOG_LEVEL;
    process.env.MEM0_TRAY_LOG_LEVEL = 'debug';
    const core = await Core.start({ env, features: [], writeRuntime: false }).finally(() => {
      if (level === undefined) delete process.env.MEM0_TRAY_LOG_LEVEL;
      else process.env.MEM0_TRAY_LOG_LEVEL = level;
    });
    const seen: string[] = [];
    try {
      await core.updateSettings({ captureEnabled: false });
      const outbox = new Outbox({
        db: core.db,
        backend: () => core.backend(),
        log: core.log.child('outbox'),
        backoff: { baseMs: 20, maxMs: 50 },
      });
      outbox.start();
      const capture = (i: number) =>
        outbox.enqueue({
          conversationId: `c${i}`,
          key: `cap-${i}`,
          memory: { userId: 'lee', text: `turn ${i}`, source: 'proxy', conversationId: `c${i}` },
        });

      capture(1);
      await until(() => /rejected/.test(outbox.status().lastError?.message ?? ''));
      seen.push(JSON.stringify(outbox.status()));
      const caller = { userId: 'lee', via: 'cli' as const };
      seen.push(String(await core.memories.list(caller).catch((e: Error) => e.message)));

      await fake.stop();
      try {
        capture(2);
        await until(() => /Cannot reach Mem0/.test(outbox.status().lastError?.message ?? ''));
        seen.push(JSON.stringify(outbox.status()));
        seen.push(String(await core.memories.search(caller, 'turn').catch((e: Error) => e.message)));
        const cliOffline = await runCliAsync(['memories', 'list'], cliEnv(home, env));
        expect(cliOffline.code).not.toBe(0);
        seen.push(cliOffline.stdout, cliOffline.stderr);
      } finally {
        await fake.start();
      }

      const cliRejected = await runCliAsync(['memories', 'search', 'turn'], cliEnv(home, env));
      expect(cliRejected.stderr).toMatch(/rejected/);
      const status = await runCliAsync(['apikey', 'status', '--json'], cliEnv(home, env));
      expect(status.stdout).toContain(maskSecret(KEY));
      seen.push(cliRejected.stdout, cliRejected.stderr, status.stdout, status.stderr);

      const ui = createUiApi(uiHost(core), createUiServices({}, core.env), core.log);
      for (const method of ['getStatus', 'getSettings', 'getCapture', 'listMemories']) {
        const reply = await ui.dispatch(method, method === 'listMemories' ? {} : undefined);
        expect(reply).not.toMatchObject({ error: { code: 'not_found' } });
        seen.push(JSON.stringify(reply));
      }
      seen.push(JSON.stringify(core.status()));
      ui.dispose();
      await outbox.stop();
    } finally {
      await core.stop();
    }

    // The test can fail: the failures happened and were logged and stored.
    const logs = readAll(path.join(home, 'logs'));
    expect(logs).toMatch(/mem0\.call_failed/);
    expect(logs).toMatch(/unauthorized/);
    expect(seen.join('\n')).toMatch(/Cannot reach Mem0/);

    expectNoKey('the log files', logs);
    expectNoKey('the database files', readAll(home).replace(logs, ''));
    const settingsFile = path.join(home, 'settings.json');
    expectNoKey('settings.json', fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : '');
    seen.forEach((text, i) => expectNoKey(`output #${i}`, text));
  });

  it('UI API setApiKey / clearApiKey / status: stored in the keychain, only the hint comes back', async () => {
    const home = tempDir();
    const core = await Core.start({
      env: { MEM0_TRAY_HOME: home, MEM0_TRAY_API_PORT: '0', MEM0_TRAY_USER_ID: 'lee' },
      features: [],
      writeRuntime: false,
    });
    try {
      const vault = new Map<string, string>();
      let failNext = false;
      const store = new KeytarSecretStore({
        load: async () => ({
          getPassword: async (s: string, a: string) => vault.get(`${s}/${a}`) ?? null,
          setPassword: async (s: string, a: string, p: string) => {
            if (failNext) throw new Error(`org.freedesktop.Secret.Error: cannot store "${p}"`);
            vault.set(`${s}/${a}`, p);
          },
          deletePassword: async (s: string, a: string) => vault.delete(`${s}/${a}`),
        }),
      });
      const ui = createUiApi(uiHost(core), createUiServices({}, core.env, store), core.log);
      const set = await ui.dispatch('setApiKey', { key: ` ${KEY} ` });
      expect(set).toEqual({
        ok: true,
        value: expect.objectContaining({ set: true, source: 'keychain', hint: maskSecret(KEY) }),
      });
      expect(vault.get('mem0-tray/mem0-api-key')).toBe(KEY);
      const view = await ui.dispatch('getSettings', undefined);
      expect(JSON.stringify(view)).toContain(maskSecret(KEY));

      failNext = true;
      const failed = await ui.dispatch('setApiKey', { key: KEY });
      expect(failed).toMatchObject({ ok: false, error: { code: 'keychain_unavailable' } });

      const cleared = await ui.dispatch('clearApiKey', {});
      expect(cleared).toEqual({ ok: true, value: expect.objectContaining({ set: false, hint: null }) });
      expect(vault.size).toBe(0);
      for (const [i, text] of [set, view, failed, cleared].map((r) => JSON.stringify(r)).entries())
        expectNoKey(`UI reply #${i}`, text);
      ui.dispose();
    } finally {
      await core.stop();
    }
    expectNoKey('the data directory', readAll(home));
  });
});
