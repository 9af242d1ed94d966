// The capture feature: the CA, the interception proxy and the gateway, feeding the capture pipeline.
// Pause is the captureEnabled setting: traffic keeps flowing, nothing is recorded. Stopping the
// proxy is a separate action: clients configured with HTTPS_PROXY then fail to connect.
import type { Settings } from '../config/settings.js';
import type { CoreContext, Feature } from '../feature.js';
import {
  commitCa,
  loadOrCreateCa,
  stageCa,
  stageCaForRegenerate,
  type CaMaterial,
  type StagedCa,
} from '../certs/ca.js';
import type { StagedCaPem } from '../certs/trust/trust-service.js';
import { LeafIssuer } from '../certs/leaf-certs.js';
import { describeError } from '../errors.js';
import { startGateway, type Gateway } from './net/gateway.js';
import { startProxy, type CaptureProxy } from './net/proxy.js';
import { createUpstream, type Upstream } from './net/upstream.js';
import { createCapturePipeline, type CapturePipeline } from './pipeline.js';

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

/** How often a long-running core checks whether its CA nears expiry (CA_RENEW_BEFORE_DAYS). */
export const CA_CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

function caInfo(ctx: CoreContext, ca: CaMaterial): CaInfo {
  return {
    path: ctx.paths.caCert,
    fingerprintSha256: ca.fingerprintSha256,
    notAfter: ca.notAfter.toISOString(),
    hosts: ca.hosts,
  };
}

export const captureFeature: Feature<CaptureHandle> = {
  name: 'capture',
  async start(ctx) {
    const settings = ctx.settings();
    const log = ctx.log;
    let ca = await loadOrCreateCa(ctx.paths, settings.interceptHosts, log.child('ca'));
    let issuer = new LeafIssuer(ca);
    // Leaves made now, so the first request does not wait for a key.
    const warm = () => {
      for (const host of ctx.settings().interceptHosts) {
        issuer
          .leafFor(host)
          .catch((err: unknown) => log.warn('ca.leaf_failed', { error: describeError(err) }));
      }
    };
    warm();
    ctx.runtime.caPath = ctx.paths.caCert;

    // Remote backends answer in tens of milliseconds: more conversations in flight keep up.
    const pipeline = createCapturePipeline(ctx, {
      outboxOptions: { concurrency: settings.backend === 'local' ? 8 : 32 },
    });
    let upstream: Upstream = createUpstream(settings);
    let overridden = Boolean(settings.upstream);
    let gateway: Gateway | undefined;
    let proxy: CaptureProxy | null = null;
    const openProxy = async (): Promise<CaptureProxy> =>
      startProxy({
        port: ctx.settings().proxyPort,
        interceptHosts: () => ctx.settings().interceptHosts,
        issuer: () => issuer,
        upstream: () => (overridden ? upstream : null),
        sink: pipeline.sink,
        capturing: () => ctx.settings().captureEnabled,
        log: log.child('proxy'),
      });
    try {
      gateway = await startGateway({
        port: settings.gatewayPort,
        upstream: () => upstream,
        clientHost: settings.interceptHosts[0]!,
        sink: pipeline.sink,
        log: log.child('gateway'),
      });
      proxy = await openProxy();
    } catch (err) {
      await gateway?.close();
      await pipeline.stop();
      upstream.close();
      throw err;
    }
    const gw = gateway;
    ctx.runtime.gatewayPort = gw.port;
    ctx.runtime.proxyPort = proxy.port;

    const useCa = (next: CaMaterial) => {
      ca = next;
      issuer = new LeafIssuer(next);
      proxy?.resetCertificates();
      warm();
    };

    const handle: CaptureHandle = {
      pipeline,
      gatewayPort: gw.port,
      proxyPort: () => proxy?.port ?? null,
      isEnabled: () => ctx.settings().captureEnabled,
      pause: async () => {
        await ctx.updateSettings({ captureEnabled: false });
      },
      resume: async () => {
        await ctx.updateSettings({ captureEnabled: true });
      },
      stopProxy: async () => {
        const running = proxy;
        proxy = null;
        ctx.runtime.proxyPort = null;
        await running?.close();
        log.warn('proxy.stopped_by_user');
        ctx.events.emit('status');
      },
      startProxy: async () => {
        proxy ??= await openProxy();
        ctx.runtime.proxyPort = proxy.port;
        ctx.events.emit('status');
        return proxy.port;
      },
      ca: () => caInfo(ctx, ca),
      replaceCa: async (staged) => {
        const next = staged ?? (await stageCa(ctx.settings().interceptHosts));
        useCa(commitCa(ctx.paths, next, log.child('ca'), 'requested'));
        return ca.certPem;
      },
    };

    // A CA replaced without the user (near expiry, hosts changed): the trust feature carries the
    // stores over to it, or says plainly in its status which ones still trust only the old one.
    const refreshCa = async (hosts: readonly string[]) => {
      const next = await loadOrCreateCa(ctx.paths, hosts, log.child('ca'));
      if (next.fingerprintSha256 === ca.fingerprintSha256) return;
      useCa(next);
      if (next.regenerated) ctx.events.emit('ca.replaced');
    };
    const expiryCheck = setInterval(() => {
      refreshCa(ctx.settings().interceptHosts).catch((err: unknown) =>
        log.warn('ca.refresh_failed', { error: describeError(err) }),
      );
    }, CA_CHECK_INTERVAL_MS);
    expiryCheck.unref();

    return {
      handle,
      status: () => {
        const p = proxy?.stats();
        return {
          enabled: ctx.settings().captureEnabled,
          proxy: p ? { running: true, port: proxy!.port, ...p } : { running: false },
          gateway: { port: gw.port, ...gw.stats() },
          ca: { ...caInfo(ctx, ca), leaves: issuer.cachedHosts() },
          upstream: upstream.url.origin,
          pipeline: pipeline.status(),
        };
      },
      async onSettingsChanged(next: Settings, previous: Settings) {
        if (next.upstream !== previous.upstream || next.upstreamCa !== previous.upstreamCa) {
          const old = upstream;
          upstream = createUpstream(next);
          overridden = Boolean(next.upstream);
          // Calls in flight keep their sockets; idle ones go.
          setTimeout(() => old.close(), 60_000).unref();
        }
        if (next.interceptHosts.join(',') !== previous.interceptHosts.join(',')) {
          // The name constraint lists the hosts: a new list needs a new CA (to be trusted again).
          await refreshCa(next.interceptHosts);
        }
        if (next.proxyPort !== previous.proxyPort || next.gatewayPort !== previous.gatewayPort) {
          log.info('capture.port_change_needs_restart', {
            proxyPort: next.proxyPort,
            gatewayPort: next.gatewayPort,
          });
        }
      },
      async stop() {
        clearInterval(expiryCheck);
        await Promise.all([gw.close(), proxy?.close()]);
        await pipeline.stop();
        upstream.close();
      },
    };
  },
};

/**
 * What the trust feature's regenerate needs (trustFeature({ stageCa })): a new CA that is written
 * only on commit, through the running capture feature when there is one (so the proxy switches at
 * once), else straight to the files.
 */
export function stageCaForCore(ctx: CoreContext): Promise<StagedCaPem> {
  const capture = ctx.feature<CaptureHandle>('capture');
  return stageCaForRegenerate(
    ctx.paths,
    ctx.settings().interceptHosts,
    ctx.log.child('ca'),
    capture ? (staged) => capture.replaceCa(staged) : undefined,
  );
}
