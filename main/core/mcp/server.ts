// Builds the MCP server for one authenticated client: our tools and resource bound to its identity.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { VERSION } from '../version.js';
import { registerMemoryTools, type ToolSession } from './tools.js';

export const MCP_SERVER_NAME = 'mem0-tray';

const INSTRUCTIONS =
  "Mem0 Tray is the user's long-term memory, built from their own earlier conversations. " +
  'Search it (search_memories) when earlier context, preferences or decisions could help; save ' +
  'durable facts with add_memory. Every call only reaches this user’s own memories.';

// The MCP SDK is loaded on first use: its modules weigh on the core's start, and neither a CLI
// command nor a core that no MCP client has called yet needs them. Each transport is
// loaded only by the side that uses it (mcp stdio never loads the HTTP one).

/** A module loaded once, on first call; a load that failed is tried again next time. */
function lazily<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    }));
}

export const mcpServerSdk = lazily(async () => {
  const [mcp, ajv] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/mcp.js'),
    import('@modelcontextprotocol/sdk/validation/ajv'),
  ]);
  // One validator for every server: the SDK would otherwise build an Ajv instance per server, that
  // is per stateless HTTP request, a large share of its CPU. It is only used for elicitation.
  return { McpServer: mcp.McpServer, validator: new ajv.AjvJsonSchemaValidator() };
});

export const mcpHttpTransport = lazily(() => import('@modelcontextprotocol/sdk/server/streamableHttp.js'));
export const mcpStdioTransport = lazily(() => import('@modelcontextprotocol/sdk/server/stdio.js'));

export async function createMcpServer(session: ToolSession): Promise<McpServer> {
  const { McpServer, validator } = await mcpServerSdk();
  const server = new McpServer(
    { name: MCP_SERVER_NAME, version: VERSION },
    {
      capabilities: { tools: {}, resources: {} },
      instructions: INSTRUCTIONS,
      jsonSchemaValidator: validator,
    },
  );
  registerMemoryTools(server, session);
  return server;
}
