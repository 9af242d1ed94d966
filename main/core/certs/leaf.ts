// Leaf certificates for the intercepted hosts, signed by the capture CA. The key of each leaf comes
// from Node's asynchronous generator (the thread pool), never from a synchronous call on the event
// loop; leaves are cached per host and re-issued before they expire or when the CA changes.
import crypto from 'node:crypto';
import tls from 'node:tls';
import forge from 'node-forge';
import type { LoadedCa } from './ca.js';
import { generateRsaKey } from './ca.js';
import { randomSerial, signWithNodeKey } from './native-sign.js';

/** Short-lived: a leaf key never outlives a week, and a running proxy re-issues well before. */
export const LEAF_VALIDITY_DAYS = 7;
const RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface Leaf {
  host: string;
  certPem: string;
  keyPem: string;
  notAfter: Date;
  /** The CA that signed it. */
  caFingerprint256: string;
}

/** Issues one leaf for `host` (async: the key is generated off the event loop). */
export async function issueLeaf(ca: LoadedCa, host: string, now = new Date()): Promise<Leaf> {
  const keys = await generateRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + LEAF_VALIDITY_DAYS * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: host }]);
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', critical: true, cA: false },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    // Clients match names only against the SAN; the CN alone is ignored by modern TLS stacks.
    { name: 'subjectAltName', altNames: [{ type: 2, value: host }] },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: forge.util.hexToBytes(ca.subjectKeyId) },
  ]);
  signWithNodeKey(cert, ca.keyPem);
  return {
    host,
    certPem: forge.pki.certificateToPem(cert),
    keyPem: keys.privateKey,
    notAfter: cert.validity.notAfter,
    caFingerprint256: ca.fingerprint256,
  };
}

interface CacheEntry {
  context: Promise<tls.SecureContext>;
}

/**
 * Hands out TLS contexts per host for the proxy's TLS side. Concurrent handshakes for a new host
 * share one issuance; a failed issuance is forgotten so the next handshake tries again.
 */
export class LeafIssuer {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly ready = new Map<string, { leaf: Leaf; context: tls.SecureContext }>();

  constructor(private ca: LoadedCa) {}

  get caFingerprint(): string {
    return this.ca.fingerprint256;
  }

  /** A new CA: every leaf is re-issued on its next use. */
  setCa(ca: LoadedCa): void {
    this.ca = ca;
    this.cache.clear();
    this.ready.clear();
  }

  private fresh(leaf: Leaf): boolean {
    return (
      leaf.caFingerprint256 === this.ca.fingerprint256 &&
      leaf.notAfter.getTime() - Date.now() > RENEW_BEFORE_MS
    );
  }

  /** The context for `host`, issuing (or renewing) its leaf if needed. */
  context(host: string): Promise<tls.SecureContext> {
    const key = host.toLowerCase();
    const done = this.ready.get(key);
    if (done && this.fresh(done.leaf)) return Promise.resolve(done.context);
    let pending = this.cache.get(key);
    if (!pending) {
      const context = issueLeaf(this.ca, key).then((leaf) => {
        const ctx = tls.createSecureContext({ key: leaf.keyPem, cert: leaf.certPem });
        if (leaf.caFingerprint256 === this.ca.fingerprint256) this.ready.set(key, { leaf, context: ctx });
        this.cache.delete(key);
        return ctx;
      });
      context.catch(() => this.cache.delete(key));
      pending = { context };
      this.cache.set(key, pending);
    }
    // Renewing a leaf that is still valid under the current CA: serve it while the new one is made.
    if (
      done &&
      done.leaf.caFingerprint256 === this.ca.fingerprint256 &&
      done.leaf.notAfter.getTime() > Date.now()
    ) {
      return Promise.resolve(done.context);
    }
    return pending.context;
  }

  /** The current leaf for `host`, if one was issued (tests, status). */
  leaf(host: string): Leaf | undefined {
    return this.ready.get(host.toLowerCase())?.leaf;
  }

  /** Issue leaves ahead of the first handshake, so the first request does not wait for a key. */
  async warm(hosts: readonly string[]): Promise<void> {
    await Promise.all(hosts.map((h) => this.context(h).catch(() => undefined)));
  }
}

/** Fingerprint helper for tests and logs: the SHA-256 of a PEM certificate, as Node prints it. */
export function fingerprintOf(certPem: string): string {
  return new crypto.X509Certificate(certPem).fingerprint256;
}
