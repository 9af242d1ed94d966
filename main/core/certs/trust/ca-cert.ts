// What the trust stores need to know about a CA certificate, read from its PEM with Node's own X.509
// parser: fingerprints (SHA-256 to identify it to the user, SHA-1 because the macOS keychain and
// Windows certutil address certificates by it), subject, serial and expiry.
import { X509Certificate } from 'node:crypto';
import { UserError } from '../../errors.js';

/** Every CA this app has ever made carries this prefix in its subject CN or O. */
export const OUR_SUBJECT_PREFIX = 'Mem0 Tray';

export interface CaCert {
  /** One certificate, PEM, ending with a newline. */
  pem: string;
  /** Lower-case hex, no separators. */
  sha256: string;
  sha1: string;
  /** Upper-case hex as X.509 prints it. */
  serial: string;
  commonName: string | null;
  organization: string | null;
  /** ISO time. */
  notAfter: string;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Lower-case hex without colons or spaces: how fingerprints are compared everywhere. */
export function normalizeFingerprint(value: string): string {
  return value.replace(/[^0-9a-f]/gi, '').toLowerCase();
}

/** AB:CD:… for people. */
export function formatFingerprint(hex: string): string {
  return (normalizeFingerprint(hex).match(/../g) ?? []).join(':').toUpperCase();
}

export function parseCaCert(pem: string): CaCert {
  const block = pem.match(PEM_BLOCK)?.[0];
  if (!block) throw new UserError('invalid_input', 'The CA file holds no PEM certificate.');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(block);
  } catch (err) {
    throw new UserError('invalid_input', `The CA certificate cannot be read: ${(err as Error).message}`);
  }
  return {
    pem: block + '\n',
    sha256: normalizeFingerprint(x509.fingerprint256),
    sha1: normalizeFingerprint(x509.fingerprint),
    serial: x509.serialNumber.toUpperCase(),
    commonName: subjectField(x509.subject, 'CN'),
    organization: subjectField(x509.subject, 'O'),
    notAfter: new Date(x509.validTo).toISOString(),
  };
}

/** Every certificate in a text that may hold several PEM blocks (command output, bundles). */
export function parseAllCerts(text: string): CaCert[] {
  const out: CaCert[] = [];
  for (const block of text.match(PEM_BLOCK) ?? []) {
    try {
      out.push(parseCaCert(block));
    } catch {
      // a damaged block in someone else's output is not ours to report
    }
  }
  return out;
}

export function isOurs(cert: Pick<CaCert, 'commonName' | 'organization'>): boolean {
  return Boolean(
    cert.commonName?.startsWith(OUR_SUBJECT_PREFIX) || cert.organization?.startsWith(OUR_SUBJECT_PREFIX),
  );
}

function subjectField(subject: string, key: string): string | null {
  for (const line of subject.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && line.slice(0, eq) === key) return line.slice(eq + 1);
  }
  return null;
}
