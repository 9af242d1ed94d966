// A per-user NSS database (Chrome and Chromium on Linux read ~/.pki/nssdb; each Firefox profile has
// its own) changed with NSS's certutil (libnss3-tools). It is the user's own file: no elevation.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { OUR_SUBJECT_PREFIX, isOurs, parseAllCerts, type CaCert } from './ca-cert.js';
import { firstLine, type CommandResult, type CommandRunner } from './command-runner.js';
import { foundFromCert, statusFromFound } from './store-status.js';
import { withTempPem } from './temp-pem.js';
import {
  matchesTarget,
  type Availability,
  type FoundCert,
  type RemoveTarget,
  type StoreStatus,
  type TrustStore,
} from './types.js';

export const NSS_TOOLS_HINT =
  'NSS certutil is missing: install libnss3-tools (Debian/Ubuntu), nss-tools (Fedora), nss (Arch) or mozilla-nss-tools (openSUSE).';

/** Nicknames carry a fingerprint prefix so every CA generation has its own entry. */
export function nssNickname(ca: CaCert): string {
  return `${OUR_SUBJECT_PREFIX} CA ${ca.sha256.slice(0, 16)}`;
}

/**
 * Nicknames from `certutil -L`: a header, then one line per certificate with the nickname, spaces,
 * and trust flags like "C,," or "CT,C,C" at the end.
 */
export function parseNicknames(stdout: string): string[] {
  const out: string[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = line.match(/^(.*?\S)\s+([a-zA-Z]*,[a-zA-Z]*,[a-zA-Z]*)\s*$/);
    if (m && !/^SSL,S\/MIME/.test(m[2]!)) out.push(m[1]!);
  }
  return out;
}

export interface NssDbOptions {
  id: string;
  label: string;
  /** Directory of the database (cert9.db inside); used as sql:<dir>. */
  dir: string;
  runner: CommandRunner;
  /** ~/.pki/nssdb may not exist yet (Chrome creates it lazily): create it on install. */
  createIfMissing: boolean;
  certutil?: string;
}

export class NssDbStore implements TrustStore {
  readonly id: string;
  readonly label: string;
  readonly scope = 'user' as const;
  readonly privileged = false;
  private readonly db: string;
  private readonly certutil: string;

  constructor(private readonly options: NssDbOptions) {
    this.id = options.id;
    this.label = options.label;
    this.db = `sql:${options.dir}`;
    this.certutil = options.certutil ?? 'certutil';
  }

  private exists(): boolean {
    return fs.existsSync(path.join(this.options.dir, 'cert9.db'));
  }

  private run(args: string[]): Promise<CommandResult> {
    return this.options.runner.run([this.certutil, ...args]);
  }

  async available(): Promise<Availability> {
    const probe = await this.run(['-H']);
    if (probe.missing) return { ok: false, reason: NSS_TOOLS_HINT };
    if (!this.exists() && !this.options.createIfMissing)
      return { ok: false, reason: `no NSS database in ${this.options.dir}` };
    return { ok: true };
  }

  async list(): Promise<FoundCert[]> {
    if (!this.exists()) return [];
    const listed = await this.run(['-d', this.db, '-L']);
    if (listed.code !== 0)
      throw new UserError(
        'failure',
        `Cannot read the NSS database ${this.options.dir}: ${firstLine(listed)}`,
      );
    const out: FoundCert[] = [];
    for (const nick of parseNicknames(listed.stdout).filter((n) =>
      n.toLowerCase().includes(OUR_SUBJECT_PREFIX.toLowerCase()),
    )) {
      const pem = await this.run(['-d', this.db, '-L', '-n', nick, '-a']);
      if (pem.code !== 0) continue;
      for (const cert of parseAllCerts(pem.stdout).filter(isOurs)) out.push(foundFromCert(cert, nick));
    }
    return out;
  }

  async status(ca: CaCert | null): Promise<StoreStatus> {
    const status = statusFromFound(this, ca, await this.list());
    if (!this.exists()) status.detail = 'The database does not exist yet; installing creates it.';
    return status;
  }

  async install(ca: CaCert): Promise<void> {
    if (!this.exists()) {
      if (!this.options.createIfMissing)
        throw new UserError('not_found', `No NSS database in ${this.options.dir}.`);
      fs.mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
      const created = await this.run(['-N', '-d', this.db, '--empty-password']);
      if (created.code !== 0)
        throw new UserError(
          'failure',
          `Cannot create the NSS database ${this.options.dir}: ${firstLine(created)}`,
        );
    }
    // "C,," = a CA trusted to issue TLS server certificates, and nothing else (not e-mail, not code).
    const added = await withTempPem(ca.pem, (file) =>
      this.run(['-A', '-d', this.db, '-t', 'C,,', '-n', nssNickname(ca), '-i', file]),
    );
    if (added.code !== 0)
      throw new UserError('failure', `Cannot add the CA to ${this.options.dir}: ${firstLine(added)}`);
  }

  async remove(target: RemoveTarget): Promise<number> {
    let removed = 0;
    for (const found of (await this.list()).filter((f) => matchesTarget(f, target))) {
      const r = await this.run(['-D', '-d', this.db, '-n', found.ref!]);
      if (r.code !== 0)
        throw new UserError(
          'failure',
          `Cannot remove "${found.ref}" from ${this.options.dir}: ${firstLine(r)}`,
        );
      removed++;
    }
    return removed;
  }
}
