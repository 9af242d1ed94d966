// One place that changes trust for a user action: it runs the privileged part of the action first,
// in ONE elevated script (one prompt; if the prompt is cancelled nothing at all has changed), then
// the per-user stores, and records what went where. Status is per store, by fingerprint. After the
// CA was replaced automatically, reconcile() carries the per-user stores over to the new one.
import { UserError, describeError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import type { CaCert } from './ca-cert.js';
import type { ElevatedStep, Elevator } from './elevation.js';
import type { InstallRecord } from './install-record.js';
import { unavailableStatus } from './store-status.js';
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
  /** Nothing was done in this store, and why (uninstall --all goes on with the other stores). */
  skipped?: string;
  /** The skip was a failure, not an unavailable store. */
  failed?: boolean;
}

/** A new CA made but not yet in use: commit() writes it and switches the proxy to it. */
export interface StagedCaCert {
  ca: CaCert;
  commit(): Promise<void>;
}

export interface ReconcileResult {
  /** Per-user stores that held only an earlier CA and now trust the current one. */
  replaced: ChangeReport[];
  /** Administrator stores still trusting only an earlier CA (no prompt is shown unattended). */
  needsAdmin: string[];
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

  /**
   * Every CA of this app from every store, whether or not it is still in our record. A store that
   * is unavailable (its tool is missing) or fails does not stop the others: it is reported with why.
   */
  async uninstallAll(): Promise<ChangeReport[]> {
    const reports: ChangeReport[] = [];
    const reachable: TrustStore[] = [];
    const recorded = new Set((this.record?.active() ?? []).map((r) => r.storeId));
    for (const store of this.stores) {
      if (store.scope === 'environment') continue;
      const availability = await store.available();
      if (availability.ok) reachable.push(store);
      else if (recorded.has(store.id))
        reports.push({
          storeId: store.id,
          installed: false,
          removed: 0,
          skipped: `${availability.reason ?? 'not available'} (our record says a CA of Mem0 Tray was installed here)`,
        });
    }
    reports.push(
      ...(await this.apply(
        reachable.map((store) => ({ store, remove: 'all' as const })),
        'remove the CA',
        { keepGoing: true },
      )),
    );
    return reports;
  }

  /**
   * Regeneration: the stores that trusted the old CA (found there, or in our record) get the new one
   * instead. The new CA is staged first and committed (written, used by the proxy) only once the
   * administrator stores are changed: a cancelled prompt leaves the old CA current and trusted.
   */
  async regenerate(
    old: CaCert | null,
    stage: () => Promise<StagedCaCert>,
  ): Promise<{ ca: CaCert; reports: ChangeReport[] }> {
    const holders: TrustStore[] = [];
    if (old) {
      const recorded = new Set(this.record?.storesHolding(old.sha256) ?? []);
      for (const status of await this.status(old)) {
        if (status.id === 'environment' || !status.available) continue;
        if (status.trusted || recorded.has(status.id)) holders.push(this.store(status.id));
      }
    }
    const staged = await stage();
    const ca = staged.ca;
    const changes: TrustChange[] = holders.map((store) => ({
      store,
      remove: { certs: old ? [old] : [] },
      install: ca,
    }));
    const privileged = changes.filter((c) => isPrivileged(c.store));
    const plain = changes.filter((c) => !isPrivileged(c.store));
    // A cancel or failure here: the staged CA is dropped, nothing changed anywhere.
    const reports = await this.applyPrivileged(privileged, 'replace the CA');
    const done: TrustChange[] = [];
    try {
      reports.push(...(await this.applyPlain(plain, { done })));
    } catch (err) {
      if (privileged.length === 0 && old) {
        // Only per-user stores were touched: put the old CA back where it was replaced, and in the
        // store that failed (it may have lost the old one before the new one failed).
        await this.applyPlain(
          plain
            .slice(0, done.length + 1)
            .map((c) => ({ store: c.store, remove: { certs: [ca] }, install: old })),
          { keepGoing: true },
        );
        throw err;
      }
      // The administrator stores already trust only the new CA: it has to become current.
      await staged.commit();
      const left = plain.filter((c) => !done.includes(c)).map((c) => c.store.id);
      throw new UserError(
        err instanceof UserError ? err.code : 'failure',
        `The new CA is in use, but ${left.join(', ')} still trust${left.length === 1 ? 's' : ''} only the old one (${describeError(err)}). Run "mem0-tray ca install --store ${left.join(',')}".`,
        { cause: err },
      );
    }
    await staged.commit();
    return { ca, reports };
  }

  /**
   * After the CA was replaced without the user (hosts changed, near expiry): every store that our
   * record says held an earlier CA, that still holds it and does not trust the current one. Per-user
   * stores get the current CA instead (no prompt needed); administrator stores are left for the user
   * (a prompt nobody asked for is not shown) and reported, so status can say so plainly.
   */
  async reconcile(current: CaCert): Promise<ReconcileResult> {
    const earlier = (this.record?.active() ?? []).filter((r) => r.sha256 !== current.sha256);
    if (earlier.length === 0) return { replaced: [], needsAdmin: [] };
    const plain: TrustChange[] = [];
    const needsAdmin: string[] = [];
    for (const status of await this.status(current)) {
      if (!status.available || status.scope === 'environment' || status.trusted) continue;
      const ours = status.others.filter((o) =>
        earlier.some((r) => r.storeId === status.id && (r.sha256 === o.sha256 || r.sha1 === o.sha1)),
      );
      if (ours.length === 0) continue;
      const store = this.store(status.id);
      if (isPrivileged(store)) needsAdmin.push(store.id);
      else
        plain.push({
          store,
          remove: { certs: ours.map((o) => ({ sha256: o.sha256 ?? '', sha1: o.sha1 ?? '' })) },
          install: current,
        });
    }
    const replaced = await this.applyPlain(plain, { keepGoing: true });
    for (const id of needsAdmin) this.log.warn('trust.earlier_ca_only', { store: id });
    return { replaced, needsAdmin };
  }

  /** With keepGoing, a per-user store that fails is reported and the others still change. */
  async apply(
    changes: TrustChange[],
    action: string,
    options: { keepGoing?: boolean } = {},
  ): Promise<ChangeReport[]> {
    // Privileged first: a cancelled prompt then means truly nothing was changed.
    const reports = await this.applyPrivileged(
      changes.filter((c) => isPrivileged(c.store)),
      action,
    );
    reports.push(
      ...(await this.applyPlain(
        changes.filter((c) => !isPrivileged(c.store)),
        options,
      )),
    );
    return reports;
  }

  /** Every administrator store's change in one elevated script: one prompt. */
  private async applyPrivileged(privileged: TrustChange[], action: string): Promise<ChangeReport[]> {
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
    return privileged.map((change) => {
      this.recordChange(change);
      return {
        storeId: change.store.id,
        installed: Boolean(change.install),
        removed: counts.get(change.store.id) ?? 0,
      };
    });
  }

  /**
   * Per-user stores one by one. `done` collects the changes that went through (for a rollback);
   * with keepGoing a failing store is reported and the others still change.
   */
  private async applyPlain(
    plain: TrustChange[],
    options: { keepGoing?: boolean; done?: TrustChange[] } = {},
  ): Promise<ChangeReport[]> {
    const reports: ChangeReport[] = [];
    for (const change of plain) {
      let removed = 0;
      try {
        removed = change.remove ? await change.store.remove(change.remove) : 0;
        if (change.install) await change.store.install(change.install);
      } catch (err) {
        if (!options.keepGoing) throw err;
        this.log.warn('trust.change_failed', { store: change.store.id, error: describeError(err) });
        reports.push({
          storeId: change.store.id,
          installed: false,
          removed,
          skipped: describeError(err),
          failed: true,
        });
        continue;
      }
      this.recordChange(change);
      options.done?.push(change);
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
