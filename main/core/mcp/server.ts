// Builds the MCP server for one authenticated client: our tools and resource bound to its identity.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { VERSION } from '../version.js';
import { registerMemoryTools, type ToolSession } from './tools.js';

export const MCP_SERVER_NAME = 'mem0-tray';

const INSTRUCTIONS =
  "Mem0 Tray is the user's long-term memory, built from their own earlier conversations. " +
  'Search it (search_memories) when earlier context, preferences or decisions could help; save ' +
  'durable facts with add_memory. Every call only reaches this user’s own memories.';

// One validator for every server: the SDK would otherwise build an Ajv instance per server, that
// is per stateless HTTP request (a third of the request's CPU). It is only used for elicitation.
const sharedValidator = new AjvJsonSchemaValidator();

export function createMcpServer(session: ToolSession): McpServer {
  const server = new McpServer(
    { name: MCP_SERVER_NAME, version: VERSION },
    {
      capabilities: { tools: {}, resources: {} },
      instructions: INSTRUCTIONS,
      jsonSchemaValidator: sharedValidator,
    },
  );
  registerMemoryTools(server, session);
  return server;
}
