// Trust as a core feature: its handle (trust-handle.ts) is what the UI's Certificates page calls.
// Status is read from the stores again after every change made here, and otherwise at most once
// per TRUST_STATUS_MAX_AGE_MS. At start, and whenever capture replaces the CA by itself,
// per-user stores that held the earlier CA are carried over to the current one.
import { describeError } from '../../errors.js';
import type { Feature, FeatureContext } from '../../feature.js';
import type { Elevator } from './elevation.js';
import { TrustService, type StagedCaPem } from './trust-service.js';
import type { TrustStore } from './types.js';

/**
 * How long the stores' status is kept when nothing changed it here: the tray asks after every captured
 * turn, and a change made outside the app (a terminal, another tool) shows within this bound.
 */
const TRUST_STATUS_MAX_AGE_MS = 60_000;

export interface TrustFeatureOptions {
  /** Makes a new CA, written (and used by the proxy) only on commit. */
  stageCa?: (ctx: FeatureContext) => Promise<StagedCaPem>;
  /** Tests: this machine's stores and elevation replaced. */
  stores?: TrustStore[];
  elevator?: Elevator;
  statusMaxAgeMs?: number;
}

export function trustFeature(options: TrustFeatureOptions = {}): Feature<'certs'> {
  return {
    id: 'certs',
    async start(ctx) {
      const stage = options.stageCa;
      const service = new TrustService({
        paths: ctx.paths,
        db: ctx.db,
        env: ctx.env,
        log: ctx.log,
        stores: options.stores,
        elevator: options.elevator,
        stageCa: stage ? () => stage(ctx) : undefined,
        statusMaxAgeMs: options.statusMaxAgeMs ?? TRUST_STATUS_MAX_AGE_MS,
      });
      const log = ctx.log.child('trust');
      const reconcile = async (): Promise<void> => {
        try {
          const result = await service.reconcile();
          if (!result) return;
          if (result.replaced.length > 0 || result.needsAdmin.length > 0) {
            log.info('trust.reconciled', {
              replaced: result.replaced.filter((r) => !r.failed).length,
              failed: result.replaced.filter((r) => r.failed).length,
              needsAdmin: result.needsAdmin.length,
            });
            ctx.events.emit('status');
          }
        } catch (err) {
          log.warn('trust.reconcile_failed', { error: describeError(err) });
        }
      };
      // In the background: reading every store must not hold up the core's start.
      const reconciled = reconcile();
      const onReplaced = () => void reconcile();
      ctx.events.on('ca.replaced', onReplaced);
      return {
        handle: {
          service,
          status: () => service.status(),
          install: (storeId) => service.installIn(storeId),
          remove: (storeId, fingerprint) => service.removeFrom(storeId, fingerprint),
          removeEverywhere: () => service.uninstall('all'),
          reconciled,
          regenerate: async () => {
            await service.regenerate();
          },
        },
        stop: async () => {
          ctx.events.off('ca.replaced', onReplaced);
          await reconciled;
        },
      };
    },
  };
}
