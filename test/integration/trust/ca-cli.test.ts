// `mem0-tray ca …` end to end over real parts: a data directory with a CA, a real SQLite record,
// the real certutil on a temporary NSS database, the real update-ca-certificates on a throwaway
// Debian store (the "system" scope), and the environment route.
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCaCommands } from '../../../main/cli/ca.js';
import type { CliEnv } from '../../../main/cli/env.js';
import { parseCaCert } from '../../../main/core/certs/trust/ca-cert.js';
import { execFileRunner } from '../../../main/core/certs/trust/command-runner.js';
import { directElevator } from '../../../main/core/certs/trust/elevation.js';
import { EnvironmentRoute } from '../../../main/core/certs/trust/environment-route.js';
import { LinuxAnchorStore, debianLayout } from '../../../main/core/certs/trust/linux-anchors.js';
import { NssDbStore } from '../../../main/core/certs/trust/nss-db.js';
import { TrustService, type TrustOverview } from '../../../main/core/certs/trust/trust-service.js';
import { dataPaths } from '../../../main/core/config/paths.js';
import { openDatabase, type Db } from '../../../main/core/db/database.js';
import { UserError } from '../../../main/core/errors.js';
import { writeRuntimeFile } from '../../../main/core/runtime-file.js';
import { tempDir } from '../../support/tmp.js';
import { makeCa, makeLeaf, opensslVerify, toolAvailable } from './pki.js';

const canRun = toolAvailable('update-ca-certificates', ['--help']) && toolAvailable('certutil', ['-H']);

describe.skipIf(!canRun)('mem0-tray ca', () => {
  const dataDir = tempDir('mem0-tray-data-');
  const paths = dataPaths(dataDir);
  const root = tempDir('mem0-tray-stores-');
  const dirs = {
    certsconf: path.join(root, 'conf'),
    certsdir: path.join(root, 'share'),
    localcertsdir: path.join(root, 'local'),
    etccertsdir: path.join(root, 'etc'),
    hooksdir: path.join(root, 'hooks'),
  };
  const nssDir = path.join(root, 'nssdb');
  let db: Db;
  let out: string[] = [];

  beforeAll(() => {
    for (const d of [dirs.certsdir, dirs.localcertsdir, dirs.etccertsdir, dirs.hooksdir, paths.caDir])
      fs.mkdirSync(d, { recursive: true });
    fs.mkdirSync(path.join(dirs.certsdir, 'distro'));
    fs.writeFileSync(path.join(dirs.certsdir, 'distro', 'root.crt'), makeCa('/CN=Distro Root', false).pem);
    fs.writeFileSync(dirs.certsconf, 'distro/root.crt\n');
    fs.copyFileSync(makeCa().certFile, paths.caCert);
    db = openDatabase(paths.database);
  });

  function cli(): CliEnv {
    return {
      env: {},
      paths: () => paths,
      privatePaths: () => paths,
      settings: () => {
        throw new Error('not used');
      },
      db: () => db,
      out: (t) => out.push(t),
      err: (t) => out.push(t),
      readStdin: async () => '',
      close: () => {},
    };
  }

  /** The trust service the CLI gets; `certutil` points the NSS store at another binary. */
  function service(options: { certutil?: string } = {}): TrustService {
    const runner = execFileRunner();
    const elevator = directElevator(runner);
    return new TrustService({
      paths,
      db,
      elevator,
      runner,
      stores: [
        new NssDbStore({
          id: 'nss-user',
          label: 'NSS user database',
          dir: nssDir,
          runner,
          certutil: options.certutil,
          createIfMissing: true,
        }),
        new LinuxAnchorStore({ layout: debianLayout(dirs), elevator, toolExists: () => true }),
        new EnvironmentRoute(),
      ],
      stageCa: async () => {
        const fresh = makeCa('/CN=Mem0 Tray CA/O=Mem0 Tray');
        return { pem: fresh.pem, commit: async () => fs.copyFileSync(fresh.certFile, paths.caCert) };
      },
    });
  }

  async function run(...args: string[]): Promise<string> {
    return runWith(service, ...args);
  }

  async function runWith(trust: () => TrustService, ...args: string[]): Promise<string> {
    out = [];
    const program = new Command('mem0-tray').exitOverride();
    registerCaCommands(program, cli(), { trust });
    await program.parseAsync(['node', 'mem0-tray', ...args]);
    return out.join('\n');
  }

  async function status(): Promise<TrustOverview> {
    return JSON.parse(await run('ca', 'status', '--json')) as TrustOverview;
  }

  const trusted = (o: TrustOverview) => Object.fromEntries(o.stores.map((s) => [s.id, s.trusted]));

  it('status before anything: the CA, nothing trusted, the environment route needs no install', async () => {
    const text = await run('ca', 'status');
    expect(text).toContain(`CA: ${paths.caCert}`);
    expect(text).toMatch(/nss-user\s+not trusted/);
    expect(text).toMatch(/linux-system\s+not trusted\s+.*\[administrator\]/);
    expect(text).toMatch(/environment\s+no install needed/);
    const o = await status();
    expect(o.fingerprint).toBe(
      parseCaCert(fs.readFileSync(paths.caCert, 'utf8')).sha256.toUpperCase().match(/../g)!.join(':'),
    );
    expect(trusted(o)).toEqual({ 'nss-user': false, 'linux-system': false, environment: true });
  });

  it('install (user scope by default) then --scope system', async () => {
    expect(await run('ca', 'install')).toContain('NSS user database: installed the CA.');
    expect(trusted(await status())).toEqual({ 'nss-user': true, 'linux-system': false, environment: true });
    expect(await run('ca', 'install', '--scope', 'system')).toContain('installed the CA');
    expect(trusted(await status())).toEqual({ 'nss-user': true, 'linux-system': true, environment: true });
  }, 60_000);

  it('regenerate: the new CA replaces the old one where the old one was trusted', async () => {
    const old = parseCaCert(fs.readFileSync(paths.caCert, 'utf8'));
    const text = await run('ca', 'regenerate');
    const fresh = parseCaCert(fs.readFileSync(paths.caCert, 'utf8'));
    expect(fresh.sha256).not.toBe(old.sha256);
    expect(text).toContain('New CA: ');
    const o = await status();
    expect(trusted(o)).toEqual({ 'nss-user': true, 'linux-system': true, environment: true });
    for (const s of o.stores) expect(s.others).toEqual([]);
    const bundle = path.join(dirs.etccertsdir, 'ca-certificates.crt');
    expect(fs.readFileSync(bundle, 'utf8')).not.toContain(old.pem.split('\n')[1]!);
  });

  it('status names a command that removes only an earlier CA, and that command keeps the current one', async () => {
    const earlier = parseCaCert(makeCa('/CN=Mem0 Tray CA old/O=Mem0 Tray').pem);
    const nss = service().manager.store('nss-user');
    await nss.install(earlier);
    const text = await run('ca', 'status');
    const hint = `mem0-tray ca uninstall --store nss-user --fingerprint ${earlier.sha256}`;
    expect(text).toContain(`remove only it with "${hint}"`);
    await run(...hint.split(' ').slice(1));
    const o = await status();
    expect(trusted(o)).toEqual({ 'nss-user': true, 'linux-system': true, environment: true });
    expect(o.stores.find((s) => s.id === 'nss-user')!.others).toEqual([]);
  });

  it('regenerate is refused while a core runs on the data directory (it would keep the old CA)', async () => {
    const before = fs.readFileSync(paths.caCert, 'utf8');
    writeRuntimeFile(paths.runtime, {
      pid: process.ppid,
      proxyPort: 1,
      gatewayPort: 2,
      apiPort: 3,
      uiUrl: null,
      caPath: paths.caCert,
    });
    try {
      await expect(run('ca', 'regenerate')).rejects.toThrow(/is running .*Certificates page/);
    } finally {
      fs.rmSync(paths.runtime);
    }
    expect(fs.readFileSync(paths.caCert, 'utf8')).toBe(before);
  });

  it('uninstall --all without certutil: the other stores are cleaned, the NSS database is reported', async () => {
    const noCertutil = service({ certutil: path.join(root, 'no-such-certutil') });
    const text = await runWith(() => noCertutil, 'ca', 'uninstall', '--all');
    expect(text).toMatch(/NSS user database: skipped: NSS certutil is missing.*our record says/);
    expect(text).toMatch(/removed 1 CA of Mem0 Tray/);
    expect(fs.readdirSync(dirs.localcertsdir)).toEqual([]);
    // With certutil back, the NSS database still holds it: nothing was lost track of.
    expect(trusted(await status())).toEqual({ 'nss-user': true, 'linux-system': false, environment: true });
    await run('ca', 'install', '--scope', 'system');
  }, 60_000);

  it('uninstall needs --store or --all', async () => {
    const err = await run('ca', 'uninstall').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
  });

  it('unknown store is a usage error listing the stores', async () => {
    await expect(run('ca', 'install', '--store', 'nope')).rejects.toThrow(
      /Stores here: nss-user, linux-system, environment/,
    );
  });

  it('uninstall --all leaves no trace in any store nor in the record', async () => {
    const text = await run('ca', 'uninstall', '--all');
    expect(text).toContain('removed 1 CA of Mem0 Tray');
    const o = await status();
    expect(trusted(o)).toEqual({ 'nss-user': false, 'linux-system': false, environment: true });
    expect(fs.readdirSync(dirs.localcertsdir)).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM trust_installs WHERE removed_at IS NULL').get()).toEqual({
      n: 0,
    });
    expect(await run('ca', 'uninstall', '--all')).toContain('Nothing of Mem0 Tray was found');
  });

  it('the system store really is what OpenSSL uses: verify before and after', async () => {
    const testCa = makeCa();
    fs.copyFileSync(testCa.certFile, paths.caCert);
    await run('ca', 'install', '--store', 'linux-system');
    const bundle = path.join(dirs.etccertsdir, 'ca-certificates.crt');
    const leaf = makeLeaf(testCa, 'api.anthropic.com');
    expect(opensslVerify(bundle, leaf.certFile).ok).toBe(true);
    await run('ca', 'uninstall', '--store', 'linux-system');
    expect(opensslVerify(bundle, leaf.certFile).ok).toBe(false);
  });
});
