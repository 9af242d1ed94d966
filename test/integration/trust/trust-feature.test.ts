// The trust feature over a real test core: the UI's Certificates adapter reads its handle.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { execFileRunner } from '../../../main/core/certs/trust/command-runner.js';
import { directElevator } from '../../../main/core/certs/trust/elevation.js';
import { EnvironmentRoute } from '../../../main/core/certs/trust/environment-route.js';
import { NssDbStore } from '../../../main/core/certs/trust/nss-db.js';
import { trustFeature, type TrustHandle } from '../../../main/core/certs/trust/trust-feature.js';
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
    }).start(core.ctx);
    const handle: TrustHandle = started.handle;

    const ui = createUiServices({
      settings: () => core.ctx.settings(),
      env: {},
      runtime: core.ctx.runtime,
      feature: <T>(name: string) => (name === 'certs' ? (handle as T) : undefined),
      featureStatus: () => ({}),
    });
    const before = await ui.certificates();
    expect(before).toMatchObject({ available: true, caExists: true, caPath: core.ctx.paths.caCert });
    expect(before.available && before.stores).toEqual([
      {
        id: 'nss-user',
        name: 'NSS',
        trusted: false,
        privileged: false,
        detail: 'The database does not exist yet; installing creates it.',
      },
      expect.objectContaining({ id: 'environment', trusted: true, privileged: false }),
    ]);
    await ui.installCertificate('nss-user');
    const after = await ui.certificates();
    expect(after.available && after.stores[0]).toMatchObject({ id: 'nss-user', trusted: true });
    await ui.removeCertificate('nss-user');
    const removed = await ui.certificates();
    expect(removed.available && removed.stores[0]).toMatchObject({ id: 'nss-user', trusted: false });
    await expect(ui.regenerateCertificate()).rejects.toThrow(/not available in this build/);
    await started.stop();
    core.close();
  });
});
