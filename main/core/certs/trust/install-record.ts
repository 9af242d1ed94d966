// What we installed where, so "ca uninstall --all" can remove everything ever installed (even CAs
// whose files are gone) and regenerating the CA replaces the old one in exactly the stores that held
// it. The PEM is kept (a certificate is public) because some stores need it to remove an entry.
import { applyMigrations, type Db } from '../../db/database.js';
import type { CaCert } from './ca-cert.js';

export const TRUST_MIGRATIONS: ReadonlyArray<string> = [
  `CREATE TABLE trust_installs (
     store_id TEXT NOT NULL,
     sha256 TEXT NOT NULL,
     sha1 TEXT NOT NULL,
     subject TEXT NOT NULL,
     pem TEXT NOT NULL,
     installed_at TEXT NOT NULL,
     removed_at TEXT,
     PRIMARY KEY (store_id, sha256)
   )`,
];

export interface InstallRow {
  storeId: string;
  sha256: string;
  sha1: string;
  subject: string;
  installedAt: string;
}

export class InstallRecord {
  constructor(private readonly db: Db) {
    applyMigrations(db, 'trust', TRUST_MIGRATIONS);
  }

  installed(storeId: string, ca: CaCert): void {
    this.db
      .prepare(
        `INSERT INTO trust_installs (store_id, sha256, sha1, subject, pem, installed_at, removed_at)
         VALUES (?, ?, ?, ?, ?, ?, NULL)
         ON CONFLICT(store_id, sha256) DO UPDATE SET installed_at = excluded.installed_at, removed_at = NULL`,
      )
      .run(
        storeId,
        ca.sha256,
        ca.sha1,
        ca.commonName ?? ca.organization ?? '',
        ca.pem,
        new Date().toISOString(),
      );
  }

  /** Marks certificates of a store as removed; 'all' = every one recorded for that store. */
  removed(storeId: string, sha256s: readonly string[] | 'all'): void {
    const now = new Date().toISOString();
    if (sha256s === 'all') {
      this.db
        .prepare('UPDATE trust_installs SET removed_at = ? WHERE store_id = ? AND removed_at IS NULL')
        .run(now, storeId);
      return;
    }
    const stmt = this.db.prepare(
      'UPDATE trust_installs SET removed_at = ? WHERE store_id = ? AND sha256 = ?',
    );
    for (const fp of sha256s) stmt.run(now, storeId, fp);
  }

  /** Stores currently holding this certificate, by our record. */
  storesHolding(sha256: string): string[] {
    return (
      this.db
        .prepare('SELECT store_id FROM trust_installs WHERE sha256 = ? AND removed_at IS NULL')
        .all(sha256) as Array<{
        store_id: string;
      }>
    ).map((r) => r.store_id);
  }

  /** Everything installed and not yet removed. */
  active(): InstallRow[] {
    return (
      this.db
        .prepare(
          'SELECT store_id, sha256, sha1, subject, installed_at FROM trust_installs WHERE removed_at IS NULL ORDER BY installed_at',
        )
        .all() as Array<{
        store_id: string;
        sha256: string;
        sha1: string;
        subject: string;
        installed_at: string;
      }>
    ).map((r) => ({
      storeId: r.store_id,
      sha256: r.sha256,
      sha1: r.sha1,
      subject: r.subject,
      installedAt: r.installed_at,
    }));
  }
}
