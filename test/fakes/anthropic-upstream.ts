// The fake Anthropic API (test/fakes/anthropic-api.ts) speaking TLS as api.anthropic.com, with its
// own throwaway test CA (made with the openssl CLI, unrelated to the app's capture CA), plus a
// reply queue for tests that script a conversation turn by turn (tool loops, MCP calls).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../support/tmp.js';
import {
  defaultScript,
  startFakeAnthropic,
  type FakeAnthropic,
  type FakeAnthropicOptions,
  type MessagesBody,
  type RecordedRequest,
  type Reply,
  type Script,
} from './anthropic-api.js';

export * from './anthropic-api.js';

export interface UpstreamPki {
  /** PEM of the test CA: what a client (or MEM0_TRAY_UPSTREAM_CA) must trust. */
  caPem: string;
  caFile: string;
  certPem: string;
  keyPem: string;
}

/** A test CA and a leaf for api.anthropic.com (SAN also 127.0.0.1 and localhost, for direct calls). */
export function makeUpstreamPki(hosts: readonly string[] = ['api.anthropic.com']): UpstreamPki {
  const dir = tempDir('fake-anthropic-pki-');
  const run = (args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Fake Anthropic Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ]);
  run(['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${hosts[0]}`]);
  const san = [...hosts.map((h) => `DNS:${h}`), 'DNS:localhost', 'IP:127.0.0.1'].join(',');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  run([
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    'leaf.pem',
    '-extfile',
    'ext.cnf',
  ]);
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  return {
    caPem: read('ca.pem'),
    caFile: path.join(dir, 'ca.pem'),
    certPem: read('leaf.pem'),
    keyPem: read('leaf.key'),
  };
}

export interface FakeAnthropicUpstream extends FakeAnthropic {
  /** Present when started with tls: the CA that signed its api.anthropic.com certificate. */
  pki: UpstreamPki | null;
  /** Replies handed out one per Messages call, in order; then `fallback` (default: a greeting). */
  queue(replies: Array<Reply | Script>, fallback?: Script): void;
}

export async function startFakeAnthropicUpstream(
  options: Omit<FakeAnthropicOptions, 'tls'> & { tls?: boolean } = {},
): Promise<FakeAnthropicUpstream> {
  const pki = options.tls ? makeUpstreamPki() : null;
  const fake = await startFakeAnthropic({
    ...options,
    tls: pki ? { key: pki.keyPem, cert: pki.certPem } : undefined,
  });
  return {
    ...fake,
    pki,
    queue(replies, fallback = defaultScript) {
      const pending = [...replies];
      fake.setScript((body: MessagesBody, request: RecordedRequest) => {
        const next = pending.shift();
        if (next === undefined) return fallback(body, request);
        return typeof next === 'function' ? next(body, request) : next;
      });
    },
  };
}
