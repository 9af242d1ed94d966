// A CA replaced without the user, in a real core (capture + trust, a real NSS database): when the
// intercepted hosts change at runtime, and when the daily check finds the CA near expiry, the proxy
// switches to the new CA and the NSS database that trusted the old one trusts the new one instead.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CA_CHECK_INTERVAL_MS, captureFeature } from '../../../main/core/capture/capture-feature.js';
import { CA_LIFETIME_DAYS, commitCa, createCaCertificate } from '../../../main/core/certs/ca.js';
import { execFileRunner } from '../../../main/core/certs/trust/command-runner.js';
import { directElevator } from '../../../main/core/certs/trust/elevation.js';
import { NssDbStore } from '../../../main/core/certs/trust/nss-db.js';
import { trustFeature } from '../../../main/core/certs/trust/trust-feature.js';
import { Core } from '../../../main/core/core.js';
import { silentLogger } from '../../../main/core/log.js';
import { coreEnv } from '../../support/core-env.js';
import { tempDir } from '../../support/tmp.js';
import { toolAvailable } from './pki.js';

const DAY = 86_400_000;

describe.skipIf(!toolAvailable('certutil', ['-H']))('automatic CA regeneration', () => {
  let core: Core;
  // Every daily timer the core set (the CA check, and the pipeline's harmless prune).
  let daily: Array<() => void> = [];
  const capture = () => core.feature('capture')!;
  const trust = () => core.feature('certs')!;

  async function nssTrustsCurrent(): Promise<boolean> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const status = await trust().status();
      const nss = status.stores.find((s) => s.id === 'nss-user')!;
      if (nss.trusted && nss.others.length === 0) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const runner = execFileRunner();
  const nssDir = path.join(tempDir(), 'nssdb');
  const env = coreEnv();
  const start = () =>
    Core.start({
      env,
      log: silentLogger,
      features: [
        captureFeature,
        trustFeature({
          stores: [
            new NssDbStore({ id: 'nss-user', label: 'NSS', dir: nssDir, runner, createIfMissing: true }),
          ],
          elevator: directElevator(runner),
        }),
      ],
      writeRuntime: false,
    });

  beforeAll(async () => {
    const spy = vi.spyOn(globalThis, 'setInterval');
    core = await start();
    daily = spy.mock.calls.filter((c) => c[1] === CA_CHECK_INTERVAL_MS).map((c) => c[0] as () => void);
    spy.mockRestore();
    await trust().install('nss-user');
  });

  afterAll(async () => {
    await core?.stop();
  });

  it('hosts changed at runtime: a new CA, and the NSS database follows it', async () => {
    const before = capture().ca().fingerprintSha256;
    await core.updateSettings({ interceptHosts: ['api.anthropic.com', 'claude.example.test'] });
    const after = capture().ca();
    expect(after.fingerprintSha256).not.toBe(before);
    expect(after.hosts).toEqual(['api.anthropic.com', 'claude.example.test']);
    expect(await nssTrustsCurrent()).toBe(true);
    const status = await trust().status();
    expect(status.fingerprint!.replace(/:/g, '').toLowerCase()).toBe(after.fingerprintSha256);
    expect(status.notice).toBeNull();
  }, 30_000);

  it('the daily check replaces a CA that nears expiry, and the NSS database follows it', async () => {
    expect(daily.length).toBeGreaterThan(0);
    // The CA on disk (trusted in NSS through the record) is ten days from its end.
    const hosts = capture().ca().hosts;
    const old = await createCaCertificate(hosts, new Date(Date.now() - (CA_LIFETIME_DAYS - 10) * DAY));
    commitCa(core.paths, { ...old, hosts }, silentLogger);
    await trust().install('nss-user');
    const expiring = fs.readFileSync(core.paths.caCert, 'utf8');

    for (const tick of daily) tick();
    const deadline = Date.now() + 15_000;
    while (fs.readFileSync(core.paths.caCert, 'utf8') === expiring && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    expect(fs.readFileSync(core.paths.caCert, 'utf8')).not.toBe(expiring);
    expect(new Date(capture().ca().notAfter).getTime()).toBeGreaterThan(Date.now() + 700 * DAY);
    expect(await nssTrustsCurrent()).toBe(true);
  }, 30_000);

  it('hosts changed while the core was down: at the next start the NSS database follows the new CA', async () => {
    await core.stop();
    const before = fs.readFileSync(core.paths.caCert, 'utf8');
    const settings = JSON.parse(fs.readFileSync(core.paths.settings, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(
      core.paths.settings,
      JSON.stringify({ ...settings, interceptHosts: ['api.anthropic.com'] }),
    );
    core = await start();
    expect(fs.readFileSync(core.paths.caCert, 'utf8')).not.toBe(before);
    await trust().reconciled;
    const status = await trust().status();
    expect(status.stores[0]).toMatchObject({ id: 'nss-user', trusted: true, others: [] });
  }, 30_000);
});
