// A per-user trust store in memory that counts how often it is read: what a probe of the real
// stores (a certutil or security process each) would cost.
import type { CaCert } from '../../../main/core/certs/trust/ca-cert.js';
import { foundFromCert, statusFromFound } from '../../../main/core/certs/trust/store-status.js';
import {
  matchesTarget,
  type RemoveTarget,
  type StoreStatus,
  type TrustStore,
} from '../../../main/core/certs/trust/types.js';

export class CountingStore implements TrustStore {
  readonly label = 'NSS';
  readonly scope = 'user' as const;
  readonly privileged = false;
  certs: CaCert[] = [];
  reads = 0;
  /** The next read fails (once). */
  failNextRead = false;
  constructor(readonly id = 'nss-user') {}
  available() {
    return Promise.resolve({ ok: true });
  }
  status(ca: CaCert | null): Promise<StoreStatus> {
    this.reads++;
    if (this.failNextRead) {
      this.failNextRead = false;
      return Promise.reject(new Error('certutil: database locked'));
    }
    return Promise.resolve(
      statusFromFound(
        this,
        ca,
        this.certs.map((c) => foundFromCert(c, null)),
      ),
    );
  }
  install(ca: CaCert): Promise<void> {
    this.certs.push(ca);
    return Promise.resolve();
  }
  remove(target: RemoveTarget): Promise<number> {
    const before = this.certs.length;
    this.certs = this.certs.filter((c) => !matchesTarget(foundFromCert(c, null), target));
    return Promise.resolve(before - this.certs.length);
  }
}
