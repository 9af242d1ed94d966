// The core's side of the capture network thread (net-worker.ts): starts it, feeds the exchanges it
// sends to the capture sink, writes its log lines to the core's log, answers status from counters
// the thread shares, and brings it back on the same ports if it ever dies (a crash there must not
// leave Claude sessions without their proxy for the rest of the day).
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { CaForIssuing } from '../../certs/leaf-certs.js';
import { UserError, describeError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { AcceptedRequest, ExchangeSink } from '../exchange.js';
import type { GatewayStats } from './gateway.js';
import {
  FLAG_CAPTURING,
  FLAG_COUNT,
  FLAG_LEAVES,
  GATEWAY_STAT_NAMES,
  PROXY_STAT_NAMES,
  type AcceptMessage,
  type AcceptedAck,
  type NetRequest,
  type NetWorkerInit,
  type NetWorkerMessage,
  type SentError,
  type UpstreamSettings,
} from './net-messages.js';
import type { ProxyStats } from './proxy.js';
import { sharedCounters } from './shared-counters.js';
import { upstreamSecureContext } from './upstream-settings.js';

// Where the worker's bundle is, relative to the bundle that contains this code (set by
// scripts/build.js per bundle, and to the built file by vitest.config.ts for tests run from source).
declare const __CAPTURE_NET_WORKER__: string;

export interface CaptureNetworkOptions {
  gatewayPort: number;
  proxyPort: number;
  clientHost: string;
  interceptHosts: readonly string[];
  ca: CaForIssuing;
  upstream: UpstreamSettings;
  capturing: boolean;
  sink: ExchangeSink;
  /**
   * Records tapped requests as accepted for capture and calls `recorded` once they are committed:
   * the end of each one's reply waits for that (bounded). Without it, every request is confirmed.
   */
  accept?: (requests: AcceptedRequest[], recorded: () => void) => void;
  log: Logger;
  /** First wait before restarting a thread that died; doubles up to 30 s. */
  restartDelayMs?: number;
  /** The thread's script (tests); default: the bundled capture-net-worker.js. */
  workerUrl?: URL;
}

export interface CaptureNetworkStats {
  /** null while the proxy is stopped. */
  proxy: (ProxyStats & { port: number }) | null;
  gateway: GatewayStats & { port: number };
  /** Hosts with a leaf certificate ready. */
  leaves: number;
  /** Times the thread died and was started again. */
  restarts: number;
}

export interface CaptureNetwork {
  readonly gatewayPort: number;
  proxyPort(): number | null;
  stats(): CaptureNetworkStats;
  setCapturing(on: boolean): void;
  setInterceptHosts(hosts: readonly string[]): Promise<void>;
  setUpstream(settings: UpstreamSettings): Promise<void>;
  useCa(ca: CaForIssuing): Promise<void>;
  startProxy(): Promise<number>;
  stopProxy(): Promise<void>;
  /**
   * Hands the accepted requests that arrived but were not handled yet to `accept`, now: a core busy
   * with a long piece of work calls it between two of its steps, so those replies need not wait.
   */
  deliverWaitingAccepts(): void;
  /**
   * Stops taking requests at once, lets replies in flight finish (up to graceMs, default 0), hands
   * over the exchanges they ended, then ends the thread; resolves with how many streams were cut.
   */
  close(graceMs?: number): Promise<number>;
}

const MAX_RESTART_DELAY_MS = 30_000;

function received(error: SentError): Error {
  return error.userCode ? new UserError(error.userCode, error.message) : new Error(error.message);
}

/** Only what signing leaves needs crosses to the thread. */
const issuingPart = ({ certPem, keyPem }: CaForIssuing): CaForIssuing => ({ certPem, keyPem });

/** Structured clone hands bodies over as Uint8Array; the pipeline works with Buffers. */
function asBuffer(body: Uint8Array): Buffer {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

export async function startCaptureNetwork(options: CaptureNetworkOptions): Promise<CaptureNetwork> {
  const log = options.log;
  const flags = new Int32Array(new SharedArrayBuffer(FLAG_COUNT * Int32Array.BYTES_PER_ELEMENT));
  Atomics.store(flags, FLAG_CAPTURING, options.capturing ? 1 : 0);
  const proxyStats = sharedCounters(PROXY_STAT_NAMES);
  const gatewayStats = sharedCounters(GATEWAY_STAT_NAMES);
  // What a restarted thread is given: the ports it had (0 would move them) and the latest settings.
  const state = {
    gatewayPort: options.gatewayPort,
    proxyPort: options.proxyPort as number | null,
    proxyRunning: true,
    interceptHosts: [...options.interceptHosts],
    ca: issuingPart(options.ca),
    upstream: options.upstream,
  };
  const proxyPort = () => (state.proxyRunning ? state.proxyPort : null);
  const scopes = new Map<string, Logger>();
  const scoped = (scope: string) => {
    let l = scopes.get(scope);
    if (!l) scopes.set(scope, (l = scope ? log.child(scope) : log));
    return l;
  };

  /** The thread that is up; null while one is starting or after one died. */
  let worker: Worker | null = null;
  /** A thread started but not ready yet (close() must stop it too). */
  let starting: Worker | null = null;
  let closing = false;
  let restarts = 0;
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (v: number | null | undefined) => void; reject: (e: Error) => void }
  >();

  /** The accept channel of the thread that is up (see NetWorkerInit.acceptPort). */
  let acceptPort: MessagePort | null = null;

  /** Hands one message's requests to `accept`; the confirmation goes back in one message. */
  const deliverAccepts = (port: MessagePort, message: AcceptMessage) => {
    const ids = message.requests.map((r) => r.id);
    const recorded = () => {
      try {
        port.postMessage({ ids } satisfies AcceptedAck);
      } catch {
        // the thread is gone; so are the replies that waited
      }
    };
    if (!options.accept) return recorded();
    const requests = message.requests.map(({ request: r }) => ({
      ...r,
      requestBody: asBuffer(r.requestBody),
    }));
    options.accept(requests, recorded);
  };

  const spawn = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const channel = new MessageChannel();
      const init: NetWorkerInit = {
        gatewayPort: state.gatewayPort,
        proxyPort: proxyPort(),
        clientHost: options.clientHost,
        interceptHosts: state.interceptHosts,
        ca: state.ca,
        upstream: state.upstream,
        flags: flags.buffer as SharedArrayBuffer,
        proxyStats: proxyStats.buffer,
        gatewayStats: gatewayStats.buffer,
        acceptPort: channel.port2,
      };
      const w = new Worker(options.workerUrl ?? new URL(__CAPTURE_NET_WORKER__, import.meta.url), {
        workerData: init,
        transferList: [channel.port2],
        name: 'mem0-tray capture network',
      });
      const accepts = channel.port1;
      accepts.on('message', (message: AcceptMessage) => deliverAccepts(accepts, message));
      starting = w;
      let started = false;
      w.on('message', (message: NetWorkerMessage) => {
        switch (message.type) {
          case 'exchanges':
            for (const ex of message.exchanges) {
              ex.requestBody = asBuffer(ex.requestBody);
              ex.responseBody = asBuffer(ex.responseBody);
              options.sink(ex);
            }
            return;
          case 'log':
            scoped(message.scope)[message.level](message.event, message.fields);
            return;
          case 'reply': {
            const call = pending.get(message.id);
            pending.delete(message.id);
            if (message.ok) call?.resolve(message.value);
            else call?.reject(received(message.error));
            return;
          }
          case 'ready':
            started = true;
            starting = null;
            if (closing) {
              void w.terminate();
              reject(new Error('the capture network was closed while its thread started'));
              return;
            }
            state.gatewayPort = message.gatewayPort;
            if (message.proxyPort !== null) state.proxyPort = message.proxyPort;
            worker = w;
            acceptPort = accepts;
            resolve();
            return;
          case 'failed':
            void w.terminate();
            reject(received(message.error));
            return;
        }
      });
      w.on('error', (err) => {
        log.error('capture.network_thread_error', { error: describeError(err) });
        if (!started) reject(err);
      });
      w.on('exit', (code) => {
        accepts.close();
        if (acceptPort === accepts) acceptPort = null;
        if (worker === w) worker = null;
        if (starting === w) starting = null;
        for (const call of pending.values()) call.reject(new Error('the capture network thread stopped'));
        pending.clear();
        if (!started) {
          reject(new Error(`the capture network thread exited (code ${code}) before it was ready`));
          return;
        }
        if (closing) return;
        log.error('capture.network_thread_exited', { code });
        restartLater(options.restartDelayMs ?? 1_000);
      });
    });

  const restartLater = (delay: number) => {
    setTimeout(() => {
      if (closing) return;
      spawn().then(
        () => {
          restarts++;
          log.warn('capture.network_thread_restarted', {
            gatewayPort: state.gatewayPort,
            proxyPort: proxyPort(),
          });
        },
        (err: unknown) => {
          log.error('capture.network_thread_restart_failed', { error: describeError(err) });
          restartLater(Math.min(delay * 2, MAX_RESTART_DELAY_MS));
        },
      );
    }, delay).unref();
  };

  // Between a thread's death and its successor, a request has nowhere to go: it resolves at once,
  // and the change it carries is in `state`, which the next thread starts from.
  const call = (request: NetRequest): Promise<number | null | undefined> =>
    new Promise((resolve, reject) => {
      if (!worker) {
        resolve(undefined);
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });

  await spawn();

  return {
    gatewayPort: state.gatewayPort,
    proxyPort,
    stats: () => {
      const port = proxyPort();
      return {
        proxy: port === null ? null : { ...proxyStats.counters, port },
        gateway: { ...gatewayStats.counters, port: state.gatewayPort },
        leaves: Atomics.load(flags, FLAG_LEAVES),
        restarts,
      };
    },
    setCapturing: (on) => {
      Atomics.store(flags, FLAG_CAPTURING, on ? 1 : 0);
    },
    setInterceptHosts: async (hosts) => {
      state.interceptHosts = [...hosts];
      await call({ op: 'hosts', hosts: state.interceptHosts });
    },
    setUpstream: async (settings) => {
      // Checked here first (an unreadable CA file): a restarted thread must never fail on it.
      upstreamSecureContext(settings);
      state.upstream = settings;
      await call({ op: 'upstream', settings });
    },
    useCa: async (ca) => {
      state.ca = issuingPart(ca);
      await call({ op: 'ca', ca: state.ca });
    },
    startProxy: async () => {
      const wasRunning = state.proxyRunning;
      state.proxyRunning = true;
      try {
        const port = await call({ op: 'proxy.start' });
        if (typeof port === 'number') state.proxyPort = port;
      } catch (err) {
        state.proxyRunning = wasRunning;
        throw err;
      }
      if (state.proxyPort === null) throw new Error('the capture network thread is restarting; try again');
      return state.proxyPort;
    },
    stopProxy: async () => {
      state.proxyRunning = false;
      await call({ op: 'proxy.stop' });
    },
    deliverWaitingAccepts: () => {
      const port = acceptPort;
      if (!port) return;
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port))
        deliverAccepts(port, m.message as AcceptMessage);
    },
    close: async (graceMs = 0) => {
      closing = true;
      let cut = 0;
      try {
        cut = (await call({ op: 'close', graceMs })) ?? 0;
      } catch (err) {
        log.warn('capture.network_thread_close_failed', { error: describeError(err) });
      }
      await Promise.all([worker?.terminate(), starting?.terminate()]);
      return cut;
    },
  };
}
