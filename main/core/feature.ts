// How a capability plugs into the core: a Feature gets the shared context, starts, and hands back
// a handle (its public API, typed in feature-handles.ts), a status and a stop. The composition
// root (core.ts) lists the features in start order.
import type { Settings } from './config/settings.js';
import type { CoreContext } from './core-context.js';
import type { FeatureHandles, FeatureId } from './feature-handles.js';

/** A started feature's handle by id (typed from FeatureHandles); undefined when this core runs without it. */
export type FeatureLookup = <K extends FeatureId>(id: K) => FeatureHandles[K] | undefined;

export interface FeatureContext extends CoreContext {
  /** The handle of a feature that started earlier. */
  readonly feature: FeatureLookup;
}

export interface StartedFeature<Handle> {
  handle: Handle;
  /** A JSON-serialisable summary for the tray, the UI and `GET /health`. */
  status?(): Record<string, unknown>;
  onSettingsChanged?(next: Settings, previous: Settings): Promise<void> | void;
  /** The core begins to stop: called on every feature at once, before any stop() (take no new work). */
  stopping?(): void;
  stop(): Promise<void>;
}

export interface Feature<K extends FeatureId> {
  readonly id: K;
  start(ctx: FeatureContext): Promise<StartedFeature<FeatureHandles[K]>>;
}

/** Any one feature, its id and its handle's type kept together. */
export type AnyFeature = { [K in FeatureId]: Feature<K> }[FeatureId];

/** A peer a feature cannot start without; a core started without it fails with a plain reason. */
export function requirePeer<K extends FeatureId>(
  ctx: FeatureContext,
  id: K,
  by: FeatureId,
): FeatureHandles[K] {
  const handle = ctx.feature(id);
  if (handle === undefined)
    throw new Error(`The "${by}" feature needs the "${id}" feature, started before it.`);
  return handle;
}
