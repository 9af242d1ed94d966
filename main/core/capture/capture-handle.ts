// What the capture feature offers the rest of the app: the pipeline, the ports, pause and resume,
// the proxy switch and the CA in use.
import type { StagedCa } from '../certs/ca.js';
import type { CapturePipeline } from './pipeline.js';

export interface CaInfo {
  path: string;
  /** SHA-256, lower-case hex. */
  fingerprintSha256: string;
  notAfter: string;
  hosts: string[];
}

export interface CaptureHandle {
  pipeline: CapturePipeline;
  gatewayPort: number;
  /** null while the proxy is stopped. */
  proxyPort(): number | null;
  isEnabled(): boolean;
  /** Keep forwarding, record nothing (saved in settings: survives a restart). */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Stops the proxy: clients that use HTTPS_PROXY=127.0.0.1:port can no longer connect. */
  stopProxy(): Promise<void>;
  startProxy(): Promise<number>;
  ca(): CaInfo;
  /**
   * A new CA (the staged one, else a fresh one) in the data directory, used at once for new
   * connections; returns its PEM. (Named apart from the trust feature's regenerate, which also
   * replaces the old CA in the trust stores and then calls this.)
   */
  replaceCa(staged?: StagedCa): Promise<string>;
}
