// The one place where the UI API reaches parts of the core that other modules own: capture,
// certificates and trust stores, tokens and the audit log, Claude Desktop and Claude Code, the
// keychain. Each adapter calls the module's typed handle and maps its answer to the UI contract's
// shapes. A core started without a module (tests, an embedded core) answers "not available,
// because …", so the UI shows a clear state instead of failing.
import type { AccessHandle } from '../access/access-handle.js';
import type { AuditEntry } from '../access/audit-query.js';
import type { TokenInfo } from '../access/tokens.js';
import type { CaptureHandle } from '../capture/capture-handle.js';
import type { TrustHandle } from '../certs/trust/trust-handle.js';
import type { TrustOverview } from '../certs/trust/trust-service.js';
import type { ClaudeCodeStatus } from '../claude-clients/claude-code.js';
import { isUserError, UserError } from '../errors.js';
import type { McpHandle } from '../mcp/mcp-handle.js';
import type { RecallHandle } from '../recall/recall-handle.js';
import type { Injection } from '../recall/recall-log.js';
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

/** The features the UI reaches, as far as it uses them; a core started without one leaves it out. */
export interface UiPeers {
  capture?: Pick<CaptureHandle, 'pipeline' | 'startProxy' | 'stopProxy'>;
  certs?: Pick<TrustHandle, 'status' | 'install' | 'remove' | 'removeEverywhere' | 'regenerate'>;
  access?: Pick<
    AccessHandle,
    'listTokens' | 'createToken' | 'revokeToken' | 'enableToken' | 'deleteToken' | 'audit' | 'failedLogins'
  >;
  recall?: Pick<RecallHandle, 'lastRecall'>;
  mcp?: Pick<
    McpHandle,
    | 'claudeDesktopStatus'
    | 'connectClaudeDesktop'
    | 'disconnectClaudeDesktop'
    | 'claudeCodeStatus'
    | 'connectClaudeCode'
    | 'disconnectClaudeCode'
  >;
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

/** What each feature gives the UI, for the message that says it is missing. */
const GIVES: Record<keyof UiPeers, string> = {
  capture: 'the capture proxy and gateway',
  certs: 'certificate management',
  access: 'tokens and the audit log',
  recall: "Claude Code's recall hooks",
  mcp: 'connecting Claude Desktop and Claude Code',
};

function absentReason(id: keyof UiPeers): string {
  return `Not available: this core was started without the "${id}" feature (${GIVES[id]}).`;
}

/** The peer, or a UserError that says it is not part of this core. */
function need<K extends keyof UiPeers>(peers: UiPeers, id: K): NonNullable<UiPeers[K]> {
  const peer = peers[id];
  if (!peer) throw new UserError('backend_unavailable', absentReason(id));
  return peer;
}

function toToken(t: TokenInfo): TokenDto {
  return {
    id: t.id,
    name: t.name,
    userId: t.userId,
    email: t.email,
    prefix: t.prefix,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt,
    revoked: t.revoked,
    enabled: t.enabled,
    expired: t.expired,
  };
}

function toInjection(i: Injection | null): RecallInjectionDto | null {
  if (!i) return null;
  const { at, event, projectId, memoryIds, chars, tokens } = i;
  return { at, event, projectId, memoryIds, chars, tokens };
}

function toClaudeCode(status: ClaudeCodeStatus, last: Injection | null): ClaudeCodeInfo {
  const hooks = status.hooks.map(({ scope, settingsPath, installed }) => ({
    scope,
    settingsPath,
    installed,
  }));
  return {
    connected: status.mcpRegistered && hooks.some((h) => h.installed) && Boolean(status.token?.working),
    mcpRegistered: status.mcpRegistered,
    hooks,
    token: status.token,
    lastInjection: toInjection(last),
  };
}

function toAudit(e: AuditEntry): AuditEntryDto {
  return {
    id: String(e.id),
    at: e.at,
    tokenId: e.tokenId,
    tokenName: e.tokenName,
    tokenPrefix: e.tokenPrefix,
    userId: e.userId,
    action: e.action,
    outcome: e.outcome,
    reason: e.reason,
    detail: e.detail,
    client: e.client,
  };
}

function toCertificates(o: TrustOverview): CertificatesInfo {
  return {
    caPath: o.caPath,
    caExists: o.caExists,
    fingerprint: o.fingerprint,
    expiresAt: o.expiresAt,
    stores: o.stores.map((s) => ({
      id: s.id,
      name: s.name,
      trusted: s.trusted,
      privileged: s.privileged,
      environment: s.scope === 'environment',
      detail: s.detail,
      others: s.others.flatMap((c) => {
        const fingerprint = c.sha256 ?? c.sha1;
        return fingerprint ? [{ subject: c.subject, fingerprint }] : [];
      }),
    })),
    notice: o.notice,
  };
}

/** `env` locates the keychain entry of the API key; `secrets` replaces that store (tests). */
export function createUiServices(peers: UiPeers, env: NodeJS.ProcessEnv, secrets?: SecretStore): UiServices {
  let keyStore: SecretStore | undefined = secrets;
  const apiKeys = () => (keyStore ??= createApiKeyStore(env));

  return {
    capture() {
      if (!peers.capture) {
        return {
          available: false,
          reason: absentReason('capture'),
          capturesToday: null,
          pending: null,
          failed: null,
          errors: null,
          lastError: null,
        };
      }
      const status = peers.capture.pipeline.status();
      return {
        available: true,
        reason: null,
        capturesToday: status.capturesToday,
        pending: status.outbox.pending,
        failed: status.outbox.failed,
        errors: status.errors,
        lastError: status.lastError ?? status.outbox.lastError,
      };
    },
    async setProxyRunning(running) {
      const capture = need(peers, 'capture');
      await (running ? capture.startProxy() : capture.stopProxy());
    },
    failedLogins() {
      return peers.access ? peers.access.failedLogins() : null;
    },

    async certificates() {
      if (!peers.certs) return { available: false, reason: absentReason('certs') };
      return { available: true, ...toCertificates(await peers.certs.status()) };
    },
    async installCertificate(store) {
      await need(peers, 'certs').install(store);
    },
    async removeCertificate(store, fingerprint) {
      await need(peers, 'certs').remove(store, fingerprint);
    },
    async removeCertificateEverywhere() {
      const reports = await need(peers, 'certs').removeEverywhere();
      // A store that could not be cleaned (its tool is missing, or it failed) is said, not hidden.
      const left = reports.filter((r) => r.skipped);
      if (left.length > 0)
        throw new UserError(
          'failure',
          `Removed from the other stores, but not from ${left.map((r) => `${r.storeId} (${r.skipped})`).join('; ')}.`,
        );
    },
    async regenerateCertificate() {
      await need(peers, 'certs').regenerate();
    },

    async claudeDesktop() {
      if (!peers.mcp) return { available: false, reason: absentReason('mcp') };
      const { connected, configPath } = peers.mcp.claudeDesktopStatus();
      return { available: true, connected, configPath };
    },
    async connectClaudeDesktop() {
      need(peers, 'mcp').connectClaudeDesktop();
    },
    async disconnectClaudeDesktop() {
      need(peers, 'mcp').disconnectClaudeDesktop();
    },

    async claudeCode() {
      if (!peers.mcp) return { available: false, reason: absentReason('mcp') };
      try {
        const status = peers.mcp.claudeCodeStatus();
        return { available: true, ...toClaudeCode(status, peers.recall?.lastRecall() ?? null) };
      } catch (err) {
        // A settings file Claude Code cannot read either (invalid JSON): say which, keep the page.
        if (isUserError(err)) return { available: false, reason: err.message };
        throw err;
      }
    },
    async connectClaudeCode() {
      need(peers, 'mcp').connectClaudeCode();
    },
    async disconnectClaudeCode() {
      need(peers, 'mcp').disconnectClaudeCode();
    },

    async tokens(userId) {
      if (!peers.access) return { available: false, reason: absentReason('access') };
      return { available: true, tokens: peers.access.listTokens({ userId }).map(toToken) };
    },
    async createToken(userId, input) {
      const created = need(peers, 'access').createToken({ userId, ...input });
      return { token: toToken(created.record), secret: created.token };
    },
    async revokeToken(_userId, id) {
      need(peers, 'access').revokeToken(id);
    },
    async enableToken(_userId, id) {
      need(peers, 'access').enableToken(id);
    },
    async deleteToken(_userId, id) {
      need(peers, 'access').deleteToken(id);
    },

    async audit(filter) {
      if (!peers.access) return { available: false, reason: absentReason('access') };
      const { entries, total } = peers.access.audit(filter);
      return { available: true, entries: entries.map(toAudit), total };
    },
    async accessLog(userId, memoryId) {
      if (!peers.access) return { available: false, reason: absentReason('access') };
      const { entries } = peers.access.audit({ userId, memoryId, offset: 0, limit: 100 });
      return {
        available: true,
        entries: entries.map((e) => ({
          at: e.at,
          action: e.action,
          via: e.via ?? 'mcp',
          outcome: e.outcome,
          tokenName: e.tokenName,
          client: e.client,
        })),
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
