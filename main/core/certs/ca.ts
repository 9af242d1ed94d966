// The capture CA: made on first start in <data>/ca/ (ca.pem, ca.key.pem mode 0600, directory 0700)
// and reused until it nears expiry or the intercepted hosts change. It is name-constrained to the
// intercepted hosts and to no IP address, so even a stolen key cannot vouch for any other site.
import crypto from 'node:crypto';
import fs from 'node:fs';
import forge from 'node-forge';
import type { DataPaths } from '../config/paths.js';
import { fileSystemError, writeFileAtomic } from '../fs-atomic.js';
import type { Logger } from '../log.js';
import { nameConstraintsDer } from './name-constraints.js';
import { generateRsaKeys, randomSerial } from './native-keys.js';
import { nativeSigner } from './native-sign.js';

export type CaPaths = Pick<DataPaths, 'caDir' | 'caCert' | 'caKey'>;

/** A new CA lives this long; it is replaced this close to its end. */
export const CA_LIFETIME_DAYS = 730;
export const CA_RENEW_BEFORE_DAYS = 30;
const DAY = 24 * 60 * 60 * 1000;

/** Every CA of this app starts its subject with this (the trust stores recognise earlier ones by it). */
export const CA_SUBJECT_PREFIX = 'Mem0 Tray';

export interface CaMaterial {
  certPem: string;
  /** PKCS#1 PEM. Never logged, never leaves the data directory. */
  keyPem: string;
  /** SHA-256 of the DER, lower-case hex without separators. */
  fingerprintSha256: string;
  notAfter: Date;
  /** The hosts the name constraint permits (sorted, lower case). */
  hosts: string[];
  /** True when this call made a new CA. */
  regenerated: boolean;
  /** The CA this call replaced, if any. */
  previousFingerprint?: string;
}

interface CaMetadata {
  hosts: string[];
  fingerprintSha256: string;
  createdAt: string;
}

export function metadataPath(paths: CaPaths): string {
  return `${paths.caDir}/ca.json`;
}

export function normalizeHosts(hosts: readonly string[]): string[] {
  return [...new Set(hosts.map((h) => h.trim().toLowerCase()).filter(Boolean))].sort();
}

function fingerprintOf(certPem: string): string {
  return new crypto.X509Certificate(certPem).fingerprint256.replace(/:/g, '').toLowerCase();
}

/** Why the CA on disk cannot be reused, or null when it can. */
function staleReason(paths: CaPaths, hosts: string[], now: Date): string | null {
  let certPem: string;
  let keyPem: string;
  try {
    certPem = fs.readFileSync(paths.caCert, 'utf8');
    keyPem = fs.readFileSync(paths.caKey, 'utf8');
  } catch {
    return 'missing';
  }
  let meta: CaMetadata;
  try {
    meta = JSON.parse(fs.readFileSync(metadataPath(paths), 'utf8')) as CaMetadata;
  } catch {
    return 'metadata_missing';
  }
  if (JSON.stringify(normalizeHosts(meta.hosts ?? [])) !== JSON.stringify(hosts)) return 'hosts_changed';
  try {
    const x509 = new crypto.X509Certificate(certPem);
    if (!x509.checkPrivateKey(crypto.createPrivateKey(keyPem))) return 'key_mismatch';
    if (new Date(x509.validTo).getTime() - now.getTime() < CA_RENEW_BEFORE_DAYS * DAY) return 'expiring';
  } catch {
    return 'unreadable';
  }
  return null;
}

function readCa(paths: CaPaths, hosts: string[]): Omit<CaMaterial, 'regenerated'> {
  const certPem = fs.readFileSync(paths.caCert, 'utf8');
  const keyPem = fs.readFileSync(paths.caKey, 'utf8');
  return {
    certPem,
    keyPem,
    fingerprintSha256: fingerprintOf(certPem),
    notAfter: new Date(new crypto.X509Certificate(certPem).validTo),
    hosts,
  };
}

function previousFingerprint(paths: CaPaths): string | undefined {
  try {
    return fingerprintOf(fs.readFileSync(paths.caCert, 'utf8'));
  } catch {
    return undefined;
  }
}

/** A new CA certificate and key (not yet written). */
export async function createCaCertificate(
  hosts: readonly string[],
  now = new Date(),
): Promise<{ certPem: string; keyPem: string }> {
  const keys = await generateRsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerial();
  // An hour of slack for clocks that run behind.
  cert.validity.notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + CA_LIFETIME_DAYS * DAY);
  const subject = [
    { name: 'commonName', value: `${CA_SUBJECT_PREFIX} CA ${now.toISOString().slice(0, 10)}` },
    { name: 'organizationName', value: CA_SUBJECT_PREFIX },
    { shortName: 'OU', value: 'local capture proxy (name-constrained)' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 0 },
    { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
    { name: 'subjectKeyIdentifier' },
    { id: '2.5.29.30', critical: true, value: nameConstraintsDer(normalizeHosts(hosts)) },
  ]);
  cert.sign(
    nativeSigner(keys.privateKeyPem) as unknown as forge.pki.rsa.PrivateKey,
    forge.md.sha256.create(),
  );
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

function ensureCaDir(paths: CaPaths): void {
  try {
    fs.mkdirSync(paths.caDir, { recursive: true, mode: 0o700 });
    // mkdir's mode is masked by the umask and ignored for an existing directory.
    if (process.platform !== 'win32') fs.chmodSync(paths.caDir, 0o700);
  } catch (err) {
    throw fileSystemError(err, paths.caDir);
  }
}

/**
 * A new CA made but not yet written: `ca regenerate` changes the trust stores first and writes
 * (commits) it only when that worked, so a cancelled prompt leaves the current CA in place.
 */
export interface StagedCa {
  certPem: string;
  keyPem: string;
  hosts: string[];
}

export async function stageCa(hosts: readonly string[]): Promise<StagedCa> {
  const wanted = normalizeHosts(hosts);
  return { ...(await createCaCertificate(wanted)), hosts: wanted };
}

/** Writes a staged CA over whatever is there, and says so in the log. */
export function commitCa(paths: CaPaths, staged: StagedCa, log: Logger, reason = 'requested'): CaMaterial {
  const { certPem, keyPem, hosts } = staged;
  ensureCaDir(paths);
  const previous = previousFingerprint(paths);
  // Key first: a cert on disk always has its key next to it.
  writeFileAtomic(paths.caKey, keyPem, 0o600);
  // The certificate is public, but it lives in the data directory, where every file is private.
  writeFileAtomic(paths.caCert, certPem, 0o600);
  const fingerprintSha256 = fingerprintOf(certPem);
  const meta: CaMetadata = { hosts, fingerprintSha256, createdAt: new Date().toISOString() };
  writeFileAtomic(metadataPath(paths), JSON.stringify(meta, null, 2) + '\n', 0o600);
  log.info('ca.regenerated', {
    reason,
    fingerprint: fingerprintSha256,
    previous: previous ?? null,
    hosts: hosts.length,
  });
  return {
    certPem,
    keyPem,
    fingerprintSha256,
    notAfter: new Date(new crypto.X509Certificate(certPem).validTo),
    hosts,
    regenerated: true,
    previousFingerprint: previous,
  };
}

/**
 * A staged CA in the shape `ca regenerate` takes it (TrustService's stageCa): its PEM now, and a
 * commit that writes it — straight to the files, or through `commit` (a running core's capture
 * feature, which switches the proxy at the same moment).
 */
export async function stageCaForRegenerate(
  paths: CaPaths,
  hosts: readonly string[],
  log: Logger,
  commit: (staged: StagedCa) => unknown = (staged) => commitCa(paths, staged, log, 'requested'),
): Promise<{ pem: string; commit(): Promise<void> }> {
  const staged = await stageCa(hosts);
  return {
    pem: staged.certPem,
    commit: async () => {
      await commit(staged);
    },
  };
}

/** Makes a new CA for these hosts, replacing whatever is there, and says so in the log. */
export async function regenerateCa(
  paths: CaPaths,
  hosts: readonly string[],
  log: Logger,
  reason = 'requested',
): Promise<CaMaterial> {
  return commitCa(paths, await stageCa(hosts), log, reason);
}

/** The CA for these hosts: the one on disk when still good, else a new one. */
export async function loadOrCreateCa(
  paths: CaPaths,
  hosts: readonly string[],
  log: Logger,
  now = new Date(),
): Promise<CaMaterial> {
  const wanted = normalizeHosts(hosts);
  const reason = staleReason(paths, wanted, now);
  if (reason) return regenerateCa(paths, wanted, log, reason);
  // Someone may have loosened the key's mode; put it back.
  if (process.platform !== 'win32') {
    try {
      fs.chmodSync(paths.caKey, 0o600);
    } catch {
      // read-only data directory: the key is still usable
    }
  }
  return { ...readCa(paths, wanted), regenerated: false };
}
