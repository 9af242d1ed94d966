// One place that changes trust for a user action: it runs the privileged part of the action first,
// in ONE elevated script (one prompt; if the prompt is cancelled nothing at all has changed), then
// the per-user stores, and records what went where. Status is per store, by fingerprint.
import { UserError, describeError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import type { CaCert } from './ca-cert.js';
import type { ElevatedStep, Elevator } from './elevation.js';
import type { InstallRecord } from './install-record.js';
import { isSameCert, unavailableStatus } from './store-status.js';
import {
  isPrivileged,
  type RemoveTarget,
  type StoreStatus,
  type TrustScope,
  type TrustStore,
} from './types.js';

export interface TrustChange {
  store: TrustStore;
  /** Removed first (so a regenerated CA replaces the old one). */
  remove?: RemoveTarget;
  install?: CaCert;
}

export interface ChangeReport {
  storeId: string;
  installed: boolean;
  removed: number;
}

export interface TrustManagerOptions {
  stores: TrustStore[];
  elevator: Elevator;
  record?: InstallRecord | null;
  log?: Logger;
}

export class TrustManager {
  readonly stores: TrustStore[];
  private readonly elevator: Elevator;
  private readonly record: InstallRecord | null;
  private readonly log: Logger;

  constructor(options: TrustManagerOptions) {
    this.stores = options.stores;
    this.elevator = options.elevator;
    this.record = options.record ?? null;
    this.log = options.log ?? silentLogger;
  }

  store(id: string): TrustStore {
    const store = this.stores.find((s) => s.id === id);
    if (!store) {
      throw new UserError(
        'usage',
        `Unknown trust store "${id}". Stores here: ${this.stores.map((s) => s.id).join(', ')}.`,
      );
    }
    return store;
  }

  /** Stores a scope means when the user names no store. */
  async storesForScope(scope: Exclude<TrustScope, 'environment'>): Promise<TrustStore[]> {
    const out: TrustStore[] = [];
    for (const s of this.stores) if (s.scope === scope && (await s.available()).ok) out.push(s);
    return out;
  }

  /** Every store's status; one failing store reports its error instead of hiding the others. */
  async status(ca: CaCert | null): Promise<StoreStatus[]> {
    return Promise.all(
      this.stores.map(async (store) => {
        const availability = await store.available();
        if (!availability.ok) return unavailableStatus(store, availability.reason);
        try {
          return await store.status(ca);
        } catch (err) {
          return { ...unavailableStatus(store, describeError(err)), available: true };
        }
      }),
    );
  }

  install(ca: CaCert, stores: TrustStore[]): Promise<ChangeReport[]> {
    return this.apply(
      stores.map((store) => ({ store, install: ca })),
      'install the CA',
    );
  }

  uninstall(stores: TrustStore[], target: RemoveTarget): Promise<ChangeReport[]> {
    return this.apply(
      stores.map((store) => ({ store, remove: target })),
      'remove the CA',
    );
  }

  /** Every CA of this app from every store, whether or not it is still in our record. */
  uninstallAll(): Promise<ChangeReport[]> {
    return this.uninstall(this.stores, 'all');
  }

  /**
   * Regeneration: the stores that trusted the old CA (found there, or in our record) get the new one
   * instead. makeNew() runs first; if it fails, nothing changes.
   */
  async regenerate(
    old: CaCert | null,
    makeNew: () => Promise<CaCert>,
  ): Promise<{ ca: CaCert; reports: ChangeReport[] }> {
    const holders: TrustStore[] = [];
    if (old) {
      const recorded = new Set(this.record?.storesHolding(old.sha256) ?? []);
      for (const status of await this.status(old)) {
        if (status.id === 'environment' || !status.available) continue;
        if (status.trusted || recorded.has(status.id)) holders.push(this.store(status.id));
      }
    }
    const ca = await makeNew();
    if (old && isSameCert({ sha256: ca.sha256, sha1: ca.sha1, serial: null, subject: '', ref: null }, old)) {
      return { ca, reports: [] };
    }
    try {
      const reports = await this.apply(
        holders.map((store) => ({ store, remove: { certs: old ? [old] : [] }, install: ca })),
        'replace the CA',
      );
      return { ca, reports };
    } catch (err) {
      if (err instanceof UserError && holders.length > 0) {
        throw new UserError(
          err.code,
          `The CA was regenerated, but the trust stores were not updated (${err.message}) Run "mem0-tray ca install" for: ${holders.map((s) => s.id).join(', ')}.`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  async apply(changes: TrustChange[], action: string): Promise<ChangeReport[]> {
    const reports: ChangeReport[] = [];
    const privileged = changes.filter((c) => isPrivileged(c.store));
    const plain = changes.filter((c) => !isPrivileged(c.store));

    // Privileged first: a cancelled prompt then means truly nothing was changed.
    const steps: ElevatedStep[] = [];
    const counts = new Map<string, number>();
    for (const change of privileged) {
      const store = change.store;
      if (!isPrivileged(store)) continue;
      if (change.remove) {
        steps.push(...(await store.planRemove(change.remove)));
        counts.set(store.id, await store.countRemovable(change.remove));
      }
      if (change.install) steps.push(...(await store.planInstall(change.install)));
    }
    if (steps.length > 0) {
      this.log.info('trust.elevate', {
        stores: privileged.length,
        steps: steps.length,
        elevator: this.elevator.kind,
      });
      await this.elevator.run({
        description: `${action} in ${privileged.map((c) => c.store.label).join(' and ')}`,
        steps,
      });
    }
    for (const change of privileged) {
      this.recordChange(change);
      reports.push({
        storeId: change.store.id,
        installed: Boolean(change.install),
        removed: counts.get(change.store.id) ?? 0,
      });
    }

    for (const change of plain) {
      const removed = change.remove ? await change.store.remove(change.remove) : 0;
      if (change.install) await change.store.install(change.install);
      this.recordChange(change);
      reports.push({ storeId: change.store.id, installed: Boolean(change.install), removed });
      this.log.info('trust.changed', { store: change.store.id, installed: Boolean(change.install), removed });
    }
    return reports;
  }

  private recordChange(change: TrustChange): void {
    if (!this.record || change.store.scope === 'environment') return;
    if (change.remove) {
      this.record.removed(
        change.store.id,
        change.remove === 'all' ? 'all' : change.remove.certs.map((c) => c.sha256),
      );
    }
    if (change.install) this.record.installed(change.store.id, change.install);
  }
}
