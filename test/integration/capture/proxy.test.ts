// The proxy route end to end with real clients (curl, the official SDK, the real Claude Code CLI)
// against the fake Anthropic API speaking TLS as api.anthropic.com: what the client gets is what a
// direct connection gives, each Messages call reaches the sink once with credentials stripped, and
// any other host is tunnelled untouched (the client sees that server's own certificate).
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { ProxyAgent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dataPaths } from '../../../main/core/config/paths.js';
import { loadOrCreateCa, type CaMaterial } from '../../../main/core/certs/ca.js';
import { LEAF_LIFETIME_DAYS, LeafIssuer } from '../../../main/core/certs/leaf-certs.js';
import type { CapturedExchange, ExchangeSink } from '../../../main/core/capture/exchange.js';
import { startProxy, type CaptureProxy } from '../../../main/core/capture/net/proxy.js';
import { createUpstream, type Upstream } from '../../../main/core/capture/net/upstream.js';
import { silentLogger } from '../../../main/core/log.js';
import {
  hasToolResult,
  lastUserText,
  makeUpstreamPki,
  startFakeAnthropicUpstream,
  type FakeAnthropicUpstream,
} from '../../fakes/anthropic-upstream.js';
import { claudeAvailable, claudeEnv, runClaude } from '../../support/claude.js';
import { tempDir } from '../../support/tmp.js';

const run = promisify(execFile);

let fake: FakeAnthropicUpstream;
let ca: CaMaterial;
let caFile: string;
let upstream: Upstream;
const seen: CapturedExchange[] = [];
let proxy: CaptureProxy;
let proxyUrl: string;

/** Exchanges reach the sink after the client has its answer: wait for the count. */
async function exchanges(atLeast: number): Promise<CapturedExchange[]> {
  const deadline = Date.now() + 10_000;
  while (seen.length < atLeast && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return seen;
}

async function start(sink: ExchangeSink, up: Upstream | null = upstream): Promise<CaptureProxy> {
  return startProxy({
    port: 0,
    interceptHosts: () => ['api.anthropic.com'],
    issuer: () => new LeafIssuer(ca),
    upstream: () => up,
    sink,
    capturing: () => true,
    log: silentLogger,
  });
}

beforeAll(async () => {
  fake = await startFakeAnthropicUpstream({ tls: true, compress: true });
  const paths = dataPaths(tempDir('mem0-proxy-'));
  ca = await loadOrCreateCa(paths, ['api.anthropic.com'], silentLogger);
  caFile = paths.caCert;
  upstream = createUpstream({ upstream: fake.url, upstreamCa: fake.pki!.caFile });
  proxy = await start((e) => seen.push(e));
  proxyUrl = `http://127.0.0.1:${proxy.port}`;
});

afterAll(async () => {
  await proxy?.close();
  upstream?.close();
  await fake?.close();
});

const body = (stream: boolean, text = 'hi') =>
  JSON.stringify({ model: 'm', max_tokens: 10, stream, messages: [{ role: 'user', content: text }] });

async function curl(args: string[]): Promise<Buffer> {
  const { stdout } = await run('curl', ['-sS', '--fail-with-body', ...args], {
    encoding: 'buffer',
    maxBuffer: 1 << 24,
  });
  return stdout as Buffer;
}

describe('proxy with curl', () => {
  it('decrypts api.anthropic.com with our CA, streams SSE, and captures a decoded copy without credentials', async () => {
    fake.queue([{ text: 'The build uses esbuild.' }]);
    const before = seen.length;
    const out = await curl([
      '--proxy',
      proxyUrl,
      '--cacert',
      caFile,
      '--compressed',
      '-H',
      'x-api-key: sk-ant-secret',
      '-H',
      'authorization: Bearer tok',
      '-H',
      'cookie: a=b',
      '-H',
      'content-type: application/json',
      '-d',
      body(true, 'what builds it?'),
      'https://api.anthropic.com/v1/messages?beta=true',
    ]);
    const text = out.toString();
    expect(text).toContain('event: message_start');
    expect(text).toContain('event: message_stop');
    const got = (await exchanges(before + 1))[before]!;
    expect(got).toMatchObject({
      route: 'proxy',
      host: 'api.anthropic.com',
      method: 'POST',
      path: '/v1/messages?beta=true',
      status: 200,
      complete: true,
    });
    expect(got.responseHeaders['content-encoding']).toMatch(/gzip|br/);
    expect(got.responseBody.toString()).toContain('esbuild.');
    expect(JSON.parse(got.requestBody.toString()).messages[0].content).toBe('what builds it?');
    for (const h of ['x-api-key', 'authorization', 'cookie']) expect(got.requestHeaders[h]).toBeUndefined();
    // The upstream got the credential, though, and the override's Host.
    const last = fake.messages().at(-1)!;
    expect(last.headers['x-api-key']).toBe('sk-ant-secret');
    expect(last.headers.host).toBe(new URL(fake.url).host);
  });

  it('fails open: with a sink that throws, the client gets the bytes a direct connection gives', async () => {
    const direct = await startFakeAnthropicUpstream({ tls: true, compress: true });
    const behind = await startFakeAnthropicUpstream({ tls: true, compress: true });
    const up = createUpstream({ upstream: behind.url, upstreamCa: behind.pki!.caFile });
    const broken = await start(() => {
      throw new Error('the store is on fire');
    }, up);
    // Body bytes as sent: still compressed (curl does not decode without --compressed);
    // transfer-encoding framing is per hop and not compared.
    const call = (accept: string, stream: boolean) => {
      const args = [
        '-D',
        '-',
        '-H',
        `accept-encoding: ${accept}`,
        '-H',
        'content-type: application/json',
        '-d',
        body(stream),
      ];
      return Promise.all([
        curl([...args, '--cacert', direct.pki!.caFile, `${direct.url}/v1/messages`]),
        curl([
          ...args,
          '--proxy',
          `http://127.0.0.1:${broken.port}`,
          '--cacert',
          caFile,
          'https://api.anthropic.com/v1/messages',
        ]),
      ]);
    };
    const split = (all: Buffer) => {
      // curl -D prints the proxy's CONNECT answer first.
      const connect = 'HTTP/1.1 200 Connection Established\r\n\r\n';
      const raw = all.subarray(all.toString('latin1').startsWith(connect) ? connect.length : 0);
      const at = raw.indexOf('\r\n\r\n');
      return { head: raw.subarray(0, at).toString().toLowerCase(), body: raw.subarray(at + 4) };
    };
    // JSON, brotli-compressed (as Claude Code asks: zstd offered too) and uncompressed SSE: byte for byte.
    for (const [accept, stream] of [
      ['zstd, br, gzip', false],
      ['identity', true],
    ] as const) {
      const [a, b] = (await call(accept, stream)).map(split);
      expect(b!.body.length).toBeGreaterThan(100);
      expect(b!.body.equals(a!.body)).toBe(true);
      expect(b!.head.match(/content-encoding: .*/)?.[0]).toBe(a!.head.match(/content-encoding: .*/)?.[0]);
    }
    // Compressed SSE: the fake's streaming brotli output varies with timing, so compare the decoded
    // stream and the encoding the client was given.
    const [a, b] = (await call('zstd, br, gzip', true)).map(split);
    expect(b!.head).toContain('content-encoding: br');
    expect(zlib.brotliDecompressSync(b!.body).equals(zlib.brotliDecompressSync(a!.body))).toBe(true);
    // The upstream was offered only what the tap can decode.
    expect(behind.messages().map((m) => m.headers['accept-encoding'])).toEqual([
      'br, gzip',
      'identity',
      'br, gzip',
    ]);
    // The sink runs after the client has its bytes: its failures are counted, never returned.
    for (let i = 0; i < 100 && broken.stats().tapErrors < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(broken.stats().tapErrors).toBe(3);
    await broken.close();
    up.close();
    await direct.close();
    await behind.close();
  });

  it('keeps the connection alive across requests and answers other paths', async () => {
    const out = await curl([
      '--proxy',
      proxyUrl,
      '--cacert',
      caFile,
      '-w',
      '%{num_connects}\n',
      '-H',
      'content-type: application/json',
      '-d',
      body(false),
      'https://api.anthropic.com/v1/messages',
      '--next',
      '--proxy',
      proxyUrl,
      '--cacert',
      caFile,
      '-w',
      '%{num_connects}\n',
      'https://api.anthropic.com/api/claude_code/settings',
    ]);
    const lines = out.toString().trim().split('\n');
    expect(lines.at(-1)).toBe('{}0');
  });

  it('answers an Anthropic-style error when the upstream is down', async () => {
    const dead = createUpstream({ upstream: 'http://127.0.0.1:9' });
    const p = await start(() => {}, dead);
    const { stdout } = await run('curl', [
      '-sS',
      '--proxy',
      `http://127.0.0.1:${p.port}`,
      '--cacert',
      caFile,
      '-d',
      '{}',
      '-w',
      '\n%{http_code}',
      'https://api.anthropic.com/v1/messages',
    ]);
    const [json, code] = stdout.trim().split('\n');
    expect(code).toBe('502');
    expect(JSON.parse(json!)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    expect(p.stats().upstreamErrors).toBe(1);
    await p.close();
    dead.close();
  });
});

/** The certificate the proxy presents for api.anthropic.com on a new CONNECT (verified by our CA). */
async function servedLeaf(port: number): Promise<tls.PeerCertificate> {
  const socket = await new Promise<import('node:net').Socket>((resolve, reject) => {
    http
      .request({ host: '127.0.0.1', port, method: 'CONNECT', path: 'api.anthropic.com:443' })
      .on('connect', (res, sock) =>
        res.statusCode === 200 ? resolve(sock) : reject(new Error(String(res.statusCode))),
      )
      .on('error', reject)
      .end();
  });
  const secure = tls.connect({ socket, servername: 'api.anthropic.com', ca: ca.certPem });
  await new Promise<void>((r, j) => secure.once('secureConnect', () => r()).once('error', j));
  const cert = secure.getPeerCertificate();
  secure.destroy();
  return cert;
}

describe('leaf certificates over a long run', () => {
  it('renews the leaf of a host before it expires (the tray runs for weeks, leaves last days)', async () => {
    const real = new LeafIssuer(ca);
    const realNow = () => new Date(performance.timeOrigin + performance.now());
    let calls = 0;
    // The first leaf has 25 hours left; later ones are issued at the real time (TLS checks it).
    const first = new Date(Date.now() - LEAF_LIFETIME_DAYS * 86_400_000 + 25 * 3_600_000);
    const issuer = { leafFor: (host: string) => real.issue(host, calls++ === 0 ? first : realNow()) };
    const p = await startProxy({
      port: 0,
      interceptHosts: () => ['api.anthropic.com'],
      issuer: () => issuer,
      upstream: () => upstream,
      sink: () => {},
      capturing: () => true,
      log: silentLogger,
    });
    try {
      const a = await servedLeaf(p.port);
      expect(new Date(a.valid_to).getTime() - Date.now()).toBeLessThan(26 * 3_600_000);
      expect(await servedLeaf(p.port)).toMatchObject({ serialNumber: a.serialNumber });
      // Two hours later (the proxy's clock only): less than a day left, so a new leaf is served.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 2 * 3_600_000);
      const b = await servedLeaf(p.port);
      vi.useRealTimers();
      expect(b.serialNumber).not.toBe(a.serialNumber);
      expect(new Date(b.valid_to).getTime() - Date.now()).toBeGreaterThan(6 * 86_400_000);
      // Renewed once, then reused.
      expect(await servedLeaf(p.port)).toMatchObject({ serialNumber: b.serialNumber });
      expect(calls).toBe(2);
    } finally {
      vi.useRealTimers();
      await p.close();
    }
  });
});

describe('hosts that are not intercepted', () => {
  it('CONNECT is a byte tunnel: the client sees the server’s own certificate and issuer', async () => {
    const other = makeUpstreamPki(['other.test']);
    const server = https.createServer({ cert: other.certPem, key: other.keyPem }, (_q, s) =>
      s.end('own server'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const socket = await new Promise<import('node:net').Socket>((resolve, reject) => {
      http
        .request({ host: '127.0.0.1', port: proxy.port, method: 'CONNECT', path: `127.0.0.1:${port}` })
        .on('connect', (res, sock) =>
          res.statusCode === 200 ? resolve(sock) : reject(new Error(String(res.statusCode))),
        )
        .on('error', reject)
        .end();
    });
    const secure = tls.connect({ socket, servername: 'other.test', ca: other.caPem });
    await new Promise<void>((r, j) => secure.once('secureConnect', () => r()).once('error', j));
    expect(secure.getPeerCertificate().issuer.CN).toBe('Fake Anthropic Test CA');
    expect(secure.authorized).toBe(true);
    secure.end('GET / HTTP/1.1\r\nhost: other.test\r\nconnection: close\r\n\r\n');
    let reply = '';
    for await (const c of secure) reply += c;
    expect(reply).toContain('own server');
    expect(proxy.stats().tunnels).toBeGreaterThanOrEqual(1);
    server.close();
  });

  it('tunnels a large download byte for byte, to a reader that pauses on the way', async () => {
    // Random bytes over a plain TCP server: the tunnel's read buffers are reused, and a reuse too
    // early would show as changed bytes.
    const payload = crypto.randomBytes(24 * 1024 * 1024);
    const server = net.createServer((s) => s.end(payload));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const chunks: Buffer[] = [];
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      http
        .request({ host: '127.0.0.1', port: proxy.port, method: 'CONNECT', path: `127.0.0.1:${port}` })
        .on('connect', (res, sock, head: Buffer) => {
          // The first bytes may have come with the proxy's answer.
          chunks.push(head);
          if (res.statusCode === 200) resolve(sock);
          else reject(new Error(String(res.statusCode)));
        })
        .on('error', reject)
        .end();
    });
    let paused = false;
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (!paused && chunks.length === 4) {
        paused = true;
        socket.pause();
        setTimeout(() => socket.resume(), 300);
      }
    });
    await new Promise((r) => socket.on('end', r));
    const got = Buffer.concat(chunks);
    expect(got.length).toBe(payload.length);
    expect(crypto.createHash('sha256').update(got).digest('hex')).toBe(
      crypto.createHash('sha256').update(payload).digest('hex'),
    );
    server.close();
  });

  it('forwards plain-HTTP proxy requests', async () => {
    const server = http.createServer((q, s) => s.end(`plain ${q.url}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const out = await curl(['--proxy', proxyUrl, `http://127.0.0.1:${port}/x?y=1`]);
    expect(out.toString()).toBe('plain /x?y=1');
    server.close();
  });
});

describe('requests that are not proxy requests', () => {
  it('never let http-mitm-proxy make or store its own CA', () => {
    expect(fs.existsSync(path.join(process.cwd(), '.http-mitm-proxy'))).toBe(false);
  });

  it('refuses to act as a web server (no forwarding by Host header, no loop to itself)', async () => {
    const res = await fetch(`${proxyUrl}/v1/messages`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('capture proxy');
    const before = fake.requests.length;
    const evil = await fetch(`${proxyUrl}/`, { headers: { host: `127.0.0.1:${fake.port}` } });
    expect(evil.status).toBe(400);
    expect(fake.requests.length).toBe(before);
  });
});

describe('proxy with the official SDK', () => {
  const client = () => {
    const dispatcher = new ProxyAgent({ uri: proxyUrl, requestTls: { ca: ca.certPem } });
    return new Anthropic({
      apiKey: 'test-key',
      fetch: ((url: string, init: RequestInit) =>
        undiciFetch(url, { ...(init as object), dispatcher } as never)) as unknown as typeof fetch,
    });
  };

  it('streams', async () => {
    fake.queue([{ text: 'Streaming works through the proxy.' }]);
    const before = seen.length;
    const stream = client().messages.stream({
      model: 'claude-sonnet-4-5',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'stream?' }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Streaming works through the proxy.' });
    const got = (await exchanges(before + 1))[before]!;
    expect(got.responseBody.toString()).toContain('event: message_stop');
  });

  it('and without streaming', async () => {
    fake.queue([{ text: 'JSON works too.' }]);
    const before = seen.length;
    const msg = await client().messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'json?' }],
    });
    expect(msg.content[0]).toMatchObject({ text: 'JSON works too.' });
    const got = (await exchanges(before + 1))[before]!;
    expect(JSON.parse(got.responseBody.toString())).toMatchObject({
      type: 'message',
      content: [{ text: 'JSON works too.' }],
    });
    expect(JSON.stringify(got.requestHeaders)).not.toContain('test-key');
  });
});

describe('proxy with the real Claude Code CLI', () => {
  it.runIf(claudeAvailable())(
    'runs a tool loop through the proxy; every Messages call reaches the sink',
    { timeout: 60_000 },
    async () => {
      const project = tempDir('proxy-proj-');
      fs.writeFileSync(path.join(project, 'notes.txt'), 'x');
      fake.setScript((b) => {
        if (hasToolResult(b)) return { text: 'There is one file: notes.txt.' };
        if (lastUserText(b).includes('list the files'))
          return { toolUse: { name: 'Bash', input: { command: 'ls', description: 'List files' } } };
        return { text: 'OK.' };
      });
      const before = seen.length;
      const result = await runClaude(['-p', 'please list the files here', '--allowedTools', 'Bash'], {
        cwd: project,
        env: claudeEnv({ HTTPS_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: caFile }),
        timeoutMs: 30_000,
      });
      expect(result.stdout).toContain('There is one file: notes.txt.');
      const mine = (await exchanges(before + 2))
        .slice(before)
        .filter((e) => e.path.startsWith('/v1/messages'));
      const turns = mine.filter((e) => e.requestBody.toString().includes('please list the files here'));
      expect(turns.length).toBeGreaterThanOrEqual(2);
      expect(turns.some((e) => e.responseBody.toString().includes('"name":"Bash"'))).toBe(true);
      // The follow-up carries the tool's output and gets the final answer (streamed in pieces).
      const followUp = turns.find((e) => e.requestBody.toString().includes('"tool_result"'));
      expect(followUp?.responseBody.toString()).toContain('"stop_reason":"end_turn"');
      expect(mine.every((e) => e.complete && e.status === 200)).toBe(true);
      expect(mine.every((e) => e.requestHeaders['x-api-key'] === undefined)).toBe(true);
    },
  );
});
