// The one table of the features' handles, indexed by feature id: what the shell, the CLI, the UI
// and other features may call on each. `core.feature('capture')` is typed from here, so renaming a
// handle's method breaks its callers at compile time. Each handle is declared in its folder's
// `*-handle.ts`, which does not import the plug-in contract (feature.ts): the table and the
// contract can then both be imported anywhere without an import cycle.
import type { AccessHandle } from './access/access-handle.js';
import type { CaptureHandle } from './capture/capture-handle.js';
import type { TrustHandle } from './certs/trust/trust-handle.js';
import type { McpHandle } from './mcp/mcp-handle.js';
import type { RecallHandle } from './recall/recall-handle.js';
import type { UiHandle } from './ui-api/ui-handle.js';

export interface FeatureHandles {
  capture: CaptureHandle;
  certs: TrustHandle;
  access: AccessHandle;
  /** The REST API: a front door with nothing for other code to call. */
  rest: null;
  recall: RecallHandle;
  mcp: McpHandle;
  ui: UiHandle;
}

export type FeatureId = keyof FeatureHandles;
