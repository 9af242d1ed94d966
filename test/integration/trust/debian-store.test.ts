// Linux for real: our Debian store drives the real update-ca-certificates against a throwaway trust
// store (never /etc), then OpenSSL, Node's TLS and curl verify with the bundle it generated — and
// the name constraint holds: a leaf for another host under our CA is refused.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCaCert, type CaCert } from '../../../main/core/certs/trust/ca-cert.js';
import { execFileRunner } from '../../../main/core/certs/trust/command-runner.js';
import { directElevator, type Elevator } from '../../../main/core/certs/trust/elevation.js';
import { InstallRecord } from '../../../main/core/certs/trust/install-record.js';
import {
  LinuxAnchorStore,
  debianLayout,
  type DebianDirs,
} from '../../../main/core/certs/trust/linux-anchors.js';
import { NssDbStore } from '../../../main/core/certs/trust/nss-db.js';
import { TrustManager } from '../../../main/core/certs/trust/trust-manager.js';
import { openDatabase } from '../../../main/core/db/database.js';
import { UserError } from '../../../main/core/errors.js';
import { tempDir } from '../../support/tmp.js';
import { makeCa, makeLeaf, opensslVerify, throwawayDebianStore, toolAvailable, type TestCa } from './pki.js';

const canRun =
  toolAvailable('update-ca-certificates', ['--help']) &&
  toolAvailable('openssl', ['version']) &&
  toolAvailable('curl');

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile('curl', args, { encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe.skipIf(!canRun)('Debian system store with the real update-ca-certificates', () => {
  let testCa: TestCa;
  let ca: CaCert;
  let store: LinuxAnchorStore;
  let manager: TrustManager;
  let record: InstallRecord;
  let bundle: string;
  let dirs: Required<DebianDirs>;
  let distroRoot: string;
  let elevations = 0;
  const servers: https.Server[] = [];

  beforeAll(() => {
    testCa = makeCa();
    ca = parseCaCert(testCa.pem);
    ({ dirs, bundle, distroRoot } = throwawayDebianStore());
    const direct = directElevator(execFileRunner());
    const counting: Elevator = {
      kind: 'direct',
      run: (plan) => {
        elevations++;
        return direct.run(plan);
      },
    };
    store = new LinuxAnchorStore({ layout: debianLayout(dirs), elevator: counting, toolExists: () => true });
    record = new InstallRecord(openDatabase(path.join(tempDir(), 'trust.db')));
    manager = new TrustManager({ stores: [store], elevator: counting, record });
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  async function serve(leafHost: string): Promise<number> {
    const leaf = makeLeaf(testCa, leafHost);
    const server = https.createServer({ key: leaf.key, cert: leaf.cert }, (_req, res) =>
      res.end('hello through our CA'),
    );
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as AddressInfo).port;
  }

  it('is not trusted before install', async () => {
    const status = await store.status(ca);
    expect(status.trusted).toBe(false);
    expect(status.others).toEqual([]);
  });

  it('install: one elevated run writes the anchor and rebuilds the bundle', async () => {
    const before = elevations;
    await manager.install(ca, [store]);
    expect(elevations - before).toBe(1);
    const anchors = fs.readdirSync(dirs.localcertsdir);
    expect(anchors).toEqual([`mem0-tray-${ca.sha256.slice(0, 16)}.crt`]);
    expect(fs.statSync(path.join(dirs.localcertsdir, anchors[0]!)).mode & 0o777).toBe(0o644);
    expect(fs.readFileSync(bundle, 'utf8')).toContain(ca.pem.trim().split('\n')[1]!);
    const status = await store.status(ca);
    expect(status.trusted).toBe(true);
    expect(record.storesHolding(ca.sha256)).toEqual(['linux-system']);
  });

  it('OpenSSL verifies an api.anthropic.com leaf with the generated bundle, and refuses example.com (name constraint)', () => {
    const good = makeLeaf(testCa, 'api.anthropic.com');
    const bad = makeLeaf(testCa, 'example.com');
    expect(opensslVerify(bundle, good.certFile)).toMatchObject({ ok: true });
    const refused = opensslVerify(bundle, bad.certFile);
    expect(refused.ok).toBe(false);
    expect(refused.output).toMatch(/permitted subtree violation/);
  });

  it('curl with the bundle talks TLS to api.anthropic.com served under our CA', async () => {
    const port = await serve('api.anthropic.com');
    const r = await curl([
      '--silent',
      '--show-error',
      '--cacert',
      bundle,
      '--resolve',
      `api.anthropic.com:${port}:127.0.0.1`,
      `https://api.anthropic.com:${port}/`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello through our CA');
    // And without our store, curl refuses: the bundle is what made the difference.
    const empty = path.join(tempDir(), 'empty.pem');
    fs.writeFileSync(empty, parseCaCert(makeCa().pem).pem);
    const refused = await curl([
      '--silent',
      '--cacert',
      empty,
      '--resolve',
      `api.anthropic.com:${port}:127.0.0.1`,
      `https://api.anthropic.com:${port}/`,
    ]);
    expect(refused.code).toBe(60);
  });

  it('curl and Node TLS refuse a leaf for another host under our CA', async () => {
    const port = await serve('example.com');
    const r = await curl([
      '--silent',
      '--cacert',
      bundle,
      '--resolve',
      `example.com:${port}:127.0.0.1`,
      `https://example.com:${port}/`,
    ]);
    expect(r.code).toBe(60);
    const nodeError = await new Promise<Error | null>((resolve) => {
      const socket = tls.connect(
        { host: '127.0.0.1', port, servername: 'example.com', ca: fs.readFileSync(bundle) },
        () => {
          socket.end();
          resolve(null);
        },
      );
      socket.on('error', resolve);
    });
    expect(nodeError?.message).toMatch(/permitted subtree violation/);
  });

  it('Node TLS accepts api.anthropic.com with the bundle', async () => {
    const port = await serve('api.anthropic.com');
    const authorized = await new Promise<boolean>((resolve, reject) => {
      const socket = tls.connect(
        { host: '127.0.0.1', port, servername: 'api.anthropic.com', ca: fs.readFileSync(bundle) },
        () => {
          resolve(socket.authorized);
          socket.end();
        },
      );
      socket.on('error', reject);
    });
    expect(authorized).toBe(true);
  });

  it('regenerating replaces the old CA with the new one in the store that held it, in one elevated run', async () => {
    const newTestCa = makeCa('/CN=Mem0 Tray CA 2/O=Mem0 Tray');
    const before = elevations;
    const { ca: fresh, reports } = await manager.regenerate(ca, async () => ({
      ca: parseCaCert(newTestCa.pem),
      commit: async () => {},
    }));
    expect(elevations - before).toBe(1);
    expect(reports).toEqual([{ storeId: 'linux-system', installed: true, removed: 1 }]);
    expect(fs.readdirSync(dirs.localcertsdir)).toEqual([`mem0-tray-${fresh.sha256.slice(0, 16)}.crt`]);
    const certs = fs.readFileSync(bundle, 'utf8');
    expect(certs).toContain(fresh.pem.trim().split('\n')[1]!);
    expect(certs).not.toContain(ca.pem.trim().split('\n')[1]!);
    expect(opensslVerify(bundle, makeLeaf(newTestCa, 'api.anthropic.com').certFile).ok).toBe(true);
    expect(opensslVerify(bundle, makeLeaf(testCa, 'api.anthropic.com').certFile).ok).toBe(false);
    expect(record.storesHolding(ca.sha256)).toEqual([]);
    expect(record.storesHolding(fresh.sha256)).toEqual(['linux-system']);
    // The old CA put back by hand is listed as an earlier CA of this app, removable.
    await store.install(ca);
    const status = await store.status(fresh);
    expect(status.trusted).toBe(true);
    expect(status.others.map((o) => o.sha256)).toEqual([ca.sha256]);
  });

  it('uninstall --all leaves no trace: no anchor, nothing in the bundle, no symlink in the certs dir', async () => {
    const reports = await manager.uninstallAll();
    expect(reports).toEqual([{ storeId: 'linux-system', installed: false, removed: 2 }]);
    expect(fs.readdirSync(dirs.localcertsdir)).toEqual([]);
    // Only the distribution's root is left, in the bundle and as links in the certs directory.
    expect(fs.readFileSync(bundle, 'utf8')).toBe(distroRoot);
    const links = fs.readdirSync(dirs.etccertsdir).filter((f) => f !== 'ca-certificates.crt');
    expect(links.filter((f) => f.includes('mem0-tray'))).toEqual([]);
    for (const link of links)
      expect(fs.realpathSync(path.join(dirs.etccertsdir, link))).toContain(path.join('distro', 'root.crt'));
    expect(record.active()).toEqual([]);
    // Nothing left to remove: no prompt at all.
    const before = elevations;
    expect(await manager.uninstallAll()).toEqual([{ storeId: 'linux-system', installed: false, removed: 0 }]);
    expect(elevations).toBe(before);
  });
});

describe.skipIf(!canRun || !toolAvailable('certutil', ['-H']))(
  'one action touching system and user stores',
  () => {
    it('a cancelled prompt changes nothing, not even the per-user store', async () => {
      const ca = parseCaCert(makeCa().pem);
      const { dirs } = throwawayDebianStore();
      const cancelled: Elevator = {
        kind: 'sudo-prompt',
        run: () =>
          Promise.reject(
            new UserError('access_denied', 'The administrator prompt was cancelled; nothing was changed.'),
          ),
      };
      const system = new LinuxAnchorStore({
        layout: debianLayout(dirs),
        elevator: cancelled,
        toolExists: () => true,
      });
      const nssDir = tempDir('mem0-tray-nss-');
      const user = new NssDbStore({
        id: 'nss-user',
        label: 'NSS',
        dir: nssDir,
        runner: execFileRunner(),
        createIfMissing: true,
      });
      const manager = new TrustManager({ stores: [system, user], elevator: cancelled });
      await expect(manager.install(ca, [user, system])).rejects.toThrow(
        'The administrator prompt was cancelled; nothing was changed.',
      );
      expect(fs.readdirSync(dirs.localcertsdir)).toEqual([]);
      expect(fs.existsSync(path.join(nssDir, 'cert9.db'))).toBe(false);
    });
  },
);
