// Leaf certificates for the intercepted hosts, issued by the capture CA: a SAN always (clients
// ignore the CN), serverAuth only, a few days of validity, keys from Node's native generator so the
// event loop never waits on RSA. One leaf per host, cached; concurrent first requests share one.
import crypto from 'node:crypto';
import forge from 'node-forge';
import { generateRsaKeys, randomSerial } from './native-keys.js';
import { nativeSigner, type ForgeSigner } from './native-sign.js';

export const LEAF_LIFETIME_DAYS = 7;
/** A cached leaf is replaced when less than this remains. */
export const LEAF_RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;

export interface LeafCert {
  host: string;
  certPem: string;
  keyPem: string;
  notAfter: Date;
}

export interface CaForIssuing {
  certPem: string;
  keyPem: string;
}

export class LeafIssuer {
  private readonly cache = new Map<string, Promise<LeafCert>>();
  private readonly caCert: forge.pki.Certificate;
  private readonly caKeyId: string;
  private readonly signer: ForgeSigner;
  readonly caNotAfter: Date;

  constructor(ca: CaForIssuing) {
    this.caCert = forge.pki.certificateFromPem(ca.certPem);
    this.caKeyId = this.caCert.generateSubjectKeyIdentifier().getBytes();
    this.signer = nativeSigner(ca.keyPem);
    this.caNotAfter = this.caCert.validity.notAfter;
  }

  /** The leaf for a host (cached until close to its expiry). */
  leafFor(host: string): Promise<LeafCert> {
    const key = host.toLowerCase();
    const cached = this.cache.get(key);
    if (cached) {
      return cached.then((leaf) =>
        leaf.notAfter.getTime() - Date.now() > LEAF_RENEW_BEFORE_MS ? leaf : this.issueAndCache(key),
      );
    }
    return this.issueAndCache(key);
  }

  cachedHosts(): number {
    return this.cache.size;
  }

  private issueAndCache(host: string): Promise<LeafCert> {
    const pending = this.issue(host);
    this.cache.set(host, pending);
    // A failure is not cached: the next connection tries again.
    pending.catch(() => {
      if (this.cache.get(host) === pending) this.cache.delete(host);
    });
    return pending;
  }

  async issue(host: string, now = new Date()): Promise<LeafCert> {
    const keys = await generateRsaKeys();
    const cert = forge.pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = randomSerial();
    cert.validity.notBefore = new Date(now.getTime() - 60 * 60 * 1000);
    const end = now.getTime() + LEAF_LIFETIME_DAYS * 24 * 60 * 60 * 1000;
    cert.validity.notAfter = new Date(Math.min(end, this.caNotAfter.getTime()));
    cert.setSubject([{ name: 'commonName', value: host }]);
    cert.setIssuer(this.caCert.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', critical: true, cA: false },
      { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: host }] },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: this.caKeyId },
    ]);
    cert.sign(this.signer as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
    const certPem = forge.pki.certificateToPem(cert);
    return {
      host,
      certPem,
      keyPem: keys.privateKeyPem,
      notAfter: new Date(new crypto.X509Certificate(certPem).validTo),
    };
  }
}
