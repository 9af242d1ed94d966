// Trust for the rest of the app: the CLI (`mem0-tray ca …`), the UI (Certificates page) and the
// core. It reads the current CA from the data directory (<data>/ca/ca.pem), builds this machine's
// stores, and answers in one shape: the CA, then each store's status by fingerprint.
import fs from 'node:fs';
import os from 'node:os';
import type { DataPaths } from '../../config/paths.js';
import type { Db } from '../../db/database.js';
import { UserError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import { formatFingerprint, parseCaCert, type CaCert } from './ca-cert.js';
import { execFileRunner, type CommandRunner } from './command-runner.js';
import { pickElevator, type Elevator } from './elevation.js';
import { InstallRecord } from './install-record.js';
import { createPlatformStores } from './platform-stores.js';
import { StatusCache } from './status-cache.js';
import { TrustManager, type ChangeReport, type ReconcileResult } from './trust-manager.js';
import type { StoreStatus, TrustStore } from './types.js';

export interface StoreOverview extends StoreStatus {
  /** The UI's name for label. */
  name: string;
}

export interface TrustOverview {
  caPath: string;
  caExists: boolean;
  /** SHA-256, AB:CD:… */
  fingerprint: string | null;
  expiresAt: string | null;
  stores: StoreOverview[];
  /**
   * Set when a store trusts only an earlier CA of this app, not the current one (the CA was replaced
   * and an administrator store could not be changed unattended): what breaks and what to do.
   */
  notice: string | null;
}

/** A new CA made but not yet written (see StagedCa in certs/ca.ts), as its PEM. */
export interface StagedCaPem {
  pem: string;
  /** Writes it to the data directory and, in a running core, switches the proxy to it. */
  commit(): Promise<void>;
}

export interface TrustServiceOptions {
  paths: DataPaths;
  /** Where installs are recorded; null only in tests that do not care. */
  db: Db | null;
  platform?: NodeJS.Platform;
  home?: string;
  env?: NodeJS.ProcessEnv;
  runner?: CommandRunner;
  elevator?: Elevator;
  stores?: TrustStore[];
  /** The CLI on a terminal asks for sudo there instead of a graphical prompt. */
  interactiveTerminal?: boolean;
  /** Makes a new CA (not yet written): regenerate commits it once the stores are changed. */
  stageCa?: () => Promise<StagedCaPem>;
  log?: Logger;
  /**
   * How long status() may answer from the last reading of the stores; changes through this service
   * always read again. 0 (the default: the CLI asks once) reads every time.
   */
  statusMaxAgeMs?: number;
}

export class TrustService {
  readonly manager: TrustManager;
  private readonly paths: DataPaths;
  private readonly stageCa: (() => Promise<StagedCaPem>) | undefined;
  private readonly overview: StatusCache<TrustOverview>;

  constructor(options: TrustServiceOptions) {
    const platform = options.platform ?? process.platform;
    const runner = options.runner ?? execFileRunner();
    const elevator =
      options.elevator ??
      pickElevator({
        platform,
        uid: process.getuid?.(),
        interactiveTerminal: options.interactiveTerminal,
        runner,
      });
    const stores =
      options.stores ??
      createPlatformStores({
        platform,
        home: options.home ?? os.homedir(),
        env: options.env,
        runner,
        elevator,
      });
    this.paths = options.paths;
    this.stageCa = options.stageCa;
    this.overview = new StatusCache(options.statusMaxAgeMs ?? 0);
    this.manager = new TrustManager({
      stores,
      elevator,
      record: options.db ? new InstallRecord(options.db) : null,
      log: (options.log ?? silentLogger).child('trust'),
    });
  }

  currentCa(): CaCert | null {
    let pem: string;
    try {
      pem = fs.readFileSync(this.paths.caCert, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new UserError('read_only', `Cannot read the CA ${this.paths.caCert}: ${(err as Error).message}`);
    }
    return parseCaCert(pem);
  }

  private requireCa(): CaCert {
    const ca = this.currentCa();
    if (!ca) {
      throw new UserError(
        'not_found',
        `There is no CA yet (${this.paths.caCert}): it is created when capture starts ("mem0-tray serve"), or with "mem0-tray ca regenerate".`,
      );
    }
    return ca;
  }

  /** The CA and every store's status; kept per CA for statusMaxAgeMs. */
  async status(): Promise<TrustOverview> {
    const ca = this.currentCa();
    return this.overview.get(ca?.sha256 ?? '', () => this.readStatus(ca));
  }

  private async readStatus(ca: CaCert | null): Promise<TrustOverview> {
    const stores = await this.manager.status(ca);
    return {
      caPath: this.paths.caCert,
      caExists: ca !== null,
      fingerprint: ca ? formatFingerprint(ca.sha256) : null,
      expiresAt: ca?.notAfter ?? null,
      stores: stores.map((s) => ({ ...s, name: s.label })),
      notice: ca ? earlierOnlyNotice(stores) : null,
    };
  }

  /** After an automatic CA change: per-user stores follow it; administrator stores are reported. */
  async reconcile(): Promise<ReconcileResult | null> {
    const ca = this.currentCa();
    return ca ? this.changing(() => this.manager.reconcile(ca)) : null;
  }

  /** Runs a change of the stores; whatever it did (even when it failed halfway) is read afresh. */
  private async changing<T>(change: () => Promise<T>): Promise<T> {
    try {
      return await change();
    } finally {
      this.overview.invalidate();
    }
  }

  /** Default: every available per-user store (no prompt); scope "system" = the administrator stores. */
  async install(storeIds: string[] = [], scope: 'user' | 'system' = 'user'): Promise<ChangeReport[]> {
    const ca = this.requireCa();
    const stores = storeIds.length
      ? storeIds.map((id) => this.manager.store(id))
      : await this.manager.storesForScope(scope);
    if (stores.length === 0) {
      throw new UserError(
        'not_found',
        `No ${scope} trust store is available here. Run "mem0-tray ca status" to see why.`,
      );
    }
    for (const store of stores) {
      const availability = await store.available();
      if (!availability.ok)
        throw new UserError(
          'not_found',
          `${store.label} is not available: ${availability.reason ?? 'unknown reason'}`,
        );
    }
    return this.changing(() => this.manager.install(ca, stores));
  }

  /** Every CA of this app (current and earlier) from the given stores; or one CA by fingerprint. */
  async uninstall(storeIds: string[] | 'all', fingerprint?: string): Promise<ChangeReport[]> {
    if (storeIds === 'all' && !fingerprint) return this.changing(() => this.manager.uninstallAll());
    const stores = storeIds === 'all' ? this.manager.stores : storeIds.map((id) => this.manager.store(id));
    if (!fingerprint) return this.changing(() => this.manager.uninstall(stores, 'all'));
    const fp = fingerprint.replace(/[^0-9a-f]/gi, '').toLowerCase();
    const known = await this.manager.status(this.currentCa());
    const match = known
      .flatMap((s) => s.others)
      .find(
        (f) =>
          f.sha256 === fp ||
          f.sha1 === fp ||
          (fp.length >= 8 && (f.sha256?.startsWith(fp) || f.sha1?.startsWith(fp))),
      );
    const current = this.currentCa();
    const target =
      current && (current.sha256.startsWith(fp) || current.sha1.startsWith(fp))
        ? { sha256: current.sha256, sha1: current.sha1 }
        : match
          ? { sha256: match.sha256 ?? '', sha1: match.sha1 ?? '' }
          : null;
    if (!target)
      throw new UserError(
        'not_found',
        `No CA of Mem0 Tray with fingerprint ${fingerprint} was found in these stores.`,
      );
    return this.changing(() => this.manager.uninstall(stores, { certs: [target] }));
  }

  /** UI: install in one store / remove everything of ours from one store. */
  async installIn(storeId: string): Promise<void> {
    await this.install([storeId]);
  }

  async removeFrom(storeId: string, fingerprint?: string): Promise<void> {
    await this.uninstall([storeId], fingerprint);
  }

  async regenerate(): Promise<{ fingerprint: string; reports: ChangeReport[] }> {
    const stage = this.stageCa;
    if (!stage) throw new UserError('failure', 'Regenerating the CA is not available in this build.');
    const old = this.currentCa();
    const { ca, reports } = await this.changing(() =>
      this.manager.regenerate(old, async () => {
        const staged = await stage();
        return { ca: parseCaCert(staged.pem), commit: () => staged.commit() };
      }),
    );
    return { fingerprint: formatFingerprint(ca.sha256), reports };
  }
}

/** Stores that hold an earlier CA of this app but not the current one: proxy clients relying on them fail. */
export function earlierOnlyNotice(stores: StoreStatus[]): string | null {
  const stale = stores.filter(
    (s) => s.available && s.scope !== 'environment' && !s.trusted && s.others.length > 0,
  );
  if (stale.length === 0) return null;
  const names = stale.map((s) => s.label).join(', ');
  const ids = stale.map((s) => s.id).join(',');
  return `${names} ${stale.length === 1 ? 'trusts' : 'trust'} only an earlier CA of Mem0 Tray, not the current one: proxy clients that rely on ${stale.length === 1 ? 'it' : 'them'} fail. Install the current CA there (Install, or "mem0-tray ca install --store ${ids}"; administrator stores ask for your password), then remove the earlier CA.`;
}
