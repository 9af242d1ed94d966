// The trust feature over a real test core: the UI's Certificates adapter reads its handle.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCaCert } from '../../../main/core/certs/trust/ca-cert.js';
import { execFileRunner } from '../../../main/core/certs/trust/command-runner.js';
import { directElevator } from '../../../main/core/certs/trust/elevation.js';
import { EnvironmentRoute } from '../../../main/core/certs/trust/environment-route.js';
import { NssDbStore } from '../../../main/core/certs/trust/nss-db.js';
import type { TrustHandle } from '../../../main/core/certs/trust/trust-handle.js';
import { trustFeature } from '../../../main/core/certs/trust/trust-feature.js';
import { createUiServices } from '../../../main/core/ui-api/services.js';
import { createTestCore } from '../../support/core-context.js';
import { tempDir } from '../../support/tmp.js';
import { makeCa, toolAvailable } from './pki.js';

describe.skipIf(!toolAvailable('certutil', ['-H']))('trust feature', () => {
  it('status, install and remove through the handle the UI uses', async () => {
    const core = createTestCore();
    fs.mkdirSync(core.ctx.paths.caDir, { recursive: true });
    fs.copyFileSync(makeCa().certFile, core.ctx.paths.caCert);
    const runner = execFileRunner();
    const nssDir = path.join(tempDir(), 'nssdb');
    const started = await trustFeature({
      stores: [
        new NssDbStore({ id: 'nss-user', label: 'NSS', dir: nssDir, runner, createIfMissing: true }),
        new EnvironmentRoute(),
      ],
      elevator: directElevator(runner),
      // Below, earlier CAs are put into the store behind the service's back, as a tool outside the
      // app would; such changes show only after the status time bound (test/unit/trust covers it).
      statusMaxAgeMs: 0,
    }).start(core.ctx);
    const handle: TrustHandle = started.handle;

    const ui = createUiServices({ certs: handle }, {});
    const before = await ui.certificates();
    expect(before).toMatchObject({ available: true, caExists: true, caPath: core.ctx.paths.caCert });
    expect(before.available && before.stores).toEqual([
      {
        id: 'nss-user',
        name: 'NSS',
        trusted: false,
        privileged: false,
        environment: false,
        detail: 'The database does not exist yet; installing creates it.',
        others: [],
      },
      expect.objectContaining({ id: 'environment', trusted: true, privileged: false, environment: true }),
    ]);
    await ui.installCertificate('nss-user');
    const after = await ui.certificates();
    expect(after.available && after.stores[0]).toMatchObject({ id: 'nss-user', trusted: true });
    await ui.removeCertificate('nss-user');
    const removed = await ui.certificates();
    expect(removed.available && removed.stores[0]).toMatchObject({ id: 'nss-user', trusted: false });

    // An earlier CA next to the current one: listed, and removed alone by its fingerprint.
    await ui.installCertificate('nss-user');
    const earlier = parseCaCert(makeCa('/CN=Mem0 Tray CA old/O=Mem0 Tray').pem);
    await handle.service.manager.store('nss-user').install(earlier);
    const both = await ui.certificates();
    expect(both.available && both.stores[0]).toMatchObject({
      trusted: true,
      others: [{ subject: 'Mem0 Tray CA old', fingerprint: earlier.sha256 }],
    });
    expect(both.available && both.notice).toBeNull();
    await ui.removeCertificate('nss-user', earlier.sha256);
    const one = await ui.certificates();
    expect(one.available && one.stores[0]).toMatchObject({ trusted: true, others: [] });

    // Only the earlier CA left: the notice says so; "remove from every store" clears it.
    await handle.service.manager.store('nss-user').install(earlier);
    await ui.removeCertificate(
      'nss-user',
      parseCaCert(fs.readFileSync(core.ctx.paths.caCert, 'utf8')).sha256,
    );
    const stale = await ui.certificates();
    expect(stale.available && stale.notice).toMatch(/^NSS trusts only an earlier CA of Mem0 Tray/);
    await ui.removeCertificateEverywhere();
    const none = await ui.certificates();
    expect(none.available && none.stores[0]).toMatchObject({ trusted: false, others: [] });
    expect(none.available && none.notice).toBeNull();
    await expect(ui.regenerateCertificate()).rejects.toThrow(/not available in this build/);
    await started.stop();
    core.close();
  });
});
