// macOS: the user's login keychain (no administrator rights; macOS itself may ask the user to
// confirm a trust-settings change) and, optionally, the System keychain through the privileged
// helper. Certificates are found by name and identified by the fingerprints of their PEM.
import path from 'node:path';
import { UserError } from '../../errors.js';
import { isOurs, parseAllCerts, type CaCert } from './ca-cert.js';
import { firstLine, type CommandResult, type CommandRunner } from './command-runner.js';
import { tempRef, type ElevatedStep, type Elevator } from './elevation.js';
import { PrivilegedStoreBase } from './privileged-store.js';
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

export const SYSTEM_KEYCHAIN = '/Library/Keychains/System.keychain';
const SEARCH_NAME = 'Mem0 Tray';
/** `security` exits 44 (errSecItemNotFound as a status) when a search finds nothing. */
const NOT_FOUND_EXIT = 44;

export function loginKeychainPath(home: string): string {
  return path.join(home, 'Library', 'Keychains', 'login.keychain-db');
}

export function findArgv(keychain: string): string[] {
  return ['security', 'find-certificate', '-a', '-Z', '-p', '-c', SEARCH_NAME, keychain];
}

/**
 * Parses `security find-certificate -a -Z -p` output: per item, hash lines, attributes, then the PEM.
 * We trust only the PEM (and compute fingerprints ourselves), so older and newer output formats
 * (with or without the SHA-256 line) read the same.
 */
export function parseFindCertificate(result: CommandResult, keychain: string): FoundCert[] {
  if (result.code === NOT_FOUND_EXIT || /could not be found/i.test(result.stderr)) return [];
  if (result.code !== 0) {
    throw new UserError('failure', `Cannot read the keychain ${keychain}: ${firstLine(result)}`);
  }
  return parseAllCerts(result.stdout)
    .filter(isOurs)
    .map((c) => foundFromCert(c, keychain));
}

/** Maps the trust-settings failures macOS reports when the user says no or no one can be asked. */
export function trustSettingsError(result: CommandResult, what: string): UserError {
  const text = `${result.stderr}\n${result.stdout}`;
  if (/canceled by the user|cancelled by the user|User canceled/i.test(text)) {
    return new UserError(
      'access_denied',
      `macOS asked to confirm the trust change and it was cancelled; nothing was changed.`,
    );
  }
  if (/no user interaction was possible/i.test(text)) {
    return new UserError(
      'access_denied',
      'macOS needs you to confirm the trust change in a dialog, which cannot be shown here: run the command from a logged-in desktop session. Nothing was changed.',
    );
  }
  return new UserError('failure', `Could not ${what}: ${firstLine(result)}`);
}

export interface MacKeychainOptions {
  runner: CommandRunner;
  home: string;
}

export class MacLoginKeychainStore implements TrustStore {
  readonly id = 'macos-login';
  readonly label = 'macOS login keychain (this user)';
  readonly scope = 'user' as const;
  readonly privileged = false;
  private readonly keychain: string;

  constructor(private readonly options: MacKeychainOptions) {
    this.keychain = loginKeychainPath(options.home);
  }

  async available(): Promise<Availability> {
    return { ok: true };
  }

  async list(): Promise<FoundCert[]> {
    return parseFindCertificate(await this.options.runner.run(findArgv(this.keychain)), this.keychain);
  }

  async status(ca: CaCert | null): Promise<StoreStatus> {
    return statusFromFound(this, ca, await this.list());
  }

  installArgv(file: string): string[] {
    return [
      'security',
      'add-trusted-cert',
      '-r',
      'trustRoot',
      '-p',
      'ssl',
      '-p',
      'basic',
      '-k',
      this.keychain,
      file,
    ];
  }

  removeArgv(sha1: string): string[] {
    // -t also deletes the user trust settings we added with the certificate.
    return ['security', 'delete-certificate', '-Z', sha1.toUpperCase(), '-t', this.keychain];
  }

  async install(ca: CaCert): Promise<void> {
    const result = await withTempPem(ca.pem, (file) => this.options.runner.run(this.installArgv(file)));
    if (result.code !== 0) throw trustSettingsError(result, 'add the CA to the login keychain');
  }

  async remove(target: RemoveTarget): Promise<number> {
    let removed = 0;
    for (const found of (await this.list()).filter((f) => matchesTarget(f, target))) {
      if (!found.sha1) continue;
      const result = await this.options.runner.run(this.removeArgv(found.sha1));
      if (result.code !== 0) throw trustSettingsError(result, 'remove the CA from the login keychain');
      removed++;
    }
    return removed;
  }
}

/** The System keychain: every user of the Mac trusts it; changes go through the privileged helper. */
export class MacSystemKeychainStore extends PrivilegedStoreBase {
  readonly id = 'macos-system';
  readonly label = 'macOS System keychain (all users, administrator)';

  constructor(private readonly options: { runner: CommandRunner; elevator: Elevator }) {
    super(options.elevator);
  }

  async available(): Promise<Availability> {
    return { ok: true };
  }

  private async listWithPem(): Promise<Array<{ found: FoundCert; pem: string }>> {
    const result = await this.options.runner.run(findArgv(SYSTEM_KEYCHAIN));
    if (result.code === NOT_FOUND_EXIT || /could not be found/i.test(result.stderr)) return [];
    if (result.code !== 0)
      throw new UserError('failure', `Cannot read the System keychain: ${firstLine(result)}`);
    return parseAllCerts(result.stdout)
      .filter(isOurs)
      .map((c) => ({ found: foundFromCert(c, SYSTEM_KEYCHAIN), pem: c.pem }));
  }

  async status(ca: CaCert | null): Promise<StoreStatus> {
    return statusFromFound(
      this,
      ca,
      (await this.listWithPem()).map((e) => e.found),
    );
  }

  async planInstall(ca: CaCert): Promise<ElevatedStep[]> {
    const file = tempRef('mem0-tray-ca.pem');
    return [
      { kind: 'write', path: file, contents: ca.pem },
      {
        kind: 'run',
        argv: [
          'security',
          'add-trusted-cert',
          '-d',
          '-r',
          'trustRoot',
          '-p',
          'ssl',
          '-p',
          'basic',
          '-k',
          SYSTEM_KEYCHAIN,
          file,
        ],
      },
    ];
  }

  async planRemove(target: RemoveTarget): Promise<ElevatedStep[]> {
    const steps: ElevatedStep[] = [];
    let n = 0;
    for (const { found, pem } of await this.listWithPem()) {
      if (!matchesTarget(found, target) || !found.sha1) continue;
      // The admin trust setting is keyed by the certificate, so it is removed with the same PEM.
      const file = tempRef(`old-${n++}.pem`);
      steps.push(
        { kind: 'write', path: file, contents: pem },
        { kind: 'run', argv: ['security', 'remove-trusted-cert', '-d', file] },
        {
          kind: 'run',
          argv: ['security', 'delete-certificate', '-Z', found.sha1.toUpperCase(), SYSTEM_KEYCHAIN],
        },
      );
    }
    return steps;
  }

  async countRemovable(target: RemoveTarget): Promise<number> {
    return (await this.listWithPem()).filter((e) => matchesTarget(e.found, target)).length;
  }
}
