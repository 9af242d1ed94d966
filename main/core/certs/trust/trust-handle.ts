// What the trust feature offers: the Certificates page's calls (status, install in a store, remove
// from a store or from all, regenerate).
import type { ChangeReport } from './trust-manager.js';
import type { TrustOverview, TrustService } from './trust-service.js';

export interface TrustHandle {
  status(): Promise<TrustOverview>;
  install(storeId: string): Promise<void>;
  /** Every CA of this app from that store, or only the one with this fingerprint. */
  remove(storeId: string, fingerprint?: string): Promise<void>;
  /** Every CA of this app from every store (what "ca uninstall --all" does). */
  removeEverywhere(): Promise<ChangeReport[]>;
  regenerate(): Promise<void>;
  /** Done once the start-time reconcile has finished (tests). */
  readonly reconciled: Promise<void>;
  readonly service: TrustService;
}
