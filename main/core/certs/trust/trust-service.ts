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
import { TrustManager, type ChangeReport } from './trust-manager.js';
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
  /** Makes a new CA in the data directory (the CA module's regenerate), returning its PEM. */
  regenerateCa?: () => Promise<string>;
  log?: Logger;
}

export class TrustService {
  readonly manager: TrustManager;
  private readonly paths: DataPaths;
  private readonly regenerateCa: (() => Promise<string>) | undefined;

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
    this.regenerateCa = options.regenerateCa;
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

  async status(): Promise<TrustOverview> {
    const ca = this.currentCa();
    const stores = await this.manager.status(ca);
    return {
      caPath: this.paths.caCert,
      caExists: ca !== null,
      fingerprint: ca ? formatFingerprint(ca.sha256) : null,
      expiresAt: ca?.notAfter ?? null,
      stores: stores.map((s) => ({ ...s, name: s.label })),
    };
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
    return this.manager.install(ca, stores);
  }

  /** Every CA of this app (current and earlier) from the given stores; or one CA by fingerprint. */
  async uninstall(storeIds: string[] | 'all', fingerprint?: string): Promise<ChangeReport[]> {
    if (storeIds === 'all' && !fingerprint) return this.manager.uninstallAll();
    const stores = storeIds === 'all' ? this.manager.stores : storeIds.map((id) => this.manager.store(id));
    if (!fingerprint) return this.manager.uninstall(stores, 'all');
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
    return this.manager.uninstall(stores, { certs: [target] });
  }

  /** UI: install in one store / remove everything of ours from one store. */
  async installIn(storeId: string): Promise<void> {
    await this.install([storeId]);
  }

  async removeFrom(storeId: string): Promise<void> {
    await this.uninstall([storeId]);
  }

  async regenerate(): Promise<{ fingerprint: string; reports: ChangeReport[] }> {
    const make = this.regenerateCa;
    if (!make) throw new UserError('failure', 'Regenerating the CA is not available in this build.');
    const old = this.currentCa();
    const { ca, reports } = await this.manager.regenerate(old, async () => parseCaCert(await make()));
    return { fingerprint: formatFingerprint(ca.sha256), reports };
  }
}
