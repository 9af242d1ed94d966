// The one place where the UI API reaches parts of the core that other modules own: capture,
// certificates and trust stores, MCP tokens and the audit log, Claude Desktop and Claude Code, the
// keychain. Each adapter reads what the module exposes (its feature handle or status) and answers
// "not available, because …" when the module is missing, so the UI shows a clear state instead
// of failing. Nothing outside this file knows those modules' shapes.
import type { Settings } from '../config/settings.js';
import { isUserError, UserError } from '../errors.js';
import type { RuntimeInfo } from '../feature.js';
import { createApiKeyStore, type SecretStore } from '../secrets/secret-store.js';
import type {
  AccessEntryDto,
  ApiKeyStatusDto,
  AuditEntryDto,
  CertificatesInfo,
  ClaudeCodeInfo,
  Maybe,
  RecallInjectionDto,
  TokenDto,
} from './contract.js';

/** What the adapters may use of the core. */
export interface ServiceHost {
  settings(): Settings;
  readonly env: NodeJS.ProcessEnv;
  readonly runtime: RuntimeInfo;
  /** A started feature's handle by name. */
  feature<T>(name: string): T | undefined;
  /** Each started feature's status (core.status().features). */
  featureStatus(): Record<string, Record<string, unknown>>;
}

export interface CaptureFigures {
  available: boolean;
  reason: string | null;
  capturesToday: number | null;
  pending: number | null;
  failed: number | null;
  errors: number | null;
  lastError: { message: string; at: string } | null;
}

export interface TokenCreateInput {
  name: string;
  email?: string;
  expiresDays?: number;
}

/** Everything the handlers need from other modules. */
export interface UiServices {
  capture(): CaptureFigures;
  setProxyRunning(running: boolean): Promise<void>;
  failedLogins(): number | null;
  certificates(): Promise<Maybe<CertificatesInfo>>;
  installCertificate(store: string): Promise<void>;
  removeCertificate(store: string, fingerprint?: string): Promise<void>;
  removeCertificateEverywhere(): Promise<void>;
  regenerateCertificate(): Promise<void>;
  claudeDesktop(): Promise<Maybe<{ connected: boolean; configPath: string }>>;
  connectClaudeDesktop(): Promise<void>;
  disconnectClaudeDesktop(): Promise<void>;
  claudeCode(): Promise<Maybe<ClaudeCodeInfo>>;
  connectClaudeCode(): Promise<void>;
  disconnectClaudeCode(): Promise<void>;
  tokens(userId: string): Promise<Maybe<{ tokens: TokenDto[] }>>;
  createToken(userId: string, input: TokenCreateInput): Promise<{ token: TokenDto; secret: string }>;
  revokeToken(userId: string, id: string): Promise<void>;
  enableToken(userId: string, id: string): Promise<void>;
  deleteToken(userId: string, id: string): Promise<void>;
  audit(filter: AuditFilter): Promise<Maybe<{ entries: AuditEntryDto[]; total: number | null }>>;
  accessLog(userId: string, memoryId: string): Promise<Maybe<{ entries: AccessEntryDto[] }>>;
  apiKeyStatus(): Promise<ApiKeyStatusDto>;
  setApiKey(key: string): Promise<void>;
  clearApiKey(): Promise<void>;
}

export interface AuditFilter {
  /** Only entries about this user; absent: every entry on this machine (as `token audit` shows). */
  userId?: string;
  tokenId?: string;
  action?: string;
  outcome?: string;
  since?: string;
  until?: string;
  offset: number;
  limit: number;
}

// ---------- helpers for reading other modules' loosely known shapes ----------

type Loose = Record<string, unknown>;
const isObj = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : null;
const first = <T>(...values: Array<T | null>): T | null => values.find((v) => v !== null) ?? null;

function unavailable(what: string): UserError {
  return new UserError('backend_unavailable', `${what} is not available in this build of Mem0 Tray yet.`);
}

/** A method on a feature handle, if the feature started and has it. */
function methodOf(
  host: ServiceHost,
  feature: string,
  name: string,
): ((...args: unknown[]) => unknown) | null {
  const handle = host.feature<Loose>(feature);
  const fn = isObj(handle) ? handle[name] : undefined;
  return typeof fn === 'function' ? (fn.bind(handle) as (...args: unknown[]) => unknown) : null;
}

function lastError(v: unknown): { message: string; at: string } | null {
  if (!isObj(v)) return null;
  const message = str(v.message);
  return message ? { message, at: str(v.at) ?? '' } : null;
}

function toToken(v: unknown): TokenDto {
  const t = isObj(v) ? v : {};
  const revoked = Boolean(t.revoked ?? t.revokedAt);
  const expiresAt = str(t.expiresAt);
  return {
    id: str(t.id) ?? '',
    name: str(t.name) ?? '',
    userId: str(t.userId) ?? '',
    email: str(t.email),
    prefix: str(t.prefix) ?? str(t.lookupPrefix) ?? '',
    createdAt: str(t.createdAt) ?? '',
    expiresAt,
    lastUsedAt: str(t.lastUsedAt),
    revoked,
    enabled: t.enabled === undefined ? !revoked : Boolean(t.enabled),
    expired: Boolean(t.expired) || (expiresAt !== null && Date.parse(expiresAt) <= Date.now()),
  };
}

function toInjection(v: unknown): RecallInjectionDto | null {
  if (!isObj(v)) return null;
  const ids = Array.isArray(v.memoryIds) ? v.memoryIds.filter((x): x is string => typeof x === 'string') : [];
  return {
    at: str(v.at) ?? '',
    event: v.event === 'session' ? 'session' : 'prompt',
    projectId: str(v.projectId),
    memoryIds: ids,
    chars: num(v.chars) ?? 0,
    tokens: num(v.tokens) ?? 0,
  };
}

function toClaudeCode(raw: Loose, last: unknown): ClaudeCodeInfo {
  const hooks = (Array.isArray(raw.hooks) ? raw.hooks : []).map((h) => {
    const o = isObj(h) ? h : {};
    return {
      scope: o.scope === 'project' ? ('project' as const) : ('user' as const),
      settingsPath: str(o.settingsPath) ?? '',
      installed: Boolean(o.installed),
    };
  });
  const t = isObj(raw.token) ? raw.token : null;
  const token = t ? { id: str(t.id) ?? '', userId: str(t.userId) ?? '', working: Boolean(t.working) } : null;
  const mcpRegistered = Boolean(raw.mcpRegistered);
  return {
    connected: mcpRegistered && hooks.some((h) => h.installed) && Boolean(token?.working),
    mcpRegistered,
    hooks,
    token,
    lastInjection: toInjection(last),
  };
}

function toAudit(v: unknown): AuditEntryDto {
  const e = isObj(v) ? v : {};
  return {
    id: String(e.id ?? e.seq ?? ''),
    at: str(e.at) ?? str(e.createdAt) ?? str(e.time) ?? '',
    tokenId: str(e.tokenId),
    tokenName: str(e.tokenName),
    tokenPrefix: str(e.tokenPrefix),
    userId: str(e.userId),
    action: str(e.action) ?? str(e.tool) ?? '',
    outcome: str(e.outcome) ?? '',
    reason: str(e.reason),
    detail: str(e.detail),
    client: str(e.client) ?? str(e.clientIp) ?? str(e.userAgent),
  };
}

export function createUiServices(host: ServiceHost, secrets?: SecretStore): UiServices {
  let keyStore: SecretStore | undefined = secrets;
  const apiKeys = () => (keyStore ??= createApiKeyStore(host.env));

  return {
    capture() {
      const status = host.featureStatus().capture;
      if (!isObj(status)) {
        return {
          available: false,
          reason: 'The capture proxy is not part of this build yet.',
          capturesToday: null,
          pending: null,
          failed: null,
          errors: null,
          lastError: null,
        };
      }
      const pipeline = isObj(status.pipeline) ? status.pipeline : status;
      const outbox = isObj(pipeline.outbox) ? pipeline.outbox : isObj(status.outbox) ? status.outbox : {};
      return {
        available: true,
        reason: str(status.error),
        capturesToday: first(num(pipeline.capturesToday), num(status.capturesToday)),
        pending: first(num(outbox.pending), num(status.pending)),
        failed: first(num(outbox.failed), num(status.failed)),
        errors: first(num(pipeline.errors), num(status.errors)),
        lastError:
          lastError(pipeline.lastError) ?? lastError(outbox.lastError) ?? lastError(status.lastError),
      };
    },

    failedLogins() {
      const mcp = host.featureStatus().mcp;
      return isObj(mcp) ? first(num(mcp.failedLogins), num(mcp.recentFailedLogins)) : null;
    },

    async certificates() {
      const fn = methodOf(host, 'capture', 'certificates') ?? methodOf(host, 'certs', 'status');
      if (!fn) return { available: false, reason: 'Certificate management is not part of this build yet.' };
      const raw = (await fn()) as Loose;
      const stores = Array.isArray(raw.stores) ? raw.stores : [];
      return {
        available: true,
        caPath: str(raw.caPath) ?? host.runtime.caPath,
        caExists: Boolean(raw.caExists ?? raw.caPath ?? host.runtime.caPath),
        fingerprint: str(raw.fingerprint),
        expiresAt: str(raw.expiresAt) ?? str(raw.notAfter),
        stores: stores.map((s) => {
          const o = isObj(s) ? s : {};
          return {
            id: str(o.id) ?? '',
            name: str(o.name) ?? str(o.id) ?? '',
            trusted: Boolean(o.trusted ?? o.installed),
            privileged: Boolean(o.privileged ?? o.needsAdmin),
            environment: o.scope === 'environment',
            detail: str(o.detail),
            others: (Array.isArray(o.others) ? o.others : []).flatMap((x) => {
              const c = isObj(x) ? x : {};
              const fingerprint = str(c.sha256) ?? str(c.sha1);
              return fingerprint ? [{ subject: str(c.subject) ?? '', fingerprint }] : [];
            }),
          };
        }),
        notice: str(raw.notice),
      };
    },
    async installCertificate(store) {
      const fn = methodOf(host, 'capture', 'installTrust') ?? methodOf(host, 'certs', 'install');
      if (!fn) throw unavailable('Installing the certificate');
      await fn(store);
    },
    async removeCertificate(store, fingerprint) {
      const fn = methodOf(host, 'capture', 'removeTrust') ?? methodOf(host, 'certs', 'remove');
      if (!fn) throw unavailable('Removing the certificate');
      await fn(store, fingerprint);
    },
    async removeCertificateEverywhere() {
      const fn = methodOf(host, 'certs', 'removeEverywhere');
      if (!fn) throw unavailable('Removing the certificate from every store');
      const reports = (await fn()) as unknown;
      // A store that could not be cleaned (its tool is missing, or it failed) is said, not hidden.
      const left = (Array.isArray(reports) ? reports : [])
        .map((r) => (isObj(r) ? r : {}))
        .filter((r) => str(r.skipped));
      if (left.length > 0)
        throw new UserError(
          'failure',
          `Removed from the other stores, but not from ${left.map((r) => `${str(r.storeId)} (${str(r.skipped)})`).join('; ')}.`,
        );
    },
    async regenerateCertificate() {
      const fn = methodOf(host, 'capture', 'regenerateCa') ?? methodOf(host, 'certs', 'regenerate');
      if (!fn) throw unavailable('Regenerating the certificate');
      await fn();
    },

    async claudeDesktop() {
      const fn = methodOf(host, 'mcp', 'claudeDesktopStatus');
      if (!fn)
        return { available: false, reason: 'Connecting Claude Desktop is not part of this build yet.' };
      const raw = (await fn()) as Loose;
      return { available: true, connected: Boolean(raw.connected), configPath: str(raw.configPath) ?? '' };
    },
    async setProxyRunning(running) {
      const fn = methodOf(host, 'capture', running ? 'startProxy' : 'stopProxy');
      if (!fn) throw unavailable(running ? 'Starting the proxy' : 'Stopping the proxy');
      await fn();
    },
    async connectClaudeDesktop() {
      const fn = methodOf(host, 'mcp', 'connectClaudeDesktop');
      if (!fn) throw unavailable('Connecting Claude Desktop');
      await fn();
    },
    async disconnectClaudeDesktop() {
      const fn = methodOf(host, 'mcp', 'disconnectClaudeDesktop');
      if (!fn) throw unavailable('Disconnecting Claude Desktop');
      await fn();
    },

    async claudeCode() {
      const fn = methodOf(host, 'mcp', 'claudeCodeStatus');
      if (!fn) return { available: false, reason: 'Connecting Claude Code is not part of this build yet.' };
      const last = methodOf(host, 'mcp', 'lastRecall');
      try {
        const raw = (await fn()) as Loose;
        return { available: true, ...toClaudeCode(raw, last ? await last() : null) };
      } catch (err) {
        // A settings file Claude Code cannot read either (invalid JSON): say which, keep the page.
        if (isUserError(err)) return { available: false, reason: err.message };
        throw err;
      }
    },
    async connectClaudeCode() {
      const fn = methodOf(host, 'mcp', 'connectClaudeCode');
      if (!fn) throw unavailable('Connecting Claude Code');
      await fn();
    },
    async disconnectClaudeCode() {
      const fn = methodOf(host, 'mcp', 'disconnectClaudeCode');
      if (!fn) throw unavailable('Disconnecting Claude Code');
      await fn();
    },

    async tokens(userId) {
      const fn = methodOf(host, 'mcp', 'listTokens');
      if (!fn) return { available: false, reason: 'MCP tokens are not part of this build yet.' };
      const raw = (await fn({ userId })) as unknown;
      const list = Array.isArray(raw) ? raw : isObj(raw) && Array.isArray(raw.tokens) ? raw.tokens : [];
      return { available: true, tokens: list.map(toToken) };
    },
    async createToken(userId, input) {
      const fn = methodOf(host, 'mcp', 'createToken');
      if (!fn) throw unavailable('Creating MCP tokens');
      const raw = (await fn({ userId, ...input })) as Loose;
      const secret = str(raw.token) ?? str(raw.secret) ?? '';
      return { token: toToken(raw.record ?? raw.info ?? raw), secret };
    },
    async revokeToken(_userId, id) {
      const fn = methodOf(host, 'mcp', 'revokeToken');
      if (!fn) throw unavailable('Revoking MCP tokens');
      await fn(id);
    },
    async enableToken(_userId, id) {
      const fn = methodOf(host, 'mcp', 'enableToken');
      if (!fn) throw unavailable('Enabling MCP tokens');
      await fn(id);
    },
    async deleteToken(_userId, id) {
      const fn = methodOf(host, 'mcp', 'deleteToken');
      if (!fn) throw unavailable('Deleting MCP tokens');
      await fn(id);
    },

    async audit(filter) {
      const fn = methodOf(host, 'mcp', 'audit');
      if (!fn) return { available: false, reason: 'The audit log is not part of this build yet.' };
      const raw = (await fn(filter)) as unknown;
      const entries = Array.isArray(raw) ? raw : isObj(raw) && Array.isArray(raw.entries) ? raw.entries : [];
      return { available: true, entries: entries.map(toAudit), total: isObj(raw) ? num(raw.total) : null };
    },
    async accessLog(userId, memoryId) {
      const fn = methodOf(host, 'mcp', 'audit');
      if (!fn)
        return {
          available: false,
          reason: 'The access log comes with the audit log, which is not part of this build yet.',
        };
      const raw = (await fn({ userId, memoryId, offset: 0, limit: 100 })) as unknown;
      const entries = Array.isArray(raw) ? raw : isObj(raw) && Array.isArray(raw.entries) ? raw.entries : [];
      return {
        available: true,
        entries: entries.map((e) => {
          const a = toAudit(e);
          const o = isObj(e) ? e : {};
          return {
            at: a.at,
            action: a.action,
            via: str(o.via) ?? 'mcp',
            outcome: a.outcome,
            tokenName: a.tokenName,
            client: a.client,
          };
        }),
      };
    },

    async apiKeyStatus() {
      const s = await apiKeys().status();
      return {
        set: s.set,
        source: s.source,
        hint: s.hint,
        keychainAvailable: s.keychainAvailable,
        detail: s.detail ?? null,
      };
    },
    async setApiKey(key) {
      await apiKeys().set(key);
    },
    async clearApiKey() {
      await apiKeys().delete();
    },
  };
}
