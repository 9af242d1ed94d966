// The result shapes of the UI contract's methods (contract.ts): what each page receives. Types
// only; the renderer bundles them with the contract.
import type { BACKENDS, ISOLATION_MODES } from '../config/choices.js';
import type { MEMORY_SOURCES } from '../memory/input-schema.js';

export type MemorySourceDto = (typeof MEMORY_SOURCES)[number];

export interface MemoryDto {
  id: string;
  userId: string;
  projectId: string | null;
  text: string;
  source: MemorySourceDto;
  conversationId: string | null;
  model: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/**
 * Part of a memory's text shown for a search hit ('…' where cut) and its matches: [start, end)
 * offsets in UTF-16 code units of `text`, ordered and non-overlapping.
 */
export interface ExcerptDto {
  text: string;
  matches: Array<[start: number, end: number]>;
}

export interface HistoryDto {
  id: string;
  event: 'ADD' | 'UPDATE' | 'DELETE';
  oldText: string | null;
  newText: string | null;
  createdAt: string;
}

/** A part of the app that another module provides and that may not be there (yet). */
export type Maybe<T> = ({ available: true } & T) | { available: false; reason: string };

export interface AccessEntryDto {
  at: string;
  action: string;
  via: string;
  outcome: string;
  tokenName: string | null;
  client: string | null;
}

export interface CaptureEventDto {
  /** Unique among this core's events: a later 'capture' event with the same id replaces it. */
  id: string;
  at: string;
  route: 'proxy' | 'gateway';
  outcome: 'captured' | 'skipped' | 'failed';
  reason: string | null;
  projectId: string | null;
  model: string | null;
  /**
   * The memories the turn was stored as; null while a captured turn waits in the outbox (a Mem0
   * backend): the event comes again with the count once it is delivered.
   */
  memoryCount: number | null;
}

/** Where the settings come from, beyond their values. */
export interface SettingsStateDto {
  /** Settings an environment variable holds, and the variable: the UI shows them read-only. */
  heldByEnvironment: Record<string, string>;
  /** The last edit of settings.json that could not be applied (the settings before it stay). */
  error: { message: string; problems: string[]; at: string } | null;
}

export interface AppStatus {
  version: string;
  userId: string;
  backend: string;
  dataDir: string;
  apiPort: number;
  proxyPort: number | null;
  gatewayPort: number | null;
  captureEnabled: boolean;
  capturesToday: number | null;
  pending: number | null;
  errors: number | null;
  /** Failed MCP logins recently (the tray warns after repeated ones); null when MCP is not there. */
  failedLogins: number | null;
  features: string[];
  settings: SettingsStateDto;
}

export interface CaptureInfo {
  available: boolean;
  /** Why capture is not running, when it is not. */
  reason: string | null;
  enabled: boolean;
  /** The environment variable that holds capture on or off (MEM0_TRAY_CAPTURE): the toggle is read-only. */
  enabledHeldBy: string | null;
  proxyPort: number | null;
  gatewayPort: number | null;
  capturesToday: number | null;
  pending: number | null;
  failed: number | null;
  lastError: { message: string; at: string } | null;
  excludedProjects: string[];
  /**
   * proxy: the shell lines of `mem0-tray env` for the user's shell, resolved (ports, CA path), or a
   * comment saying why there are none; gateway: a command line for Claude Code.
   */
  commands: { proxy: string; gateway: string };
  recent: CaptureEventDto[];
}

export interface TrustStoreDto {
  id: string;
  name: string;
  trusted: boolean;
  /** Installing needs an administrator prompt. */
  privileged: boolean;
  /** The environment route (NODE_EXTRA_CA_CERTS): nothing to install or remove. */
  environment: boolean;
  detail: string | null;
  /** Earlier CAs of Mem0 Tray still in this store, each removable by its fingerprint. */
  others: EarlierCaDto[];
}

export interface EarlierCaDto {
  subject: string;
  /** SHA-256 (or SHA-1 where the store gives only that), lower-case hex: what removeCertificate takes. */
  fingerprint: string;
}

export interface CertificatesInfo {
  caPath: string | null;
  caExists: boolean;
  fingerprint: string | null;
  expiresAt: string | null;
  stores: TrustStoreDto[];
  /** A store trusts only an earlier CA (the CA was replaced): what breaks and what to do. */
  notice: string | null;
}

export interface TokenDto {
  id: string;
  name: string;
  userId: string;
  email: string | null;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revoked: boolean;
  enabled: boolean;
  /** Past its expiry date: refused like a revoked token, whatever `enabled` says. */
  expired: boolean;
}

export interface AuditEntryDto {
  id: string;
  at: string;
  tokenId: string | null;
  tokenName: string | null;
  /** The first characters of the presented token (an unknown token has no id or name). */
  tokenPrefix: string | null;
  /** Null for an unknown token with no claimed user. */
  userId: string | null;
  action: string;
  /** Sign-ins: success | failed; memory accesses: ok | denied | not_found. */
  outcome: string;
  /** Why a sign-in failed: unknown, expired, revoked, mismatch, … */
  reason: string | null;
  detail: string | null;
  client: string | null;
}

/** What the recall hooks last gave a Claude Code session: ids and sizes, never text. */
export interface RecallInjectionDto {
  at: string;
  event: 'session' | 'prompt';
  projectId: string | null;
  memoryIds: string[];
  chars: number;
  /** Estimated. */
  tokens: number;
}

export interface ClaudeCodeInfo {
  /** Our MCP server, our recall hooks (in some scope) and a working token: all three. */
  connected: boolean;
  /** Our server is in ~/.claude.json. */
  mcpRegistered: boolean;
  /** user: ~/.claude/settings.json; project: .claude/settings.local.json of the core's directory. */
  hooks: Array<{ scope: 'user' | 'project'; settingsPath: string; installed: boolean }>;
  /** The token the hooks and the server entry use. */
  token: { id: string; userId: string; working: boolean } | null;
  lastInjection: RecallInjectionDto | null;
}

export interface ConnectionsInfo {
  mcpUrl: string;
  claudeDesktop: Maybe<{ connected: boolean; configPath: string }>;
  claudeCode: Maybe<ClaudeCodeInfo>;
  /** The manual way: adds the HTTP MCP server to Claude Code; <TOKEN> stands for a token created below. */
  claudeCodeCommand: string;
}

export interface ApiKeyStatusDto {
  set: boolean;
  source: 'keychain' | 'environment' | null;
  /** The last 4 characters at most; the key itself never leaves the core. */
  hint: string | null;
  keychainAvailable: boolean;
  detail: string | null;
}

export interface SettingsView {
  userId: string;
  backend: (typeof BACKENDS)[number];
  mem0Host: string;
  mem0ServerUrl: string | null;
  proxyPort: number;
  gatewayPort: number;
  apiPort: number;
  isolationMode: (typeof ISOLATION_MODES)[number];
  manualProjectId: string;
  startAtLogin: boolean;
  /** Settings forced by an environment variable: the UI shows them read-only. */
  overridden: Record<string, string>;
  /** The last edit of settings.json that could not be applied; the values above are the ones in use. */
  error: SettingsStateDto['error'];
  apiKey: ApiKeyStatusDto;
}

export interface ProjectDto {
  projectId: string | null;
  count: number;
}
