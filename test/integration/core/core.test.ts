// The composition root: start with no features, settings changes, backend switching, soft stop.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureFeature } from '../../../main/core/capture/capture-feature.js';
import { Core } from '../../../main/core/core.js';
import { FEATURES } from '../../../main/core/features.js';
import type { AnyFeature, Feature } from '../../../main/core/feature.js';
import type { FeatureHandles, FeatureId } from '../../../main/core/feature-handles.js';
import { silentLogger } from '../../../main/core/log.js';
import { cliEnv, runCliAsync } from '../../support/cli.js';
import { tempDir } from '../../support/tmp.js';

const cores: Core[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.stop();
});

async function start(features: readonly AnyFeature[] = [], extra: Record<string, string> = {}) {
  const home = tempDir();
  const core = await Core.start({
    env: { MEM0_TRAY_HOME: home, MEM0_TRAY_API_PORT: '0', MEM0_TRAY_USER_ID: 'alice', ...extra },
    log: silentLogger,
    features,
  });
  cores.push(core);
  return { core, home };
}

describe('Core', () => {
  it('switches the memory backend on a settings change, and undoes a change it cannot apply', async () => {
    const { core, home } = await start();
    expect(core.backend().kind).toBe('local');
    await expect(core.updateSettings({ backend: 'mem0-server' })).rejects.toThrow(/mem0ServerUrl/);
    expect(core.settings().backend).toBe('local');
    expect(core.backend().kind).toBe('local');
    expect(fs.existsSync(path.join(home, 'settings.json'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(home, 'settings.json'), 'utf8'))).toEqual({});

    await core.updateSettings({ backend: 'mem0-server', mem0ServerUrl: 'http://127.0.0.1:9' });
    expect(core.backend().kind).toBe('mem0-server');
    expect(core.status().backend).toBe('mem0-server');
  });

  it('tells features about settings changes and stops them in reverse order', async () => {
    const order: string[] = [];
    const seen: boolean[] = [];
    const lastRecall = () => null;
    const listening = <K extends FeatureId>(id: K, handle: FeatureHandles[K]): Feature<K> => ({
      id,
      start: async () => ({
        handle,
        status: () => ({ id }),
        onSettingsChanged: (next) => void seen.push(next.captureEnabled),
        stop: async () => void order.push(id),
      }),
    });
    const { core } = await start([listening('rest', null), listening('recall', { lastRecall })]);
    expect(core.feature('recall')?.lastRecall).toBe(lastRecall);
    expect(core.feature('capture')).toBeUndefined();
    expect(core.status().features).toEqual({ rest: { id: 'rest' }, recall: { id: 'recall' } });
    await core.updateSettings({ captureEnabled: false });
    expect(seen).toEqual([false, false]);
    await core.stop();
    expect(order).toEqual(['recall', 'rest']);
  });

  it('lists every feature once, and refuses a list that names one twice', async () => {
    const ids = FEATURES.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    const rest: Feature<'rest'> = { id: 'rest', start: async () => ({ handle: null, stop: async () => {} }) };
    await expect(start([rest, rest])).rejects.toThrow('Features listed twice: rest.');
  });

  it('gives up on a feature that does not stop within the timeout', async () => {
    const stuck: Feature<'rest'> = {
      id: 'rest',
      start: async () => ({ handle: null, stop: () => new Promise(() => {}) }),
    };
    const { core, home } = await start([stuck]);
    const t0 = Date.now();
    await core.stop(300);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(fs.existsSync(path.join(home, 'runtime.json'))).toBe(false);
  });

  it('keeps runtime.json current: a stopped proxy is gone from it, so new terminals are not pointed at it', async () => {
    const { core, home } = await start([captureFeature], {
      MEM0_TRAY_PROXY_PORT: '0',
      MEM0_TRAY_GATEWAY_PORT: '0',
    });
    const file = path.join(home, 'runtime.json');
    const read = () => JSON.parse(fs.readFileSync(file, 'utf8')) as { proxyPort: number | null };
    const port = read().proxyPort;
    expect(port).toBeGreaterThan(0);
    // What the shell integration runs in a new terminal (another process, as there).
    const env = async () =>
      (await runCliAsync(['env', '--if-running', '--shell', 'bash'], cliEnv(home))).stdout;
    expect(await env()).toContain(`HTTPS_PROXY='http://127.0.0.1:${port}'`);

    const capture = core.feature('capture')!;
    await capture.stopProxy();
    expect(read().proxyPort).toBeNull();
    expect((await env()).trim()).toBe('');
    const again = await capture.startProxy();
    expect(read().proxyPort).toBe(again);
    expect(await env()).toContain(`HTTPS_PROXY='http://127.0.0.1:${again}'`);
  });
});
