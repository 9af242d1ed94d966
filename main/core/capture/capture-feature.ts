// The capture feature: the gateway (and the proxy, when present) feeding the capture pipeline.
// Pause is the captureEnabled setting: traffic keeps flowing, the pipeline records nothing.
import type { Feature } from '../feature.js';
import { startGateway, type Gateway } from './net/gateway.js';
import { createUpstream, type Upstream } from './net/upstream.js';
import { createCapturePipeline, type CapturePipeline } from './pipeline.js';

export interface CaptureHandle {
  pipeline: CapturePipeline;
  gatewayPort: number;
  isEnabled(): boolean;
}

export const captureFeature: Feature<CaptureHandle> = {
  name: 'capture',
  async start(ctx) {
    const settings = ctx.settings();
    // Remote backends answer in tens of milliseconds: more conversations in flight keep up.
    const pipeline = createCapturePipeline(ctx, {
      outboxOptions: { concurrency: settings.backend === 'local' ? 8 : 32 },
    });
    let upstream: Upstream = createUpstream(settings);
    let gateway: Gateway;
    try {
      gateway = await startGateway({
        port: settings.gatewayPort,
        upstream: () => upstream,
        clientHost: settings.interceptHosts[0]!,
        sink: pipeline.sink,
        log: ctx.log.child('gateway'),
      });
    } catch (err) {
      await pipeline.stop();
      upstream.close();
      throw err;
    }
    ctx.runtime.gatewayPort = gateway.port;
    return {
      handle: {
        pipeline,
        gatewayPort: gateway.port,
        isEnabled: () => ctx.settings().captureEnabled,
      },
      status: () => ({
        enabled: ctx.settings().captureEnabled,
        gateway: { port: gateway.port, ...gateway.stats() },
        upstream: upstream.url.origin,
        pipeline: pipeline.status(),
      }),
      onSettingsChanged(next, previous) {
        if (next.upstream !== previous.upstream || next.upstreamCa !== previous.upstreamCa) {
          const old = upstream;
          upstream = createUpstream(next);
          // Calls in flight keep their sockets; idle ones go.
          setTimeout(() => old.close(), 60_000).unref();
        }
      },
      async stop() {
        await gateway.close();
        await pipeline.stop();
        upstream.close();
      },
    };
  },
};
