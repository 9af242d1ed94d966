// A real core with only access and its front doors (REST, recall hook, MCP) on a temporary data directory, and a raw HTTP helper that
// can send any headers (including a forged Host) to its API port.
import http from 'node:http';
import { Core } from '../../../main/core/core.js';
import { silentLogger } from '../../../main/core/log.js';
import type { AccessFeatureOptions } from '../../../main/core/access/access-feature.js';
import type { AccessHandle } from '../../../main/core/access/access-handle.js';
import type { CreateTokenInput } from '../../../main/core/access/tokens.js';
import type { AccessEntryDto } from '../../../main/core/ui-api/contract.js';
import { uiPeersOf } from '../../../main/core/ui-api/feature.js';
import { createUiServices } from '../../../main/core/ui-api/services.js';
import { frontDoors } from '../../support/front-doors.js';
import { tempDir } from '../../support/tmp.js';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export interface McpTestCore {
  core: Core;
  access: AccessHandle;
  home: string;
  port: number;
  baseUrl: string;
  token(input: Partial<CreateTokenInput> & { userId: string }): { token: string; id: string };
  request(
    method: string,
    path: string,
    options?: { token?: string; headers?: Record<string, string>; body?: unknown; rawBody?: string },
  ): Promise<HttpResult>;
  /** What the review UI's detail pane shows as one memory's access log (for the settings' user). */
  accessLog(memoryId: string): Promise<AccessEntryDto[]>;
  stop(): Promise<void>;
}

export async function startMcpCore(
  options: {
    env?: Record<string, string>;
    access?: AccessFeatureOptions;
    settings?: Record<string, unknown>;
  } = {},
): Promise<McpTestCore> {
  const home = tempDir('mem0-tray-mcp-');
  if (options.settings) {
    const fs = await import('node:fs');
    fs.writeFileSync(`${home}/settings.json`, JSON.stringify(options.settings));
  }
  const core = await Core.start({
    env: { MEM0_TRAY_HOME: home, MEM0_TRAY_API_PORT: '0', MEM0_TRAY_USER_ID: 'alice', ...options.env },
    log: silentLogger,
    features: frontDoors({ access: options.access }),
    writeRuntime: false,
  });
  const access = core.feature('access')!;
  const port = core.api.port;
  return {
    core,
    access,
    home,
    port,
    baseUrl: core.api.baseUrl,
    token(input) {
      const created = access.createToken({
        name: `test ${input.userId}`,
        email: `${input.userId}@example.com`,
        ...input,
      });
      return { token: created.token, id: created.record.id };
    },
    request(method, path, opts = {}) {
      const headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
      if (payload !== undefined) headers['content-type'] ??= 'application/json';
      return new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown = undefined;
            try {
              json = JSON.parse(text);
            } catch {
              // not JSON
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          });
        });
        req.on('error', reject);
        req.end(payload);
      });
    },
    async accessLog(memoryId) {
      const ui = createUiServices(uiPeersOf(core), {});
      const log = await ui.accessLog(core.settings().userId, memoryId);
      if (!log.available) throw new Error(`access log unavailable: ${log.reason}`);
      return log.entries;
    },
    stop: () => core.stop(),
  };
}
