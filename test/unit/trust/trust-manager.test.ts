// TrustManager and TrustService over in-memory stores (one per-user, one behind the administrator
// prompt): a cancelled `ca regenerate` changes nothing, not even the CA on disk; a failing per-user
// store is rolled back; after an automatic CA change the per-user stores follow and the administrator
// store is reported; `uninstall --all` goes on past a store whose tool is missing.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitCa, createCaCertificate, stageCa } from '../../../main/core/certs/ca.js';
import { parseCaCert, type CaCert } from '../../../main/core/certs/trust/ca-cert.js';
import {
  CANCELLED_MESSAGE,
  sudoPromptElevator,
  type ElevatedStep,
  type Elevator,
  type SudoPromptExec,
} from '../../../main/core/certs/trust/elevation.js';
import { InstallRecord } from '../../../main/core/certs/trust/install-record.js';
import { foundFromCert, statusFromFound } from '../../../main/core/certs/trust/store-status.js';
import { TrustManager } from '../../../main/core/certs/trust/trust-manager.js';
import { TrustService } from '../../../main/core/certs/trust/trust-service.js';
import {
  matchesTarget,
  type Availability,
  type PrivilegedTrustStore,
  type RemoveTarget,
  type StoreStatus,
  type TrustScope,
  type TrustStore,
} from '../../../main/core/certs/trust/types.js';
import { dataPaths } from '../../../main/core/config/paths.js';
import { openDatabase } from '../../../main/core/db/database.js';
import { silentLogger } from '../../../main/core/log.js';
import { tempDir } from '../../support/tmp.js';

/** A per-user store: certificates in a list. */
class MemoryStore implements TrustStore {
  readonly privileged: boolean = false;
  certs: CaCert[] = [];
  /** The next install fails (once), after the store may already have removed something. */
  failNextInstall = false;
  availability: Availability = { ok: true };
  constructor(
    readonly id: string,
    readonly label = id,
    readonly scope: TrustScope = 'user',
  ) {}
  available(): Promise<Availability> {
    return Promise.resolve(this.availability);
  }
  status(ca: CaCert | null): Promise<StoreStatus> {
    if (!this.availability.ok) throw new Error('status of an unavailable store');
    return Promise.resolve(
      statusFromFound(
        this,
        ca,
        this.certs.map((c) => foundFromCert(c, null)),
      ),
    );
  }
  install(ca: CaCert): Promise<void> {
    if (this.failNextInstall) {
      this.failNextInstall = false;
      return Promise.reject(new Error('disk full'));
    }
    this.certs.push(ca);
    return Promise.resolve();
  }
  remove(target: RemoveTarget): Promise<number> {
    if (!this.availability.ok) return Promise.reject(new Error('certutil: command not found'));
    const before = this.certs.length;
    this.certs = this.certs.filter((c) => !matchesTarget(foundFromCert(c, null), target));
    return Promise.resolve(before - this.certs.length);
  }
  has(ca: CaCert): boolean {
    return this.certs.some((c) => c.sha256 === ca.sha256);
  }
}

/** A system store: changes only happen when the elevated plan runs (see `elevatorFor`). */
class MemorySystemStore extends MemoryStore implements PrivilegedTrustStore {
  override readonly privileged = true as const;
  pending: Array<() => void> = [];
  constructor(id: string) {
    super(id, id, 'system');
  }
  override install(): Promise<void> {
    return Promise.reject(new Error('a system store is changed only through the elevator'));
  }
  planInstall(ca: CaCert): Promise<ElevatedStep[]> {
    this.pending.push(() => this.certs.push(ca));
    return Promise.resolve([{ kind: 'run', argv: ['install', ca.sha256] }]);
  }
  planRemove(target: RemoveTarget): Promise<ElevatedStep[]> {
    this.pending.push(() => {
      this.certs = this.certs.filter((c) => !matchesTarget(foundFromCert(c, null), target));
    });
    return Promise.resolve([{ kind: 'run', argv: ['remove'] }]);
  }
  countRemovable(target: RemoveTarget): Promise<number> {
    return Promise.resolve(this.certs.filter((c) => matchesTarget(foundFromCert(c, null), target)).length);
  }
}

/** The real sudo-prompt elevator, its dialog answered by `answer` (an Error = what sudo-prompt says). */
function elevatorFor(
  system: MemorySystemStore,
  answer: () => Error | undefined,
): Elevator & { runs: number } {
  const exec: SudoPromptExec = (_command, _options, callback) => {
    const error = answer();
    const pending = system.pending;
    system.pending = [];
    if (!error) for (const apply of pending) apply();
    callback(error, error ? '' : 'MEM0_TRAY_ELEVATED\n', '');
  };
  const inner = sudoPromptElevator('linux', exec);
  const counted = {
    kind: inner.kind,
    runs: 0,
    run: (plan: Parameters<Elevator['run']>[0]) => {
      counted.runs++;
      return inner.run(plan);
    },
  };
  return counted;
}

const cancel = () => new Error('User did not grant permission.');

async function testCa(day: string): Promise<CaCert> {
  const { certPem } = await createCaCertificate(['api.anthropic.com'], new Date(`${day}T00:00:00Z`));
  return parseCaCert(certPem);
}

function setup(answer: () => Error | undefined = () => undefined) {
  const dir = tempDir('mem0-trust-');
  const paths = dataPaths(dir);
  const db = openDatabase(path.join(dir, 'test.db'));
  const user = new MemoryStore('nss-user', 'NSS user database');
  const system = new MemorySystemStore('linux-system');
  const elevator = elevatorFor(system, answer);
  const service = new TrustService({
    paths,
    db,
    elevator,
    stores: [user, system],
    stageCa: async () => {
      const staged = await stageCa(['api.anthropic.com']);
      return { pem: staged.certPem, commit: async () => void commitCa(paths, staged, silentLogger) };
    },
  });
  const record = new InstallRecord(db);
  return { paths, db, user, system, elevator, service, record };
}

describe('ca regenerate is staged', () => {
  it('a cancelled prompt leaves everything as it was: the CA on disk, and both stores', async () => {
    let answer: Error | undefined;
    const t = setup(() => answer);
    commitCa(t.paths, await stageCa(['api.anthropic.com']), silentLogger);
    const before = fs.readFileSync(t.paths.caCert, 'utf8');
    const old = parseCaCert(before);
    await t.service.install(['nss-user', 'linux-system']);
    expect(t.user.has(old) && t.system.has(old)).toBe(true);

    answer = cancel();
    await expect(t.service.regenerate()).rejects.toThrow(CANCELLED_MESSAGE);
    expect(t.elevator.runs).toBe(2);
    expect(fs.readFileSync(t.paths.caCert, 'utf8')).toBe(before);
    expect(t.user.certs.map((c) => c.sha256)).toEqual([old.sha256]);
    expect(t.system.certs.map((c) => c.sha256)).toEqual([old.sha256]);
    expect((await t.service.status()).stores.map((s) => s.trusted)).toEqual([true, true]);

    // Asked again and accepted: the new CA is written only now, and replaces the old one in both.
    answer = undefined;
    const { fingerprint } = await t.service.regenerate();
    const fresh = parseCaCert(fs.readFileSync(t.paths.caCert, 'utf8'));
    expect(fresh.sha256).not.toBe(old.sha256);
    expect(fingerprint.replace(/:/g, '').toLowerCase()).toBe(fresh.sha256);
    expect(t.user.certs.map((c) => c.sha256)).toEqual([fresh.sha256]);
    expect(t.system.certs.map((c) => c.sha256)).toEqual([fresh.sha256]);
  });

  it('a per-user store that fails is put back and the CA is not committed (no administrator store)', async () => {
    const old = await testCa('2025-01-01');
    const fresh = await testCa('2025-06-01');
    const a = new MemoryStore('a');
    const b = new MemoryStore('b');
    a.certs = [old];
    b.certs = [old];
    const manager = new TrustManager({
      stores: [a, b],
      elevator: elevatorFor(new MemorySystemStore('x'), () => undefined),
    });
    b.failNextInstall = true;
    let committed = false;
    await expect(
      manager.regenerate(old, async () => ({ ca: fresh, commit: async () => void (committed = true) })),
    ).rejects.toThrow('disk full');
    expect(committed).toBe(false);
    expect(a.certs.map((c) => c.sha256)).toEqual([old.sha256]);
    expect(b.certs.map((c) => c.sha256)).toEqual([old.sha256]);
  });
});

describe('after an automatic CA change', () => {
  it('per-user stores that held the earlier CA trust the new one; the administrator store is reported', async () => {
    const t = setup();
    commitCa(t.paths, await stageCa(['api.anthropic.com']), silentLogger);
    const old = t.service.currentCa()!;
    await t.service.install(['nss-user', 'linux-system']);
    const runs = t.elevator.runs;
    // Capture replaced the CA by itself (hosts changed / near expiry): straight to the files.
    commitCa(t.paths, await stageCa(['api.anthropic.com', 'example.test']), silentLogger, 'hosts_changed');
    const current = t.service.currentCa()!;
    const stale = await t.service.status();
    expect(stale.stores.map((s) => s.trusted)).toEqual([false, false]);
    expect(stale.notice).toMatch(/NSS user database, linux-system trust only an earlier CA/);

    const result = await t.service.reconcile();
    expect(result).toEqual({
      replaced: [{ storeId: 'nss-user', installed: true, removed: 1 }],
      needsAdmin: ['linux-system'],
    });
    expect(t.elevator.runs).toBe(runs); // no prompt nobody asked for
    expect(t.user.certs.map((c) => c.sha256)).toEqual([current.sha256]);
    expect(t.system.certs.map((c) => c.sha256)).toEqual([old.sha256]);
    const after = await t.service.status();
    expect(after.stores.map((s) => s.trusted)).toEqual([true, false]);
    expect(after.notice).toBe(
      'linux-system trusts only an earlier CA of Mem0 Tray, not the current one: proxy clients that rely on it fail. Install the current CA there (Install, or "mem0-tray ca install --store linux-system"; administrator stores ask for your password), then remove the earlier CA.',
    );
    // Nothing to do a second time.
    expect(await t.service.reconcile()).toEqual({ replaced: [], needsAdmin: ['linux-system'] });
  });

  it('leaves alone an earlier CA this data directory never installed there', async () => {
    const t = setup();
    commitCa(t.paths, await stageCa(['api.anthropic.com']), silentLogger);
    t.user.certs = [await testCa('2024-03-03')]; // another profile's, say
    expect(await t.service.reconcile()).toEqual({ replaced: [], needsAdmin: [] });
    expect(t.user.certs).toHaveLength(1);
  });
});

describe('uninstall --all', () => {
  it('goes on past a store whose tool is missing, and says what is left there', async () => {
    const t = setup();
    commitCa(t.paths, await stageCa(['api.anthropic.com']), silentLogger);
    await t.service.install(['nss-user', 'linux-system']);
    t.user.availability = { ok: false, reason: 'certutil is missing: apt install libnss3-tools' };
    const reports = await t.service.uninstall('all');
    expect(reports).toEqual([
      {
        storeId: 'nss-user',
        installed: false,
        removed: 0,
        skipped:
          'certutil is missing: apt install libnss3-tools (our record says a CA of Mem0 Tray was installed here)',
      },
      { storeId: 'linux-system', installed: false, removed: 1 },
    ]);
    expect(t.system.certs).toEqual([]);
    expect(t.record.active().map((r) => r.storeId)).toEqual(['nss-user']);
  });

  it('a store that fails is reported and the others are still cleaned', async () => {
    const ca = await testCa('2025-01-01');
    const broken = new MemoryStore('broken');
    const fine = new MemoryStore('fine');
    broken.certs = [ca];
    fine.certs = [ca];
    broken.remove = () => Promise.reject(new Error('database is locked'));
    const manager = new TrustManager({
      stores: [broken, fine],
      elevator: elevatorFor(new MemorySystemStore('x'), () => undefined),
    });
    expect(await manager.uninstallAll()).toEqual([
      { storeId: 'broken', installed: false, removed: 0, skipped: 'database is locked', failed: true },
      { storeId: 'fine', installed: false, removed: 1 },
    ]);
    expect(fine.certs).toEqual([]);
  });
});
