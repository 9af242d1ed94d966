// Test CAs and leaves made with the real openssl CLI: a CA name-constrained like ours (DNS
// api.anthropic.com only, every IP excluded) and leaves for any host name.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DebianDirs } from '../../../main/core/certs/trust/linux-anchors.js';
import { tempDir } from '../../support/tmp.js';
import { partAvailable } from '../../support/available.js';

export interface TestCa {
  dir: string;
  certFile: string;
  keyFile: string;
  pem: string;
}

export interface TestLeaf {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makeCa(subject = '/CN=Mem0 Tray CA/O=Mem0 Tray', constrained = true): TestCa {
  const dir = tempDir('mem0-tray-pki-');
  const args = [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '30',
    '-subj',
    subject,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ];
  if (constrained) {
    args.push(
      '-addext',
      'nameConstraints=critical,permitted;DNS:api.anthropic.com,excluded;IP:0.0.0.0/0.0.0.0,excluded;IP:::/::',
    );
  }
  openssl(args, dir);
  return {
    dir,
    certFile: path.join(dir, 'ca.pem'),
    keyFile: path.join(dir, 'ca.key'),
    pem: fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
  };
}

let serial = 1;
export function makeLeaf(ca: TestCa, host: string): TestLeaf {
  const dir = ca.dir;
  const base = `${host.replace(/[^a-z0-9.]/gi, '_')}-${serial++}`;
  fs.writeFileSync(
    path.join(dir, `${base}.ext`),
    `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n`,
  );
  openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${base}.key`,
      '-out',
      `${base}.csr`,
      '-subj',
      `/CN=${host}`,
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${base}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-set_serial',
      String(Date.now() + serial),
      '-out',
      `${base}.pem`,
      '-days',
      '5',
      '-extfile',
      `${base}.ext`,
    ],
    dir,
  );
  const certFile = path.join(dir, `${base}.pem`);
  const keyFile = path.join(dir, `${base}.key`);
  return {
    certFile,
    keyFile,
    cert: fs.readFileSync(certFile, 'utf8'),
    key: fs.readFileSync(keyFile, 'utf8'),
  };
}

/** `openssl verify -CAfile bundle leaf`: exit status and output. */
export function opensslVerify(bundle: string, leafFile: string): { ok: boolean; output: string } {
  try {
    const out = execFileSync('openssl', ['verify', '-CAfile', bundle, leafFile], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { ok: true, output: out };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

export function hasTool(tool: string, args: string[] = ['--version']): boolean {
  try {
    execFileSync(tool, args, { stdio: 'ignore' });
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/**
 * Whether a suite needing `tool` can run. Missing tools skip loudly on a laptop and fail under CI,
 * where the workflow installs them (libnss3-tools, ca-certificates, openssl, curl).
 */
export function toolAvailable(tool: string, args?: string[]): boolean {
  return partAvailable(tool, hasTool(tool, args), 'install it with apt-get; see .ci/run');
}

function distroPem(certsdir: string): string {
  return fs.readFileSync(path.join(certsdir, 'distro', 'root.crt'), 'utf8');
}

/** A Debian trust store in a temp directory, for the real update-ca-certificates (never /etc). */
export function throwawayDebianStore(): { dirs: Required<DebianDirs>; bundle: string; distroRoot: string } {
  const root = tempDir('mem0-tray-debian-');
  const dirs = {
    certsconf: path.join(root, 'ca-certificates.conf'),
    certsdir: path.join(root, 'share'),
    localcertsdir: path.join(root, 'local share'),
    etccertsdir: path.join(root, 'etc certs'),
    hooksdir: path.join(root, 'hooks'),
  };
  for (const d of [dirs.certsdir, dirs.localcertsdir, dirs.etccertsdir, dirs.hooksdir]) fs.mkdirSync(d);
  // One "distribution" root, as on a real system (update-ca-certificates leaves a stale bundle in
  // place when it has no certificate at all to write, which never happens outside a test).
  fs.mkdirSync(path.join(dirs.certsdir, 'distro'));
  fs.writeFileSync(
    path.join(dirs.certsdir, 'distro', 'root.crt'),
    makeCa('/CN=Distro Root/O=Distro', false).pem,
  );
  fs.writeFileSync(dirs.certsconf, 'distro/root.crt\n');
  return {
    dirs,
    bundle: path.join(dirs.etccertsdir, 'ca-certificates.crt'),
    distroRoot: distroPem(dirs.certsdir),
  };
}
