// Issue 6's promise end to end: our capture CA installed in a (throwaway) Debian system store with
// the real update-ca-certificates; curl, trusting only that store's bundle (no NODE_EXTRA_CA_CERTS),
// talks to api.anthropic.com through the capture proxy; after `uninstall --all` it no longer can.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureFeature } from '../../../main/core/capture/capture-feature.js';
import { parseCaCert } from '../../../main/core/certs/trust/ca-cert.js';
import { execFileRunner } from '../../../main/core/certs/trust/command-runner.js';
import { directElevator } from '../../../main/core/certs/trust/elevation.js';
import { InstallRecord } from '../../../main/core/certs/trust/install-record.js';
import { LinuxAnchorStore, debianLayout } from '../../../main/core/certs/trust/linux-anchors.js';
import { TrustManager } from '../../../main/core/certs/trust/trust-manager.js';
import { Core } from '../../../main/core/core.js';
import { silentLogger } from '../../../main/core/log.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../fakes/anthropic-api.js';
import { coreEnv } from '../../support/core-env.js';
import { throwawayDebianStore, toolAvailable } from './pki.js';

const canRun = toolAvailable('update-ca-certificates', ['--help']) && toolAvailable('curl');
if (!canRun && process.env.CI !== 'true') {
  console.warn('\n*** SKIPPING proxy-through-store: update-ca-certificates or curl is missing ***\n');
}

function curl(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) =>
    execFile('curl', args, { encoding: 'utf8' }, (error, stdout) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout }),
    ),
  );
}

describe.skipIf(!canRun)('a client trusting the system store, through the proxy', () => {
  let fake: FakeAnthropic;
  let core: Core;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    fake.setScript(() => ({ text: 'Hello through the trusted proxy.' }));
    core = await Core.start({
      env: coreEnv({
        MEM0_TRAY_USER_ID: 'erin',
        MEM0_TRAY_UPSTREAM: fake.url,
      }),
      log: silentLogger,
      features: [captureFeature],
    });
  });

  afterAll(async () => {
    await core?.stop();
    await fake?.close();
  });

  it('installs, talks to api.anthropic.com through the proxy without NODE_EXTRA_CA_CERTS, and uninstall --all leaves no trace', async () => {
    const { dirs, bundle } = throwawayDebianStore();
    const elevator = directElevator(execFileRunner());
    const store = new LinuxAnchorStore({ layout: debianLayout(dirs), elevator, toolExists: () => true });
    const manager = new TrustManager({
      stores: [store],
      elevator,
      record: new InstallRecord(core.db),
    });
    const ca = parseCaCert(fs.readFileSync(core.runtime.caPath!, 'utf8'));
    const body = JSON.stringify({
      model: 'claude-sonnet-4-5',
      max_tokens: 20,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const request = (cacert = bundle) =>
      curl([
        '-sS',
        '--fail',
        '--noproxy',
        '',
        '--proxy',
        `http://127.0.0.1:${core.runtime.proxyPort}`,
        '--cacert',
        cacert,
        '-H',
        'content-type: application/json',
        '-H',
        'x-api-key: test',
        '-d',
        body,
        'https://api.anthropic.com/v1/messages',
      ]);

    // Before: the store's one distribution root does not vouch for our proxy's certificate.
    expect((await request(path.join(dirs.certsdir, 'distro', 'root.crt'))).code).toBe(60);

    await manager.install(ca, [store]);
    expect((await store.status(ca)).trusted).toBe(true);
    const through = await request();
    expect(through.code).toBe(0);
    expect(JSON.parse(through.stdout).content[0].text).toBe('Hello through the trusted proxy.');

    await manager.uninstallAll();
    expect((await store.status(ca)).trusted).toBe(false);
    expect(fs.readdirSync(dirs.localcertsdir).filter((f) => f.includes('mem0'))).toEqual([]);
    expect(fs.readFileSync(bundle, 'utf8')).not.toContain(ca.pem.trim().split('\n')[1]!);
    expect((await request()).code).toBe(60);
  });
});
