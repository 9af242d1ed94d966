// The real Claude Code CLI (a Bun-compiled binary, not Node) honours our CA's name constraint.
// Claude Code goes through a small CONNECT proxy to a local TLS server; NODE_EXTRA_CA_CERTS holds
// the CA. A leaf for evil.example is refused when it comes from our name-constrained CA, and the
// same leaf from an unconstrained CA is accepted (so the refusal is the constraint, nothing else).
// Positive control: api.anthropic.com under our CA is accepted. "Our CA" is the real one
// (loadOrCreateCa, with the hand-built nameConstraints DER) and its leaves come from our LeafIssuer.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateCa } from '../../../main/core/certs/ca.js';
import { LeafIssuer } from '../../../main/core/certs/leaf-certs.js';
import { dataPaths } from '../../../main/core/config/paths.js';
import { silentLogger } from '../../../main/core/log.js';
import { claudeAvailable, claudeEnv, runClaude } from '../../support/claude.js';
import { tempDir } from '../../support/tmp.js';
import { makeCa, makeLeaf, toolAvailable, type TestCa } from './pki.js';

const canRun = toolAvailable('openssl', ['version']) && claudeAvailable();

interface Upstream {
  port: number;
  requests: number;
  tlsErrors: string[];
  close(): Promise<void>;
}

interface Leaf {
  key: string;
  cert: string;
}

async function tlsServer(leaf: Leaf): Promise<Upstream> {
  const state = { requests: 0, tlsErrors: [] as string[] };
  const server = https.createServer({ key: leaf.key, cert: leaf.cert }, (req, res) => {
    state.requests++;
    req.resume();
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        type: 'error',
        error: { type: 'authentication_error', message: 'invalid x-api-key' },
      }),
    );
  });
  server.on('tlsClientError', (err) => state.tlsErrors.push(err.message));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    get requests() {
      return state.requests;
    },
    tlsErrors: state.tlsErrors,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A CONNECT proxy that sends every tunnel to one local port, whatever host was asked for. */
async function connectProxy(target: () => number): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  const sockets = new Set<net.Socket>();
  server.on('connect', (_req, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const upstream = net.connect(target(), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((r) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe.skipIf(!canRun)('real Claude Code CLI and the name constraint', () => {
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of closers) await c();
  });

  /** Our CA from a fresh data directory, and a leaf for any host from our issuer. */
  async function ours(host: string): Promise<{ caPem: string; leaf: Leaf }> {
    const ca = await loadOrCreateCa(dataPaths(tempDir('mem0-ca-')), ['api.anthropic.com'], silentLogger);
    const leaf = await new LeafIssuer(ca).issue(host);
    return { caPem: ca.certPem, leaf: { key: leaf.keyPem, cert: leaf.certPem } };
  }

  function unconstrained(host: string): { caPem: string; leaf: Leaf } {
    const ca: TestCa = makeCa('/CN=Unconstrained Test CA', false);
    return { caPem: ca.pem, leaf: makeLeaf(ca, host) };
  }

  async function attempt({ caPem, leaf }: { caPem: string; leaf: Leaf }, host: string): Promise<Upstream> {
    const upstream = await tlsServer(leaf);
    const proxy = await connectProxy(() => upstream.port);
    closers.push(upstream.close, proxy.close);
    const caFile = path.join(tempDir(), 'ca.pem');
    fs.writeFileSync(caFile, caPem);
    await runClaude(['-p', 'hello', '--max-turns', '1'], {
      cwd: tempDir('claude-cwd-'),
      env: claudeEnv({
        HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`,
        ANTHROPIC_BASE_URL: `https://${host}`,
        NODE_EXTRA_CA_CERTS: caFile,
        CLAUDE_CODE_MAX_RETRIES: '0',
        API_TIMEOUT_MS: '5000',
      }),
      timeoutMs: 25_000,
    });
    return upstream;
  }

  it('accepts api.anthropic.com under our name-constrained CA (positive control)', async () => {
    const upstream = await attempt(await ours('api.anthropic.com'), 'api.anthropic.com');
    expect(upstream.requests).toBeGreaterThan(0);
  }, 40_000);

  it('accepts evil.example under an unconstrained CA (the setup works for that host)', async () => {
    const upstream = await attempt(unconstrained('evil.example'), 'evil.example');
    expect(upstream.requests).toBeGreaterThan(0);
  }, 40_000);

  it('refuses evil.example under our name-constrained CA', async () => {
    const upstream = await attempt(await ours('evil.example'), 'evil.example');
    expect(upstream.requests).toBe(0);
    expect(upstream.tlsErrors.length).toBeGreaterThan(0);
  }, 40_000);
});
