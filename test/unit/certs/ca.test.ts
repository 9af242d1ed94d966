// The capture CA and its leaves, checked by real verifiers: OpenSSL's parser for the extensions and
// Node's TLS for the name constraint (a leaf for another host under our CA is refused).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataPaths } from '../../../main/core/config/paths.js';
import { loadOrCreateCa, metadataPath, regenerateCa, type CaMaterial } from '../../../main/core/certs/ca.js';
import { LeafIssuer } from '../../../main/core/certs/leaf-certs.js';
import { silentLogger, type Logger } from '../../../main/core/log.js';
import { tempDir } from '../../support/tmp.js';

const HOSTS = ['api.anthropic.com'];

function recordingLog(): { log: Logger; events: string[] } {
  const events: string[] = [];
  const log: Logger = {
    ...silentLogger,
    info: (e) => events.push(e),
    child: () => log,
  };
  return { log, events };
}

function opensslText(pem: string): string {
  return execFileSync('openssl', ['x509', '-noout', '-text'], { input: pem, encoding: 'utf8' });
}

/** Serves `leaf` over TLS on 127.0.0.1 and fetches it as `servername`, trusting only `caPem`. */
async function handshake(leaf: { certPem: string; keyPem: string }, caPem: string, servername: string) {
  const server = https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  try {
    return await new Promise<string>((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port, servername, ca: caPem, headers: { host: servername }, agent: false },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c));
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', reject);
      req.end();
    });
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

describe('capture CA', () => {
  const paths = dataPaths(tempDir('mem0-ca-'));
  let ca: CaMaterial;

  afterAll(() => {});

  it('is created once, with the right files and modes, and reused', async () => {
    const { log, events } = recordingLog();
    ca = await loadOrCreateCa(paths, HOSTS, log);
    expect(ca.regenerated).toBe(true);
    expect(events).toContain('ca.regenerated');
    expect(fs.readFileSync(paths.caCert, 'utf8')).toBe(ca.certPem);
    if (process.platform !== 'win32') {
      expect(fs.statSync(paths.caKey).mode & 0o777).toBe(0o600);
      expect(fs.statSync(paths.caDir).mode & 0o777).toBe(0o700);
    }
    const again = await loadOrCreateCa(paths, HOSTS, silentLogger);
    expect(again.regenerated).toBe(false);
    expect(again.fingerprintSha256).toBe(ca.fingerprintSha256);
    expect(ca.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    const days = (ca.notAfter.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(700);
    // Never the library's default CA directory.
    expect(fs.existsSync(path.join(process.cwd(), '.http-mitm-proxy'))).toBe(false);
  });

  it('carries the constraints a CA of ours must have (read by OpenSSL)', () => {
    const text = opensslText(ca.certPem);
    expect(text).toMatch(/Public-Key: \(2048 bit\)/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toMatch(/X509v3 Subject Key Identifier/);
    expect(text).toMatch(
      /X509v3 Name Constraints: critical\s+Permitted:\s+DNS:api\.anthropic\.com\s+Excluded:\s+IP:0\.0\.0\.0\/0\.0\.0\.0\s+IP:0:0:0:0:0:0:0:0\/0:0:0:0:0:0:0:0/,
    );
    expect(text).toMatch(/Subject: CN = Mem0 Tray CA/);
    const serial = new crypto.X509Certificate(ca.certPem).serialNumber;
    expect(parseInt(serial.slice(0, 2), 16)).toBeLessThan(0x80); // positive
  });

  it('issues leaves with a SAN and serverAuth that Node TLS accepts for api.anthropic.com', async () => {
    const issuer = new LeafIssuer(ca);
    const leaf = await issuer.leafFor('api.anthropic.com');
    const text = opensslText(leaf.certPem);
    expect(text).toMatch(/X509v3 Subject Alternative Name:\s+DNS:api\.anthropic\.com/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Server Authentication\n/);
    expect(text).toMatch(/CA:FALSE/);
    expect((leaf.notAfter.getTime() - Date.now()) / 86_400_000).toBeLessThanOrEqual(7);
    expect(await handshake(leaf, ca.certPem, 'api.anthropic.com')).toBe('ok');
    // Cached: the same leaf again, and concurrent first requests share one issuance.
    expect(await issuer.leafFor('API.anthropic.com')).toBe(leaf);
    const [a, b] = await Promise.all([
      issuer.leafFor('x.api.anthropic.com'),
      issuer.leafFor('x.api.anthropic.com'),
    ]);
    expect(a).toBe(b);
  });

  it('a leaf for another host signed by our CA is refused by Node TLS (name constraint)', async () => {
    const issuer = new LeafIssuer(ca);
    const evil = await issuer.issue('example.com');
    await expect(handshake(evil, ca.certPem, 'example.com')).rejects.toThrow(/name constraint|permitted/i);
    // And openssl verify agrees.
    const dir = tempDir('mem0-ca-verify-');
    fs.writeFileSync(path.join(dir, 'ca.pem'), ca.certPem);
    fs.writeFileSync(path.join(dir, 'evil.pem'), evil.certPem);
    fs.writeFileSync(path.join(dir, 'good.pem'), (await issuer.leafFor('api.anthropic.com')).certPem);
    const verify = (file: string) => {
      try {
        return execFileSync('openssl', ['verify', '-CAfile', 'ca.pem', file], {
          cwd: dir,
          encoding: 'utf8',
          stdio: 'pipe',
        });
      } catch (err) {
        return (
          String((err as { stdout?: string }).stdout ?? '') +
          String((err as { stderr?: string }).stderr ?? '')
        );
      }
    };
    expect(verify('good.pem')).toContain('good.pem: OK');
    expect(verify('evil.pem')).toMatch(/permitted subtree violation/);
  });

  it('is regenerated, with a log line, when the intercepted hosts change or expiry nears', async () => {
    const { log, events } = recordingLog();
    const more = await loadOrCreateCa(paths, ['api.anthropic.com', 'claude.ai'], log);
    expect(more.regenerated).toBe(true);
    expect(more.previousFingerprint).toBe(ca.fingerprintSha256);
    expect(events).toEqual(['ca.regenerated']);
    expect(JSON.parse(fs.readFileSync(metadataPath(paths), 'utf8')).hosts).toEqual([
      'api.anthropic.com',
      'claude.ai',
    ]);
    expect(opensslText(more.certPem)).toMatch(/Permitted:\s+DNS:api\.anthropic\.com\s+DNS:claude\.ai/);
    // 20 days before its end (of a two-year CA) it is renewed.
    const late = new Date(more.notAfter.getTime() - 20 * 86_400_000);
    const renewed = await loadOrCreateCa(paths, ['claude.ai', 'api.anthropic.com'], silentLogger, late);
    expect(renewed.regenerated).toBe(true);
    const forced = await regenerateCa(paths, HOSTS, silentLogger);
    expect(forced.previousFingerprint).toBe(renewed.fingerprintSha256);
    expect(forced.fingerprintSha256).not.toBe(renewed.fingerprintSha256);
  });

  it('a missing or mismatched key is replaced rather than used', async () => {
    fs.writeFileSync(paths.caKey, (await regenerateCa(dataPaths(tempDir()), HOSTS, silentLogger)).keyPem);
    const fixed = await loadOrCreateCa(paths, HOSTS, silentLogger);
    expect(fixed.regenerated).toBe(true);
    expect(
      new crypto.X509Certificate(fixed.certPem).checkPrivateKey(crypto.createPrivateKey(fixed.keyPem)),
    ).toBe(true);
  });
});
