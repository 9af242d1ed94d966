// Certificate signatures made by Node's crypto (OpenSSL) instead of forge's JavaScript RSA: forge
// builds the certificate and hashes it, this signs the digest natively, so issuing a leaf for a new
// host does not hold the event loop that forwards traffic.
import crypto from 'node:crypto';
import type forge from 'node-forge';

/** DER prefix of DigestInfo { sha256, NULL } (RFC 8017 §9.2, note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** What forge's cert.sign(key, md) calls: key.sign(md) → binary string. */
export interface ForgeSigner {
  sign(md: forge.md.MessageDigest): string;
}

export function nativeSigner(privateKeyPem: string): ForgeSigner {
  const key = crypto.createPrivateKey(privateKeyPem);
  return {
    sign(md) {
      if (md.algorithm !== 'sha256') throw new Error(`unsupported digest ${md.algorithm}`);
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      const signature = crypto.privateEncrypt(
        { key, padding: crypto.constants.RSA_PKCS1_PADDING },
        Buffer.concat([SHA256_DIGEST_INFO, digest]),
      );
      return signature.toString('binary');
    },
  };
}
