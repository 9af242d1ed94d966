// The access feature and the front doors it guards (REST, the recall hook, MCP over HTTP), in
// FEATURES order: what a test core needs to be reached with tokens.
import { createAccessFeature, type AccessFeatureOptions } from '../../main/core/access/access-feature.js';
import { restFeature } from '../../main/core/api/rest-feature.js';
import type { AnyFeature } from '../../main/core/feature.js';
import { createMcpFeature, type McpFeatureOptions } from '../../main/core/mcp/feature.js';
import { recallFeature } from '../../main/core/recall/recall-feature.js';

export function frontDoors(
  options: { access?: AccessFeatureOptions; mcp?: McpFeatureOptions } = {},
): AnyFeature[] {
  return [createAccessFeature(options.access), restFeature, recallFeature, createMcpFeature(options.mcp)];
}
