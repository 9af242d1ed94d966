// Every feature of the core, listed once in start order and indexed by id (feature-handles.ts).
// The composition root (core.ts) starts these unless told to start fewer.
import { accessFeature } from './access/access-feature.js';
import { restFeature } from './api/rest-feature.js';
import { captureFeature, stageCaForCore } from './capture/capture-feature.js';
import { trustFeature } from './certs/trust/trust-feature.js';
import type { AnyFeature } from './feature.js';
import type { FeatureId } from './feature-handles.js';
import { mcpFeature } from './mcp/feature.js';
import { recallFeature } from './recall/recall-feature.js';
import { uiFeature } from './ui-api/feature.js';

/**
 * Every feature, once, in start order: later features use earlier ones' handles; access comes
 * before the front doors (REST, the recall hook, MCP) that it guards; the UI comes last.
 */
export const FEATURES = [
  captureFeature,
  // Regenerating through the running capture feature switches the proxy to the new CA at once.
  trustFeature({ stageCa: stageCaForCore }),
  accessFeature,
  restFeature,
  recallFeature,
  mcpFeature,
  uiFeature,
] as const satisfies readonly AnyFeature[];

/** Compiles only while every handle in FeatureHandles has its feature in FEATURES. */
export type UnlistedFeature = Exclude<FeatureId, (typeof FEATURES)[number]['id']>;
const everyFeatureListed: [UnlistedFeature] extends [never] ? true : UnlistedFeature = true;
void everyFeatureListed;
