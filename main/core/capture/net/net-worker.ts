// The capture network thread: the gateway and the interception proxy run here, apart from the
// core's event loop, so forwarding a Claude request never waits behind capture processing, SQLite
// commits, searches or UI work. Finished exchanges go to the core as messages; the pipeline (parse,
// track, clean, store) stays in the core. Bundled as its own file (dist/main/capture-net-worker.js)
// and started by net-thread.ts.
import { parentPort, workerData, type MessagePort, type TransferListItem } from 'node:worker_threads';
import { LeafIssuer } from '../../certs/leaf-certs.js';
import { describeError, isUserError } from '../../errors.js';
import type { LogFields, LogLevel, Logger } from '../../log.js';
import type { AcceptedRequest, CapturedExchange, ExchangeSink } from '../exchange.js';
import { startGateway, type Gateway } from './gateway.js';
import {
  FLAG_CAPTURING,
  FLAG_LEAVES,
  GATEWAY_STAT_NAMES,
  PROXY_STAT_NAMES,
  type AcceptMessage,
  type AcceptedAck,
  type NetRequest,
  type NetWorkerInit,
  type NetWorkerMessage,
  type SentError,
} from './net-messages.js';
import { startProxy, type CaptureProxy } from './proxy.js';
import { sharedCounters } from './shared-counters.js';
import { createUpstream, type Upstream } from './upstream.js';

const port = parentPort as MessagePort;
const init = workerData as NetWorkerInit;
const send = (message: NetWorkerMessage, transfer?: TransferListItem[]) =>
  port.postMessage(message, transfer);

function threadLogger(scope: string): Logger {
  const write = (level: LogLevel) => (event: string, fields?: LogFields) =>
    send({ type: 'log', level, scope, event, fields });
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (s) => threadLogger(scope ? `${scope}.${s}` : s),
  };
}

function sentError(err: unknown): SentError {
  return isUserError(err) ? { message: err.message, userCode: err.code } : { message: describeError(err) };
}

/**
 * A body whose memory moves to the core instead of being copied: the Buffer itself when it owns all
 * of its ArrayBuffer, else a copy of just its bytes (a small Buffer is a view into an 8 KB pool, which
 * must neither be moved nor cloned whole).
 */
function movable(body: Buffer): Uint8Array<ArrayBuffer> {
  const { buffer } = body;
  if (buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.byteLength === buffer.byteLength)
    return body as Uint8Array<ArrayBuffer>;
  return new Uint8Array(body);
}

// Exchanges go to the core in one message per turn of this thread's event loop: under load, a
// message each cost more (postMessage, waking the core) than copying the exchanges themselves.
let outgoing: CapturedExchange[] = [];
let outgoingBuffers: ArrayBuffer[] = [];

function sendExchanges(): void {
  if (outgoing.length === 0) return;
  const exchanges = outgoing;
  const transfer = outgoingBuffers;
  outgoing = [];
  outgoingBuffers = [];
  try {
    send({ type: 'exchanges', exchanges }, transfer);
  } catch (err) {
    // Not captured, like any tap failure; the thread (and every client's traffic) goes on.
    for (const ex of exchanges) (ex.route === 'proxy' ? proxyStats : gatewayStats).tapErrors++;
    log.warn('capture.send_failed', { exchanges: exchanges.length, error: describeError(err) });
  }
}

const sink: ExchangeSink = (exchange) => {
  const requestBody = movable(exchange.requestBody);
  const responseBody = movable(exchange.responseBody);
  if (outgoing.length === 0) setImmediate(sendExchanges);
  outgoing.push({ ...exchange, requestBody, responseBody } as CapturedExchange);
  // An empty ArrayBuffer may be shared (it costs nothing to clone): never moved.
  for (const buffer of new Set([requestBody.buffer, responseBody.buffer]))
    if (buffer.byteLength > 0) outgoingBuffers.push(buffer);
};

// Requests waiting for the core to confirm they were recorded as accepted (forward.ts). They go to
// the core in one message per turn of this thread's event loop, like the exchanges: a message each
// cost more (postMessage, waking the core, a transaction there each) than the records themselves.
let nextAcceptId = 1;
const acceptWaiters = new Map<number, () => void>();
let accepting: Array<{ id: number; request: AcceptedRequest }> = [];
let acceptingBuffers: ArrayBuffer[] = [];

function sendAccepts(): void {
  if (accepting.length === 0) return;
  const requests = accepting;
  const transfer = acceptingBuffers;
  accepting = [];
  acceptingBuffers = [];
  try {
    init.acceptPort.postMessage({ requests } satisfies AcceptMessage, transfer);
  } catch (err) {
    log.warn('capture.accept_send_failed', { requests: requests.length, error: describeError(err) });
    for (const { id } of requests) {
      acceptWaiters.get(id)?.();
      acceptWaiters.delete(id);
    }
  }
}

const accept = (request: AcceptedRequest): Promise<void> =>
  new Promise<void>((resolve) => {
    const id = nextAcceptId++;
    const requestBody = movable(request.requestBody);
    acceptWaiters.set(id, resolve);
    if (accepting.length === 0) setImmediate(sendAccepts);
    accepting.push({ id, request: { ...request, requestBody } as AcceptedRequest });
    if (requestBody.buffer.byteLength > 0) acceptingBuffers.push(requestBody.buffer);
  });

const log = threadLogger('');
const flags = new Int32Array(init.flags);
const proxyStats = sharedCounters(PROXY_STAT_NAMES, init.proxyStats).counters;
const gatewayStats = sharedCounters(GATEWAY_STAT_NAMES, init.gatewayStats).counters;
let hosts = init.interceptHosts;
let issuer = new LeafIssuer(init.ca);
let upstreamSettings = init.upstream;
let upstream!: Upstream;
let gateway!: Gateway;
let proxy: CaptureProxy | null = null;
let proxyPort = init.proxyPort;

const capturing = () => Atomics.load(flags, FLAG_CAPTURING) === 1;

// Leaves made ahead, so the first request to a host does not wait for a key.
function warmLeaves(): void {
  const current = issuer;
  for (const host of hosts) {
    current.leafFor(host).then(
      () => {
        if (current === issuer) Atomics.store(flags, FLAG_LEAVES, current.cachedHosts());
      },
      (err: unknown) => log.child('ca').warn('ca.leaf_failed', { error: describeError(err) }),
    );
  }
}

async function openProxy(wanted: number): Promise<CaptureProxy> {
  return startProxy({
    port: wanted,
    interceptHosts: () => hosts,
    issuer: () => issuer,
    upstream: () => (upstreamSettings.upstream ? upstream : null),
    sink,
    accept,
    capturing,
    log: log.child('proxy'),
    stats: proxyStats,
  });
}

async function handle(request: NetRequest): Promise<number | null | undefined> {
  switch (request.op) {
    case 'proxy.start':
      // Back on the port it had, so terminals already pointed at it work again.
      proxy ??= await openProxy(proxyPort ?? 0);
      proxyPort = proxy.port;
      return proxy.port;
    case 'proxy.stop': {
      const running = proxy;
      proxy = null;
      await running?.close();
      return null;
    }
    case 'hosts':
      hosts = request.hosts;
      warmLeaves();
      return;
    case 'upstream': {
      const old = upstream;
      upstream = createUpstream(request.settings);
      upstreamSettings = request.settings;
      // Calls in flight finish on the old connections, which then close.
      old.close();
      return;
    }
    case 'ca':
      issuer = new LeafIssuer(request.ca);
      proxy?.resetCertificates();
      warmLeaves();
      return;
    case 'close': {
      // Both routes stop taking requests at once and let what they started finish.
      const cut = (
        await Promise.all([gateway.close(request.graceMs), proxy?.close(request.graceMs) ?? 0])
      ).reduce((a, b) => a + b, 0);
      proxy = null;
      upstream.close();
      if (cut > 0) log.warn('capture.streams_cut', { streams: cut, graceMs: request.graceMs });
      // Exchanges the closing connections ended are handed to the sink in the turns after (their
      // taps decode asynchronously).
      await new Promise((resolve) => setTimeout(resolve, 20));
      return cut;
    }
  }
}

async function start(): Promise<void> {
  upstream = createUpstream(upstreamSettings);
  gateway = await startGateway({
    port: init.gatewayPort,
    upstream: () => upstream,
    clientHost: init.clientHost,
    sink,
    accept,
    capturing,
    log: log.child('gateway'),
    stats: gatewayStats,
  });
  try {
    if (proxyPort !== null) {
      proxy = await openProxy(proxyPort);
      proxyPort = proxy.port;
    }
  } catch (err) {
    await gateway.close();
    throw err;
  }
  warmLeaves();
  init.acceptPort.on('message', ({ ids }: AcceptedAck) => {
    for (const id of ids) {
      acceptWaiters.get(id)?.();
      acceptWaiters.delete(id);
    }
  });
  port.on('message', (message: NetRequest & { id: number }) => {
    // Exchanges waiting for their batch go first: after the reply to "close" the core ends the thread.
    handle(message).then(
      (value) => {
        sendExchanges();
        send({ type: 'reply', id: message.id, ok: true, value });
      },
      (err: unknown) => {
        sendExchanges();
        send({ type: 'reply', id: message.id, ok: false, error: sentError(err) });
      },
    );
  });
  send({ type: 'ready', gatewayPort: gateway.port, proxyPort: proxy?.port ?? null });
}

start().catch((err: unknown) => {
  upstream?.close();
  send({ type: 'failed', error: sentError(err) });
});
