// The capture feature inside a real core: CA on first start, proxy and gateway on free ports, a
// capture through the proxy becoming a memory, pause (forwarding goes on, nothing recorded), a
// replaced CA used at once, stopping and restarting the proxy, a taken port explained, and a new
// upstream setting applied to the next call in the network thread.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureFeature } from '../../../main/core/capture/capture-feature.js';
import { Core } from '../../../main/core/core.js';
import { silentLogger } from '../../../main/core/log.js';
import { startFakeAnthropicUpstream, type FakeAnthropicUpstream } from '../../fakes/anthropic-upstream.js';
import { coreEnv } from '../../support/core-env.js';
import { tempDir } from '../../support/tmp.js';
import { until } from '../../support/until.js';

const run = promisify(execFile);
let fake: FakeAnthropicUpstream;
let core: Core;
let env: NodeJS.ProcessEnv;

const capture = () => core.feature('capture')!;

async function ask(text: string, caFile = core.runtime.caPath!): Promise<string> {
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
    caFile,
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

async function waitForMemories(n: number): Promise<number> {
  await until(async () => (await memoryCount()) >= n, `${n} memories`);
  return memoryCount();
}

beforeAll(async () => {
  fake = await startFakeAnthropicUpstream({ tls: true });
  env = coreEnv({
    MEM0_TRAY_USER_ID: 'dev',
    MEM0_TRAY_UPSTREAM: fake.url,
    MEM0_TRAY_UPSTREAM_CA: fake.pki!.caFile,
  });
  core = await Core.start({ env, log: silentLogger, features: [captureFeature], writeRuntime: false });
});

afterAll(async () => {
  await core?.stop();
  await fake?.close();
});

describe('capture feature', () => {
  it('makes the CA on first start and reports ports, CA and counters', async () => {
    expect(core.runtime.proxyPort).toBeGreaterThan(0);
    expect(core.runtime.gatewayPort).toBeGreaterThan(0);
    expect(fs.existsSync(core.runtime.caPath!)).toBe(true);
    const status = core.status().features.capture as Record<string, Record<string, unknown>>;
    expect(status.proxy).toMatchObject({ running: true, port: core.runtime.proxyPort });
    expect(status.ca!.fingerprintSha256).toBe(capture().ca().fingerprintSha256);
    expect(new Date(String(status.ca!.notAfter)).getTime()).toBeGreaterThan(Date.now() + 700 * 86_400_000);
  });

  it('turns a call through the proxy into a memory; paused, it forwards and records nothing', async () => {
    fake.queue([{ text: 'Deploys go out on Tuesdays.' }, { text: 'Paused answer.' }]);
    const before = await memoryCount();
    expect(await ask('When do deploys go out?')).toContain('Deploys go out on Tuesdays.');
    expect(await waitForMemories(before + 1)).toBe(before + 1);

    await capture().pause();
    expect(capture().isEnabled()).toBe(false);
    expect(await ask('Something while paused')).toContain('Paused answer.');
    await new Promise((r) => setTimeout(r, 200));
    expect(await memoryCount()).toBe(before + 1);
    await capture().resume();
    expect(capture().isEnabled()).toBe(true);
  });

  it('uses a replaced CA for new connections at once', async () => {
    const oldCa = tempDir() + '/old.pem';
    fs.copyFileSync(core.runtime.caPath!, oldCa);
    const before = capture().ca().fingerprintSha256;
    const pem = await capture().replaceCa();
    expect(pem).toBe(fs.readFileSync(core.runtime.caPath!, 'utf8'));
    expect(capture().ca().fingerprintSha256).not.toBe(before);
    expect(await ask('new CA?')).toContain('Hello from the fake');
    await expect(ask('old CA?', oldCa)).rejects.toThrow(/certificate|SSL/i);
  });

  it('stops and restarts the proxy on request', async () => {
    const port = capture().proxyPort();
    await capture().stopProxy();
    expect(capture().proxyPort()).toBeNull();
    expect(core.runtime.proxyPort).toBeNull();
    await expect(
      run('curl', ['-sS', '--proxy', `http://127.0.0.1:${port}`, 'https://api.anthropic.com/']),
    ).rejects.toThrow(/connect|refused/i);
    await capture().startProxy();
    expect(await ask('back?')).toContain('Hello from the fake');
  });

  it('says which port is taken and what to do', async () => {
    const taken = String(capture().proxyPort());
    await expect(
      Core.start({
        env: { ...env, MEM0_TRAY_HOME: tempDir(), MEM0_TRAY_PROXY_PORT: taken },
        log: silentLogger,
        features: [captureFeature],
        writeRuntime: false,
      }),
    ).rejects.toThrow(`Proxy port ${taken} is in use: set MEM0_TRAY_PROXY_PORT`);
  });
});

describe('capture feature, settings changed while it runs', () => {
  it('sends the next call to a new upstream at once, through the proxy and the gateway', async () => {
    const second = await startFakeAnthropicUpstream({ tls: true });
    const own = await Core.start({
      env: coreEnv({ MEM0_TRAY_USER_ID: 'dev' }),
      log: silentLogger,
      features: [captureFeature],
      writeRuntime: false,
    });
    try {
      await own.updateSettings({ upstream: fake.url, upstreamCa: fake.pki!.caFile });
      fake.queue([{ text: 'From the first upstream.' }]);
      const viaGateway = async () => {
        const res = await fetch(`http://127.0.0.1:${own.runtime.gatewayPort}/v1/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test' },
          body: JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
        });
        return res.text();
      };
      expect(await viaGateway()).toContain('From the first upstream.');

      await own.updateSettings({ upstream: second.url, upstreamCa: second.pki!.caFile });
      second.queue([{ text: 'From the second upstream.' }, { text: 'Second, through the proxy.' }]);
      expect(await viaGateway()).toContain('From the second upstream.');
      const { stdout } = await run('curl', [
        '-sS',
        '--fail',
        '--proxy',
        `http://127.0.0.1:${own.runtime.proxyPort}`,
        '--cacert',
        own.runtime.caPath!,
        '-H',
        'content-type: application/json',
        '-d',
        JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
        'https://api.anthropic.com/v1/messages',
      ]);
      expect(stdout).toContain('Second, through the proxy.');
      expect(own.status().features.capture).toMatchObject({ upstream: new URL(second.url).origin });
    } finally {
      await own.stop();
      await second.close();
    }
  });
});
