// A temporary NSS database with the real certutil: add our CA, validate a leaf with `certutil -V`,
// see the name constraint refuse another host, list earlier CAs, remove. Firefox profiles are found
// from profiles.ini in a throwaway HOME.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateCa } from '../../../main/core/certs/ca.js';
import { LeafIssuer } from '../../../main/core/certs/leaf-certs.js';
import { parseCaCert } from '../../../main/core/certs/trust/ca-cert.js';
import { execFileRunner } from '../../../main/core/certs/trust/command-runner.js';
import { directElevator } from '../../../main/core/certs/trust/elevation.js';
import { NssDbStore, nssNickname } from '../../../main/core/certs/trust/nss-db.js';
import { createPlatformStores } from '../../../main/core/certs/trust/platform-stores.js';
import { TrustManager } from '../../../main/core/certs/trust/trust-manager.js';
import { dataPaths } from '../../../main/core/config/paths.js';
import { silentLogger } from '../../../main/core/log.js';
import { tempDir } from '../../support/tmp.js';
import { makeCa, makeLeaf, toolAvailable, type TestCa } from './pki.js';

const canRun = toolAvailable('certutil', ['-H']) && toolAvailable('openssl', ['version']);

/** certutil -V -u V (SSL server) of a leaf imported under a nickname; returns certutil's verdict. */
function validate(dir: string, testCa: TestCa, host: string): { ok: boolean; output: string } {
  return validateLeaf(dir, makeLeaf(testCa, host));
}

function validateLeaf(dir: string, leaf: { certFile: string }): { ok: boolean; output: string } {
  const nick = `leaf ${path.basename(leaf.certFile)}`;
  execFileSync('certutil', ['-A', '-d', `sql:${dir}`, '-t', ',,', '-n', nick, '-i', leaf.certFile]);
  try {
    const out = execFileSync('certutil', ['-V', '-u', 'V', '-d', `sql:${dir}`, '-n', nick], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { ok: true, output: out };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  } finally {
    execFileSync('certutil', ['-D', '-d', `sql:${dir}`, '-n', nick]);
  }
}

/** An NSS database we may create, as the user's own store is set up. */
function userStore(dir: string): NssDbStore {
  return new NssDbStore({
    id: 'nss-user',
    label: 'NSS',
    dir,
    runner: execFileRunner(),
    createIfMissing: true,
  });
}

describe.skipIf(!canRun)('NSS database with the real certutil', () => {
  it('install, validate a leaf, name constraint, earlier CAs, remove', async () => {
    const dir = path.join(tempDir('mem0-tray-nss-'), 'nss db with space');
    const store = userStore(dir);
    const oldTestCa = makeCa('/CN=Mem0 Tray CA old/O=Mem0 Tray');
    const testCa = makeCa();
    const old = parseCaCert(oldTestCa.pem);
    const ca = parseCaCert(testCa.pem);

    expect((await store.available()).ok).toBe(true);
    expect(await store.status(ca)).toMatchObject({ trusted: false, others: [] });

    await store.install(old);
    await store.install(ca);
    const listed = execFileSync('certutil', ['-L', '-d', `sql:${dir}`], { encoding: 'utf8' });
    expect(listed).toMatch(new RegExp(`${nssNickname(ca)}\\s+C,,`));

    const status = await store.status(ca);
    expect(status.trusted).toBe(true);
    expect(status.others).toEqual([expect.objectContaining({ sha256: old.sha256, ref: nssNickname(old) })]);

    expect(validate(dir, testCa, 'api.anthropic.com')).toMatchObject({ ok: true });
    const refused = validate(dir, testCa, 'example.com');
    expect(refused.ok).toBe(false);
    expect(refused.output).toMatch(/not permitted to issue a certificate with this name/);

    expect(await store.remove({ certs: [old] })).toBe(1);
    expect(await store.status(ca)).toMatchObject({ trusted: true, others: [] });
    expect(await store.remove('all')).toBe(1);
    expect(await store.status(ca)).toMatchObject({ trusted: false, others: [] });
    // Without our CA the leaf is no longer trusted.
    expect(validate(dir, testCa, 'api.anthropic.com').output).toMatch(/issuer is not recognized/);
  });

  it('our own CA (the hand-built nameConstraints DER): NSS accepts its leaf for api.anthropic.com, refuses one for another host', async () => {
    const dir = tempDir('mem0-tray-nss-ours-');
    const ours = await loadOrCreateCa(dataPaths(tempDir('mem0-ca-')), ['api.anthropic.com'], silentLogger);
    const store = userStore(dir);
    await store.install(parseCaCert(ours.certPem));
    const issuer = new LeafIssuer(ours);
    const leafFile = async (host: string) => {
      const file = path.join(dir, `${host}.pem`);
      fs.writeFileSync(file, (await issuer.issue(host)).certPem);
      return { certFile: file };
    };
    expect(validateLeaf(dir, await leafFile('api.anthropic.com'))).toMatchObject({ ok: true });
    const refused = validateLeaf(dir, await leafFile('example.com'));
    expect(refused.ok).toBe(false);
    expect(refused.output).toMatch(/not permitted to issue a certificate with this name/);
  });

  it('does not touch a CA of someone else whose name merely looks similar', async () => {
    const dir = tempDir('mem0-tray-nss-');
    execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
    const foreign = makeCa('/CN=Not Mem0 Tray Really/O=Someone Else', false);
    execFileSync('certutil', [
      '-A',
      '-d',
      `sql:${dir}`,
      '-t',
      'C,,',
      '-n',
      'Mem0 Tray lookalike',
      '-i',
      foreign.certFile,
    ]);
    const store = new NssDbStore({
      id: 'x',
      label: 'x',
      dir,
      runner: execFileRunner(),
      createIfMissing: false,
    });
    expect(await store.remove('all')).toBe(0);
    expect(execFileSync('certutil', ['-L', '-d', `sql:${dir}`], { encoding: 'utf8' })).toContain(
      'Mem0 Tray lookalike',
    );
  });

  it('finds existing Firefox profiles from profiles.ini and installs into each, without creating databases', async () => {
    const home = tempDir('mem0-tray-home-');
    const root = path.join(home, '.mozilla', 'firefox');
    const withDb = path.join(root, 'abcd.default-release');
    const absolute = path.join(home, 'elsewhere', 'work profile');
    const withoutDb = path.join(root, 'empty.unused');
    for (const d of [withDb, absolute, withoutDb]) fs.mkdirSync(d, { recursive: true });
    execFileSync('certutil', ['-N', '-d', `sql:${withDb}`, '--empty-password']);
    execFileSync('certutil', ['-N', '-d', `sql:${absolute}`, '--empty-password']);
    fs.writeFileSync(
      path.join(root, 'profiles.ini'),
      [
        '[Install4F96D1932A9F858E]',
        'Default=abcd.default-release',
        '',
        '[Profile0]',
        'Name=default-release',
        'IsRelative=1',
        'Path=abcd.default-release',
        'Default=1',
        '',
        '[Profile1]',
        'Name=Work',
        'IsRelative=0',
        `Path=${absolute}`,
        '',
        '[Profile2]',
        'Name=unused',
        'IsRelative=1',
        'Path=empty.unused',
        '',
        '[General]',
        'StartWithLastProfile=1',
        'Version=2',
        '',
      ].join('\n'),
    );
    const runner = execFileRunner();
    const stores = createPlatformStores({
      platform: 'linux',
      home,
      runner,
      elevator: directElevator(runner),
      linuxFamily: null,
    });
    expect(stores.map((s) => s.id)).toEqual([
      'nss-user',
      'firefox-default-release',
      'firefox-work',
      'environment',
    ]);

    const ca = parseCaCert(makeCa().pem);
    const manager = new TrustManager({ stores, elevator: directElevator(runner) });
    const userStores = await manager.storesForScope('user');
    expect(userStores.map((s) => s.id)).toEqual(['nss-user', 'firefox-default-release', 'firefox-work']);
    await manager.install(ca, userStores);
    for (const status of await manager.status(ca)) expect(status.trusted).toBe(true);
    expect(fs.existsSync(path.join(home, '.pki', 'nssdb', 'cert9.db'))).toBe(true);
    expect(fs.existsSync(path.join(withoutDb, 'cert9.db'))).toBe(false);

    const reports = await manager.uninstallAll();
    expect(reports.filter((r) => r.removed > 0).map((r) => r.storeId)).toEqual([
      'nss-user',
      'firefox-default-release',
      'firefox-work',
    ]);
    for (const status of await manager.status(ca))
      if (status.id !== 'environment') expect(status.trusted).toBe(false);
  });
});
