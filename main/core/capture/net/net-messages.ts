// What the core and the capture network thread (net-worker.ts) say to each other: message types and
// the layout of their shared flags. Both sides import this file; neither pulls the other's code in.
import type { MessagePort } from 'node:worker_threads';
import type { Settings } from '../../config/settings.js';
import type { CaForIssuing } from '../../certs/leaf-certs.js';
import type { ErrorCode } from '../../errors.js';
import type { LogFields, LogLevel } from '../../log.js';
import type { AcceptedRequest, CapturedExchange } from '../exchange.js';

export type UpstreamSettings = Pick<Settings, 'upstream' | 'upstreamCa'>;

/** Slots of the shared Int32Array `flags`. */
export const FLAG_CAPTURING = 0; // written by the core: 1 = capture on, 0 = paused
export const FLAG_LEAVES = 1; // written by the thread: how many hosts have a leaf
export const FLAG_COUNT = 2;

// The shared counters (shared-counters.ts), one slot per name in this order. Here rather than beside
// the code that counts, so the core reads them without loading the proxy (and http-mitm-proxy).
export const TAP_COUNTER_NAMES = ['tapped', 'tapErrors', 'tooLarge'] as const;
/** What forwarding one request counts (forward.ts), on both routes. */
export const FORWARD_COUNTER_NAMES = [
  'upstreamErrors',
  'bytesFromUpstream',
  ...TAP_COUNTER_NAMES,
  // Replies that ended without the core confirming their request was recorded (forward.ts).
  'unconfirmed',
  // Requests answered 503 because the thread was stopping, and streams cut at the stop's bound.
  'refusedStopping',
  'streamsCut',
] as const;
export const TUNNEL_COUNTER_NAMES = ['tunnels', 'tunnelErrors', 'tunnelBytesUp', 'tunnelBytesDown'] as const;
export const PROXY_STAT_NAMES = [
  // Requests through the proxy (decrypted and plain HTTP).
  'requests',
  'intercepted',
  // Connections decrypted (CONNECT to an intercepted host).
  'decryptedConnections',
  ...FORWARD_COUNTER_NAMES,
  ...TUNNEL_COUNTER_NAMES,
] as const;
export const GATEWAY_STAT_NAMES = [
  'requests',
  // Browser or foreign-Host requests turned away.
  'refused',
  ...FORWARD_COUNTER_NAMES,
] as const;

export interface NetWorkerInit {
  gatewayPort: number;
  /** null: start without the proxy (the user stopped it). */
  proxyPort: number | null;
  /** The host gateway clients believe they talk to (recorded in captures). */
  clientHost: string;
  interceptHosts: string[];
  ca: CaForIssuing;
  upstream: UpstreamSettings;
  flags: SharedArrayBuffer;
  proxyStats: SharedArrayBuffer;
  gatewayStats: SharedArrayBuffer;
  /**
   * The thread's end of the accept channel: AcceptMessages go out, AcceptedAcks come back. A channel
   * of its own, so the core can take waiting accepts synchronously between the turns of a long batch
   * (receiveMessageOnPort) and confirm them before the batch ends.
   */
  acceptPort: MessagePort;
}

export type NetRequest =
  | { op: 'proxy.start' }
  | { op: 'proxy.stop' }
  | { op: 'hosts'; hosts: string[] }
  | { op: 'upstream'; settings: UpstreamSettings }
  | { op: 'ca'; ca: CaForIssuing }
  /** Stop taking requests, let replies in flight finish (up to graceMs); answers how many were cut. */
  | { op: 'close'; graceMs: number };

/** Tapped requests that have arrived in full; the end of each reply waits for an AcceptedAck. */
export interface AcceptMessage {
  requests: Array<{ id: number; request: AcceptedRequest }>;
}

/** The core's answer to AcceptMessages: these requests are recorded. */
export interface AcceptedAck {
  ids: number[];
}

/** An error as it crosses the thread boundary; a UserError keeps its code. */
export interface SentError {
  message: string;
  userCode?: ErrorCode;
}

export type NetWorkerMessage =
  | { type: 'ready'; gatewayPort: number; proxyPort: number | null }
  | { type: 'failed'; error: SentError }
  | { type: 'reply'; id: number; ok: true; value?: number | null }
  | { type: 'reply'; id: number; ok: false; error: SentError }
  /** Finished exchanges, in order. Bodies arrive as Uint8Array (structured clone drops the Buffer prototype). */
  | { type: 'exchanges'; exchanges: CapturedExchange[] }
  | { type: 'log'; level: LogLevel; scope: string; event: string; fields?: LogFields };
