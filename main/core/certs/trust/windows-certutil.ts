// Windows: the current user's Root store with `certutil -user` (no administrator rights; Windows
// shows its own "install this root?" confirmation) and, optionally, the machine Root store through
// UAC. certutil lists certificates without their PEM, so they are matched by SHA-1 thumbprint,
// which we compute from our own PEM.
import { UserError } from '../../errors.js';
import { OUR_SUBJECT_PREFIX, normalizeFingerprint, type CaCert } from './ca-cert.js';
import { firstLine, type CommandResult, type CommandRunner } from './command-runner.js';
import { tempRef, type ElevatedStep, type Elevator } from './elevation.js';
import { PrivilegedStoreBase } from './privileged-store.js';
import { statusFromFound } from './store-status.js';
import { withTempPem } from './temp-pem.js';
import {
  matchesTarget,
  type Availability,
  type FoundCert,
  type RemoveTarget,
  type StoreStatus,
  type TrustStore,
} from './types.js';

/** HRESULT_FROM_WIN32(ERROR_CANCELLED): the user answered No to Windows' root-install warning. */
const CANCELLED = /0x800704c7|ERROR_CANCELLED/i;
/** CRYPT_E_NOT_FOUND: nothing with that id in the store. */
const NOT_FOUND = /0x80092004|CRYPT_E_NOT_FOUND/i;

/**
 * Parses `certutil [-user] -store Root`. The labels are localised ("Seriennummer", …), so only
 * shapes are relied on: blocks between "==== Certificate N ====" rulers, the serial on the block's
 * first line, the "(sha1):" hash line (hex, with or without spaces), and our product name appearing
 * anywhere in the block.
 */
export function parseCertutilStore(stdout: string): FoundCert[] {
  const blocks = stdout.split(/^=+[^=\r\n]*=+\s*$/m).slice(1);
  const out: FoundCert[] = [];
  for (const block of blocks) {
    if (!block.includes(OUR_SUBJECT_PREFIX)) continue;
    const hash = block.match(/\(sha1\)\s*:\s*([0-9a-f ]{40,59})\s*$/im)?.[1];
    if (!hash) continue;
    // The serial is the first line of every block, whatever its label says in this language.
    const firstLine = block.split(/\r?\n/).find((l) => l.trim()) ?? '';
    const serial = firstLine.match(/:\s*([0-9a-f]+)\s*$/i)?.[1] ?? null;
    const subject =
      block.match(/^Subject:\s*(.+?)\s*$/m)?.[1] ??
      block
        .split(/\r?\n/)
        .find((l) => l.includes(OUR_SUBJECT_PREFIX))
        ?.trim() ??
      OUR_SUBJECT_PREFIX;
    const sha1 = normalizeFingerprint(hash);
    out.push({ sha256: null, sha1, serial: serial ? serial.toUpperCase() : null, subject, ref: sha1 });
  }
  return out;
}

function readStore(result: CommandResult, what: string): FoundCert[] {
  if (result.missing)
    throw new UserError('failure', 'certutil.exe was not found: it ships with Windows; check PATH.');
  if (result.code !== 0) throw new UserError('failure', `Cannot read the ${what}: ${firstLine(result)}`);
  return parseCertutilStore(result.stdout);
}

export function certutilError(result: CommandResult, what: string): UserError {
  const text = `${result.stdout}\n${result.stderr}`;
  if (CANCELLED.test(text)) {
    return new UserError(
      'access_denied',
      'Windows asked to confirm the certificate and it was cancelled; nothing was changed.',
    );
  }
  return new UserError('failure', `Could not ${what}: ${firstLine(result)}`);
}

export class WindowsUserRootStore implements TrustStore {
  readonly id = 'windows-user';
  readonly label = 'Windows Trusted Root store (this user)';
  readonly scope = 'user' as const;
  readonly privileged = false;

  constructor(private readonly options: { runner: CommandRunner }) {}

  async available(): Promise<Availability> {
    return { ok: true };
  }

  // The user's logical Root store also shows the machine's roots; a CA found only there is
  // reported here too, and removing it from the user store is then a no-op (CRYPT_E_NOT_FOUND).
  async list(): Promise<FoundCert[]> {
    return readStore(await this.options.runner.run(['certutil', '-user', '-store', 'Root']), this.label);
  }

  async status(ca: CaCert | null): Promise<StoreStatus> {
    return statusFromFound(this, ca, await this.list());
  }

  installArgv(file: string): string[] {
    return ['certutil', '-user', '-addstore', '-f', 'Root', file];
  }

  removeArgv(sha1: string): string[] {
    return ['certutil', '-user', '-delstore', 'Root', sha1];
  }

  async install(ca: CaCert): Promise<void> {
    const result = await withTempPem(
      ca.pem,
      (file) => this.options.runner.run(this.installArgv(file)),
      '.crt',
    );
    if (result.code !== 0) throw certutilError(result, 'add the CA to the Windows user Root store');
  }

  async remove(target: RemoveTarget): Promise<number> {
    let removed = 0;
    for (const found of (await this.list()).filter((f) => matchesTarget(f, target))) {
      const result = await this.options.runner.run(this.removeArgv(found.sha1!));
      if (result.code === 0) removed++;
      else if (!NOT_FOUND.test(`${result.stdout}\n${result.stderr}`))
        throw certutilError(result, 'remove the CA from the Windows user Root store');
    }
    return removed;
  }
}

export class WindowsMachineRootStore extends PrivilegedStoreBase {
  readonly id = 'windows-machine';
  readonly label = 'Windows Trusted Root store (all users, administrator)';

  constructor(private readonly options: { runner: CommandRunner; elevator: Elevator }) {
    super(options.elevator);
  }

  async available(): Promise<Availability> {
    return { ok: true };
  }

  async list(): Promise<FoundCert[]> {
    return readStore(await this.options.runner.run(['certutil', '-store', 'Root']), this.label);
  }

  async status(ca: CaCert | null): Promise<StoreStatus> {
    return statusFromFound(this, ca, await this.list());
  }

  async planInstall(ca: CaCert): Promise<ElevatedStep[]> {
    const file = tempRef('mem0-tray-ca.crt');
    return [
      { kind: 'write', path: file, contents: ca.pem },
      { kind: 'run', argv: ['certutil', '-addstore', '-f', 'Root', file] },
    ];
  }

  async planRemove(target: RemoveTarget): Promise<ElevatedStep[]> {
    return (await this.list())
      .filter((f) => matchesTarget(f, target))
      .map((f) => ({ kind: 'run' as const, argv: ['certutil', '-delstore', 'Root', f.sha1!] }));
  }

  async countRemovable(target: RemoveTarget): Promise<number> {
    return (await this.list()).filter((f) => matchesTarget(f, target)).length;
  }
}
