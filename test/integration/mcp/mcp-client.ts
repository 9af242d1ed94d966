// The MCP SDK's own client over Streamable HTTP, with our token headers.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export interface ToolText {
  isError: boolean;
  text: string;
  structured: Record<string, unknown> | undefined;
}

export async function httpClient(url: string, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'mem0-tray-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolText> {
  const r = await client.callTool({ name, arguments: args });
  const content = (r.content ?? []) as Array<{ type: string; text?: string }>;
  return {
    isError: r.isError === true,
    text: content.map((c) => c.text ?? '').join('\n'),
    structured: r.structuredContent as Record<string, unknown> | undefined,
  };
}
