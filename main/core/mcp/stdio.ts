// `mem0-tray mcp stdio`: what Claude Desktop launches. Builds only what the tools need — the data
// directory's database (WAL: safe next to a running tray), the configured backend, MemoryService
// and the audit log — without the API server or the capture proxy. The identity comes from the
// token in MEM0_TRAY_TOKEN, checked at start and again before every call (a revoked token stops
// working at once). stdout carries the MCP protocol and nothing else: logs go to the log file, and
// stray console output from libraries is sent to stderr.
import type { Readable, Writable } from 'node:stream';
import { format } from 'node:util';
import { dataPaths, resolveDataDir } from '../config/paths.js';
import { loadSettings, type Settings } from '../config/settings.js';
import { openDatabase } from '../db/database.js';
import { UserError, describeError } from '../errors.js';
import { CoreEvents } from '../events.js';
import { createLogger, type Logger } from '../log.js';
import { preparePrivateDataDir, reportTightened } from '../private-fs.js';
import { createBackend } from '../memory/backend-factory.js';
import { MemoryService } from '../memory/service.js';
import { AuditLog } from '../access/audit-log.js';
import { Authenticator } from '../access/authenticate.js';
import type { Identity, IsolationSettings } from '../access/isolation.js';
import { FailureLimiter } from '../access/rate-limit.js';
import { createMcpServer, mcpStdioTransport } from './server.js';
import { TokenStore } from '../access/tokens.js';

export const TOKEN_ENV = 'MEM0_TRAY_TOKEN';
export const PROJECT_ENV = 'MEM0_TRAY_PROJECT';

export interface StdioOptions {
  env?: NodeJS.ProcessEnv;
  stdin?: Readable;
  stdout?: Writable;
  log?: Logger;
}

export interface StdioServer {
  /** Resolves when the client closed the connection and everything was released. */
  closed: Promise<void>;
  close(): Promise<void>;
}

function sendConsoleToStderr(): void {
  const toStderr = (...args: unknown[]) => {
    process.stderr.write(format(...args) + '\n');
  };
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  console.warn = toStderr;
}

export async function runMcpStdio(options: StdioOptions = {}): Promise<StdioServer> {
  const env = options.env ?? process.env;
  if (!options.stdout) sendConsoleToStderr();
  const paths = dataPaths(resolveDataDir(env));
  // Made (or put back to) private before the log or the database is opened there.
  const tightened = preparePrivateDataDir(paths.dataDir);
  const log = options.log ?? createLogger({ file: paths.log, console: false, scope: 'mcp-stdio' });
  reportTightened(log, paths.dataDir, tightened);
  let settings: Settings = loadSettings(paths.settings, env).settings;
  const presented = env[TOKEN_ENV]?.trim();
  if (!presented) {
    throw new UserError(
      'unauthorized',
      `${TOKEN_ENV} is not set: create a token with "mem0-tray token create --user-id U --name N --email E" (or run "mem0-tray claude-desktop connect") and pass it in ${TOKEN_ENV}.`,
    );
  }
  const db = openDatabase(paths.database);
  const events = new CoreEvents();
  let audit: AuditLog | undefined;
  try {
    const backend = createBackend(settings, { db, env, log });
    const memories = new MemoryService(() => backend, events);
    const tokens = new TokenStore(db, { defaultExpiryDays: () => settings.tokenExpiryDays });
    audit = new AuditLog(db, { log });
    const auditLog = audit;
    audit.attach(events, 'stdio');
    const auth = new Authenticator(tokens, audit, new FailureLimiter());
    const outcome = auth.authenticate(
      { token: presented, claimedUserId: null, problem: null },
      { via: 'mcp', transport: 'stdio', clientIp: null, userAgent: 'stdio' },
    );
    if (!outcome.ok) {
      audit.close();
      throw new UserError('unauthorized', `${TOKEN_ENV}: ${outcome.detail}`);
    }
    const identity: Identity = {
      userId: outcome.token.userId,
      tokenId: outcome.token.id,
      permissions: outcome.token.permissions,
      via: 'mcp',
      userAgent: 'stdio',
      defaultProject: env[PROJECT_ENV] ?? null,
    };
    const currentSettings = (): IsolationSettings => {
      try {
        // The tray may change the isolation mode while Claude Desktop keeps us running.
        settings = loadSettings(paths.settings, env).settings;
      } catch (err) {
        log.warn('settings.reload_failed', { error: describeError(err) });
      }
      return {
        isolationMode: settings.isolationMode,
        manualProjectId: settings.manualProjectId,
        userId: settings.userId,
      };
    };
    const { StdioServerTransport } = await mcpStdioTransport();
    const server = await createMcpServer({
      identity,
      settings: currentSettings,
      memories,
      log,
      check: () => {
        const now = tokens.findByValue(presented);
        if (!now) throw new UserError('unauthorized', 'This token was deleted: ask for a new one.');
        if (now.revoked) throw new UserError('unauthorized', 'This token was revoked: ask for a new one.');
        if (now.expired) throw new UserError('unauthorized', 'This token expired: create a new one.');
      },
    });
    const transport = new StdioServerTransport(
      options.stdin ?? process.stdin,
      options.stdout ?? process.stdout,
    );
    let release!: () => void;
    const closed = new Promise<void>((resolve) => (release = resolve));
    let done = false;
    const cleanup = async () => {
      if (done) return;
      done = true;
      auditLog.close();
      await backend.close().catch(() => undefined);
      if (db.open) db.close();
      log.info('mcp.stdio_closed');
      release();
    };
    server.server.onclose = () => void cleanup();
    await server.connect(transport);
    // Claude Desktop ends us by closing stdin; the SDK's stdio transport does not notice that alone.
    (options.stdin ?? process.stdin).once('end', () => void server.close());
    log.info('mcp.stdio_ready', { tokenId: identity.tokenId, mode: settings.isolationMode });
    return {
      closed,
      close: async () => {
        await server.close();
        await cleanup();
      },
    };
  } catch (err) {
    audit?.close();
    if (db.open) db.close();
    throw err;
  }
}
