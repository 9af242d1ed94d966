// The trust stores' status is read once for many askers, and again after a change through the
// service, for another CA, or after the time bound; a failed or outdated read is not kept.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commitCa, stageCa } from '../../../main/core/certs/ca.js';
import { StatusCache } from '../../../main/core/certs/trust/status-cache.js';
import { TrustService } from '../../../main/core/certs/trust/trust-service.js';
import { dataPaths } from '../../../main/core/config/paths.js';
import { silentLogger } from '../../../main/core/log.js';
import { tempDir } from '../../support/tmp.js';
import { CountingStore } from './counting-store.js';

const MAX_AGE_MS = 60_000;

async function setup() {
  const paths = dataPaths(tempDir('mem0-trust-cache-'));
  commitCa(paths, await stageCa(['api.anthropic.com']), silentLogger);
  const store = new CountingStore();
  const service = new TrustService({ paths, db: null, stores: [store], statusMaxAgeMs: MAX_AGE_MS });
  return { paths, store, service };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TrustService status cache', () => {
  it('reads the stores once for many askers, also for askers during the read', async () => {
    const t = await setup();
    const answers = await Promise.all([t.service.status(), t.service.status(), t.service.status()]);
    await t.service.status();
    expect(t.store.reads).toBe(1);
    expect(answers.every((a) => a.stores[0]!.trusted === false)).toBe(true);
  });

  it('reads again after an install or removal through the service', async () => {
    const t = await setup();
    await t.service.status();
    await t.service.install(['nss-user']);
    expect((await t.service.status()).stores[0]!.trusted).toBe(true);
    expect(t.store.reads).toBe(2);
    await t.service.uninstall(['nss-user']);
    expect((await t.service.status()).stores[0]!.trusted).toBe(false);
    expect(t.store.reads).toBe(3);
  });

  it('reads again when the CA on disk is another one', async () => {
    const t = await setup();
    const before = await t.service.status();
    commitCa(t.paths, await stageCa(['api.anthropic.com', 'example.test']), silentLogger, 'hosts_changed');
    const after = await t.service.status();
    expect(after.fingerprint).not.toBe(before.fingerprint);
    expect(t.store.reads).toBe(2);
  });

  it('reads again once the answer is older than the bound, for changes made elsewhere', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t = await setup();
    await t.service.status();
    const ca = t.service.currentCa()!;
    t.store.certs.push(ca); // as `certutil -A` in a terminal would
    vi.advanceTimersByTime(MAX_AGE_MS - 1);
    expect((await t.service.status()).stores[0]!.trusted).toBe(false);
    vi.advanceTimersByTime(1);
    expect((await t.service.status()).stores[0]!.trusted).toBe(true);
    expect(t.store.reads).toBe(2);
  });

  it('reads every time when no bound is given (the CLI)', async () => {
    const t = await setup();
    const fresh = new TrustService({ paths: t.paths, db: null, stores: [t.store] });
    await fresh.status();
    await fresh.status();
    expect(t.store.reads).toBe(2);
  });
});

describe('StatusCache', () => {
  it('does not keep a probe that failed', async () => {
    const cache = new StatusCache<number>(MAX_AGE_MS);
    await expect(cache.get('ca', () => Promise.reject(new Error('spawn certutil ENOENT')))).rejects.toThrow(
      'ENOENT',
    );
    expect(await cache.get('ca', () => Promise.resolve(2))).toBe(2);
  });

  it('does not keep a probe that was running when a change invalidated it', async () => {
    const cache = new StatusCache<string>(MAX_AGE_MS);
    let finish: (v: string) => void = () => {};
    const before = cache.get('ca', () => new Promise((resolve) => (finish = resolve)));
    cache.invalidate();
    const after = cache.get('ca', () => Promise.resolve('after the install'));
    finish('before the install');
    expect(await before).toBe('before the install');
    expect(await after).toBe('after the install');
    expect(await cache.get('ca', () => Promise.resolve('unexpected read'))).toBe('after the install');
  });
});
