// Trust as a core feature: its handle is what the UI's Certificates page calls (status, install in
// a store, remove from a store, regenerate), in the shape main/core/ui-api/services.ts reads.
// It starts nothing and holds nothing open: every call reads the stores afresh.
import type { CoreContext, Feature } from '../../feature.js';
import type { Elevator } from './elevation.js';
import { TrustService, type TrustOverview } from './trust-service.js';
import type { TrustStore } from './types.js';

export interface TrustHandle {
  status(): Promise<TrustOverview>;
  install(storeId: string): Promise<void>;
  remove(storeId: string): Promise<void>;
  regenerate(): Promise<void>;
  readonly service: TrustService;
}

export interface TrustFeatureOptions {
  /** The CA module's regenerate: makes a new CA in the data directory and returns its PEM. */
  regenerateCa?: (ctx: CoreContext) => Promise<string>;
  /** Tests: this machine's stores and elevation replaced. */
  stores?: TrustStore[];
  elevator?: Elevator;
}

export function trustFeature(options: TrustFeatureOptions = {}): Feature<TrustHandle> {
  return {
    name: 'certs',
    async start(ctx) {
      const regenerate = options.regenerateCa;
      const service = new TrustService({
        paths: ctx.paths,
        db: ctx.db,
        env: ctx.env,
        log: ctx.log,
        stores: options.stores,
        elevator: options.elevator,
        regenerateCa: regenerate ? () => regenerate(ctx) : undefined,
      });
      return {
        handle: {
          service,
          status: () => service.status(),
          install: (storeId) => service.installIn(storeId),
          remove: (storeId) => service.removeFrom(storeId),
          regenerate: async () => {
            await service.regenerate();
          },
        },
        stop: async () => {},
      };
    },
  };
}
