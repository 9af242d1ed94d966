// RSA keys from Node's native generator (OpenSSL, on the libuv thread pool), handed to node-forge
// for certificate building. forge's own generator is pure JavaScript: seconds of blocked event loop
// per key, which would stall every proxied stream while a leaf is made.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPair = promisify(crypto.generateKeyPair);

export interface ForgeKeyPair {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  /** PKCS#1 PEM of the private key. */
  privateKeyPem: string;
}

function toForge(privatePem: string, publicPem: string): ForgeKeyPair {
  return {
    privateKey: forge.pki.privateKeyFromPem(privatePem) as forge.pki.rsa.PrivateKey,
    publicKey: forge.pki.publicKeyFromPem(publicPem) as forge.pki.rsa.PublicKey,
    privateKeyPem: privatePem,
  };
}

const RSA_OPTIONS = {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
} as const;

export async function generateRsaKeys(): Promise<ForgeKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('rsa', RSA_OPTIONS);
  return toForge(privateKey, publicKey);
}

/** A positive random serial (RFC 5280: at most 20 octets, non-negative), as forge wants it: hex. */
export function randomSerial(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f; // clear the sign bit
  if (bytes[0] === 0) bytes[0] = 0x01; // keep 16 octets, no leading zero to strip
  return bytes.toString('hex');
}
