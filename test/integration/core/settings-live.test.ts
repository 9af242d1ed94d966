// settings.json edited while the core runs: a valid edit takes effect (a turn after
// `captureEnabled: false` is not captured), an invalid one is shown in the core status with every
// problem and the last valid settings stay; a setting an environment variable holds cannot be
// changed through the core (the pause toggle with MEM0_TRAY_CAPTURE set), and the status says
// which variable holds it.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureFeature } from '../../../main/core/capture/capture-feature.js';
import { Core } from '../../../main/core/core.js';
import { silentLogger } from '../../../main/core/log.js';
import { startFakeAnthropicUpstream, type FakeAnthropicUpstream } from '../../fakes/anthropic-upstream.js';
import { coreEnv } from '../../support/core-env.js';
import { until } from '../../support/until.js';

const run = promisify(execFile);
let fake: FakeAnthropicUpstream;
let core: Core;
let held: Core;

const capture = (c = core) => c.feature('capture')!;
const settingsFile = () => path.join(core.paths.dataDir, 'settings.json');
const writeSettings = (value: unknown) => fs.writeFileSync(settingsFile(), JSON.stringify(value, null, 2));

async function ask(text: string): Promise<string> {
  const payload = JSON.stringify({
    model: 'claude-sonnet-4-5',
    max_tokens: 50,
    messages: [{ role: 'user', content: text }],
  });
  const { stdout } = await run('curl', [
    '-sS',
    '--fail',
    '--proxy',
    `http://127.0.0.1:${capture().proxyPort()}`,
    '--cacert',
    core.runtime.caPath!,
    '-H',
    'content-type: application/json',
    '-H',
    'x-api-key: sk-ant-test',
    '-d',
    payload,
    'https://api.anthropic.com/v1/messages',
  ]);
  return stdout;
}

async function memoryCount(): Promise<number> {
  await capture().pipeline.idle();
  return (await core.backend().list({ userId: 'dev' }, { limit: 500 })).items.length;
}

beforeAll(async () => {
  fake = await startFakeAnthropicUpstream({ tls: true });
  const upstream = { MEM0_TRAY_UPSTREAM: fake.url, MEM0_TRAY_UPSTREAM_CA: fake.pki!.caFile };
  core = await Core.start({
    env: coreEnv({ MEM0_TRAY_USER_ID: 'dev', ...upstream }),
    log: silentLogger,
    features: [captureFeature],
    writeRuntime: false,
  });
  held = await Core.start({
    env: coreEnv({ MEM0_TRAY_USER_ID: 'dev', MEM0_TRAY_CAPTURE: 'off', ...upstream }),
    log: silentLogger,
    features: [captureFeature],
    writeRuntime: false,
  });
});

afterAll(async () => {
  await core?.stop();
  await held?.stop();
  await fake?.close();
});

describe('settings.json edited under a running core', () => {
  it('takes effect: after captureEnabled false is written, the next turn is not captured', async () => {
    fake.queue([{ text: 'Captured answer.' }, { text: 'Paused answer.' }, { text: 'Resumed answer.' }]);
    expect(await ask('First question')).toContain('Captured answer.');
    await until(async () => (await memoryCount()) === 1, 'the first memory');

    writeSettings({ captureEnabled: false });
    await until(() => !capture().isEnabled(), 'capture paused by the file');
    expect(await ask('While paused')).toContain('Paused answer.');
    await new Promise((r) => setTimeout(r, 200));
    expect(await memoryCount()).toBe(1);

    writeSettings({});
    await until(() => capture().isEnabled(), 'capture resumed by the file');
    expect(await ask('Resumed')).toContain('Resumed answer.');
    await until(async () => (await memoryCount()) === 2, 'the second memory');
    expect(core.status().settings.error).toBeNull();
  });

  it('shows an invalid edit with every problem and keeps the last valid settings', async () => {
    writeSettings({ excludedProjects: ['~/secret-*'] });
    await until(() => core.settings().excludedProjects.length === 1, 'the exclusion applied');

    writeSettings({ captureEnabled: 'nope', proxyPort: 70000, excludedProjects: [] });
    const error = await until(() => core.status().settings.error, 'the error in the status');
    expect(error.problems).toHaveLength(2);
    expect(error.message).toMatch(/"captureEnabled": .*expected boolean/);
    expect(error.message).toMatch(/"proxyPort": .*65535/);
    expect(core.settings().excludedProjects).toEqual(['~/secret-*']);
    expect(core.settings().captureEnabled).toBe(true);

    fs.writeFileSync(settingsFile(), '{ "captureEnabled": ');
    await until(() => /not valid JSON/.test(core.status().settings.error?.message ?? ''), 'broken JSON');
    expect(core.settings().excludedProjects).toEqual(['~/secret-*']);

    writeSettings({});
    await until(() => core.status().settings.error === null, 'the error cleared');
    expect(core.settings().excludedProjects).toEqual([]);
  });

  it("applies the core's own writes once and the file stays as written", async () => {
    await core.updateSettings({ excludedProjects: ['~/a'] });
    expect(JSON.parse(fs.readFileSync(settingsFile(), 'utf8'))).toEqual({ excludedProjects: ['~/a'] });
    await new Promise((r) => setTimeout(r, 300));
    expect(core.settings().excludedProjects).toEqual(['~/a']);
    expect(core.status().settings.error).toBeNull();
  });
});

describe('settings held by an environment variable', () => {
  it('refuses the pause toggle, naming MEM0_TRAY_CAPTURE, and changes nothing', async () => {
    expect(capture(held).isEnabled()).toBe(false);
    await expect(capture(held).resume()).rejects.toThrow(
      /"captureEnabled" is held by the environment variable MEM0_TRAY_CAPTURE \(MEM0_TRAY_CAPTURE=off\)/,
    );
    expect(capture(held).isEnabled()).toBe(false);
    expect(fs.existsSync(path.join(held.paths.dataDir, 'settings.json'))).toBe(false);
    // Asking for what the variable already holds is no change, and is not written to the file.
    await capture(held).pause();
    expect(fs.existsSync(path.join(held.paths.dataDir, 'settings.json'))).toBe(false);
  });

  it('says in the core status which variable holds which setting', () => {
    expect(held.status().settings.heldByEnvironment).toMatchObject({
      captureEnabled: 'MEM0_TRAY_CAPTURE',
      userId: 'MEM0_TRAY_USER_ID',
      upstream: 'MEM0_TRAY_UPSTREAM',
    });
    expect(core.status().settings.heldByEnvironment).not.toHaveProperty('captureEnabled');
  });
});
