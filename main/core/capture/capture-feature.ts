// The capture feature: the CA, the interception proxy and the gateway, feeding the capture pipeline.
// Pause is the captureEnabled setting: traffic keeps flowing, nothing is recorded. Stopping the
// proxy is a separate action: clients configured with HTTPS_PROXY then fail to connect.
import type { Settings } from '../config/settings.js';
import type { CoreContext } from '../core-context.js';
import type { Feature, FeatureContext } from '../feature.js';
import { commitCa, loadOrCreateCa, stageCa, stageCaForRegenerate, type CaMaterial } from '../certs/ca.js';
import type { StagedCaPem } from '../certs/trust/trust-service.js';
import { describeError } from '../errors.js';
import type { UpstreamSettings } from './net/net-messages.js';
import { STOP_GRACE_MS } from './net/active-streams.js';
import { startCaptureNetwork, type CaptureNetwork } from './net/net-thread.js';
import { ANTHROPIC_ORIGIN } from './net/upstream-settings.js';
import type { CaInfo, CaptureHandle } from './capture-handle.js';
import { createCapturePipeline } from './pipeline.js';

/** How often a long-running core checks whether its CA nears expiry (CA_RENEW_BEFORE_DAYS). */
export const CA_CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

const upstreamSettings = (s: Settings): UpstreamSettings => ({
  upstream: s.upstream,
  upstreamCa: s.upstreamCa,
});

function caInfo(ctx: CoreContext, ca: CaMaterial): CaInfo {
  return {
    path: ctx.paths.caCert,
    fingerprintSha256: ca.fingerprintSha256,
    notAfter: ca.notAfter.toISOString(),
    hosts: ca.hosts,
  };
}

export const captureFeature: Feature<'capture'> = {
  id: 'capture',
  async start(ctx) {
    const settings = ctx.settings();
    const log = ctx.log;
    let ca = await loadOrCreateCa(ctx.paths, settings.interceptHosts, log.child('ca'));
    ctx.runtime.caPath = ctx.paths.caCert;

    // Remote backends answer in tens of milliseconds: more conversations in flight keep up.
    const pipeline = createCapturePipeline(ctx, {
      outboxOptions: { concurrency: settings.backend === 'local' ? 8 : 32 },
    });
    // The proxy and the gateway forward traffic in their own thread; exchanges come back to the
    // pipeline here.
    let net: CaptureNetwork;
    try {
      net = await startCaptureNetwork({
        gatewayPort: settings.gatewayPort,
        proxyPort: settings.proxyPort,
        clientHost: settings.interceptHosts[0]!,
        interceptHosts: settings.interceptHosts,
        ca,
        upstream: upstreamSettings(settings),
        capturing: settings.captureEnabled,
        sink: pipeline.sink,
        accept: pipeline.accept,
        log,
      });
    } catch (err) {
      await pipeline.stop();
      throw err;
    }
    pipeline.drawAcceptsFrom(net.deliverWaitingAccepts);
    ctx.runtime.gatewayPort = net.gatewayPort;
    ctx.runtime.proxyPort = net.proxyPort();

    const useCa = async (next: CaMaterial) => {
      ca = next;
      await net.useCa(next);
    };

    const handle: CaptureHandle = {
      pipeline,
      gatewayPort: net.gatewayPort,
      proxyPort: () => net.proxyPort(),
      isEnabled: () => ctx.settings().captureEnabled,
      pause: async () => {
        await ctx.updateSettings({ captureEnabled: false });
      },
      resume: async () => {
        await ctx.updateSettings({ captureEnabled: true });
      },
      stopProxy: async () => {
        ctx.runtime.proxyPort = null;
        await net.stopProxy();
        log.warn('proxy.stopped_by_user');
        ctx.events.emit('status');
      },
      startProxy: async () => {
        const port = await net.startProxy();
        ctx.runtime.proxyPort = port;
        ctx.events.emit('status');
        return port;
      },
      ca: () => caInfo(ctx, ca),
      replaceCa: async (staged) => {
        const next = staged ?? (await stageCa(ctx.settings().interceptHosts));
        await useCa(commitCa(ctx.paths, next, log.child('ca'), 'requested'));
        return ca.certPem;
      },
    };

    // A CA replaced without the user (near expiry, hosts changed): the trust feature carries the
    // stores over to it, or says plainly in its status which ones still trust only the old one.
    const refreshCa = async (hosts: readonly string[]) => {
      const next = await loadOrCreateCa(ctx.paths, hosts, log.child('ca'));
      if (next.fingerprintSha256 === ca.fingerprintSha256) return;
      await useCa(next);
      if (next.regenerated) ctx.events.emit('ca.replaced');
    };
    const expiryCheck = setInterval(() => {
      refreshCa(ctx.settings().interceptHosts).catch((err: unknown) =>
        log.warn('ca.refresh_failed', { error: describeError(err) }),
      );
    }, CA_CHECK_INTERVAL_MS);
    expiryCheck.unref();

    // Stopping: the network thread takes no new request from the first moment, lets the replies it
    // started finish (up to the grace), hands over their exchanges; then the pipeline commits them.
    const graceMs = stopGraceMs(ctx.env);
    let closing: Promise<number> | null = null;
    const closeNetwork = () => (closing ??= net.close(graceMs));

    return {
      handle,
      status: () => {
        const stats = net.stats();
        return {
          enabled: ctx.settings().captureEnabled,
          proxy: stats.proxy ? { running: true, ...stats.proxy } : { running: false },
          gateway: stats.gateway,
          ca: { ...caInfo(ctx, ca), leaves: stats.leaves },
          upstream: new URL(ctx.settings().upstream ?? ANTHROPIC_ORIGIN).origin,
          networkThreadRestarts: stats.restarts,
          pipeline: pipeline.status(),
        };
      },
      async onSettingsChanged(next: Settings, previous: Settings) {
        net.setCapturing(next.captureEnabled);
        // Each change is applied even when another fails; the first failure is reported.
        const changes: Array<Promise<void>> = [];
        if (next.upstream !== previous.upstream || next.upstreamCa !== previous.upstreamCa) {
          changes.push(net.setUpstream(upstreamSettings(next)));
        }
        if (next.interceptHosts.join(',') !== previous.interceptHosts.join(',')) {
          changes.push(
            (async () => {
              await net.setInterceptHosts(next.interceptHosts);
              // The name constraint lists the hosts: a new list needs a new CA (to be trusted again).
              await refreshCa(next.interceptHosts);
            })(),
          );
        }
        const failed = (await Promise.allSettled(changes)).find((r) => r.status === 'rejected');
        if (next.proxyPort !== previous.proxyPort || next.gatewayPort !== previous.gatewayPort) {
          log.info('capture.port_change_needs_restart', {
            proxyPort: next.proxyPort,
            gatewayPort: next.gatewayPort,
          });
        }
        if (failed) throw (failed as PromiseRejectedResult).reason;
      },
      stopping() {
        void closeNetwork();
      },
      async stop() {
        clearInterval(expiryCheck);
        const cut = await closeNetwork();
        if (cut > 0) log.warn('capture.streams_cut', { streams: cut, graceMs });
        await pipeline.stop();
      },
    };
  },
};

/** How long a stop lets started replies finish: MEM0_TRAY_STOP_GRACE_MS, default STOP_GRACE_MS. */
function stopGraceMs(env: NodeJS.ProcessEnv): number {
  const n = Number(env.MEM0_TRAY_STOP_GRACE_MS);
  return env.MEM0_TRAY_STOP_GRACE_MS !== undefined && Number.isFinite(n) && n >= 0 ? n : STOP_GRACE_MS;
}

/**
 * What the trust feature's regenerate needs (trustFeature({ stageCa })): a new CA that is written
 * only on commit, through the running capture feature when there is one (so the proxy switches at
 * once), else straight to the files.
 */
export function stageCaForCore(ctx: FeatureContext): Promise<StagedCaPem> {
  const capture = ctx.feature('capture');
  return stageCaForRegenerate(
    ctx.paths,
    ctx.settings().interceptHosts,
    ctx.log.child('ca'),
    capture ? (staged) => capture.replaceCa(staged) : undefined,
  );
}
