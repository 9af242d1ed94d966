// The one contract of the review UI: every method, its payload schema and its result type, the
// live events and the error-as-data shape. The Electron preload, the IPC handlers, the headless
// HTTP routes and the renderer's client are all typed from this file, so a method added here and
// forgotten anywhere is a compile error. The renderer bundles it, so it imports only zod and
// modules that import nothing else at run time (the memory input schema, the settings' choices).
import { z } from 'zod';
import { BACKENDS, ISOLATION_MODES } from '../config/choices.js';
import { EXPORT_FORMATS } from '../memory/export.js';
import {
  MEMORY_SOURCES,
  describeInputIssue,
  memoryDate,
  memoryScopeFields,
  memoryText,
  newMemoryFields,
} from '../memory/input-schema.js';

// ---------- shared shapes ----------

export { BACKENDS as BACKEND_KINDS, ISOLATION_MODES, MEMORY_SOURCES };
export type MemorySourceDto = (typeof MEMORY_SOURCES)[number];
/** The outcomes the audit log stores: sign-ins, then memory accesses. */
export const AUDIT_OUTCOMES = ['success', 'failed', 'ok', 'denied', 'not_found'] as const;

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

// ---------- payload schemas ----------

const id = z.string().min(1).max(200);
const filters = memoryScopeFields;
const empty = z.strictObject({});
const port = z.number().int().min(0).max(65535);

export const MemoryFiltersSchema = z.strictObject(filters);
export type MemoryFilters = z.infer<typeof MemoryFiltersSchema>;

/** The phantom result type of a method: schemas check inputs, results are typed by the compiler. */
function method<O>() {
  return <I extends z.ZodType>(input: I): { input: I; output?: O } => ({ input });
}

export const UI_CONTRACT = {
  getStatus: method<AppStatus>()(empty),

  listMemories: method<{
    items: MemoryDto[];
    offset: number;
    total: number | null;
  }>()(
    z.strictObject({
      ...filters,
      offset: z.number().int().min(0).max(10_000_000),
      limit: z.number().int().min(1).max(500),
      withTotal: z.boolean().optional(),
    }),
  ),
  searchMemories: method<{
    hits: Array<{ memory: MemoryDto; snippet: ExcerptDto; score: number }>;
  }>()(
    z.strictObject({
      ...filters,
      query: z.string().min(1).max(1000),
      limit: z.number().int().min(1).max(100).optional(),
      /** A keystroke's live results (a full search follows when typing pauses): cheaper ranking. */
      preview: z.boolean().optional(),
    }),
  ),
  listProjects: method<{ projects: ProjectDto[] }>()(empty),
  getMemory: method<{ memory: MemoryDto; history: HistoryDto[] }>()(z.strictObject({ id })),
  memoryAccessLog: method<Maybe<{ entries: AccessEntryDto[] }>>()(z.strictObject({ id })),
  updateMemory: method<MemoryDto>()(z.strictObject({ id, text: memoryText })),
  /** Deletes at once (gone from search and MCP); the result carries what undo re-adds. */
  deleteMemory: method<{ deleted: MemoryDto }>()(z.strictObject({ id })),
  /** Undo of a delete: adds the same text and provenance again (a new id). */
  restoreMemory: method<MemoryDto>()(z.strictObject({ ...newMemoryFields.shape, createdAt: memoryDate })),
  /** The caller states how many it means to delete; a different count deletes nothing. */
  deleteMemories: method<{ deleted: number; missing: number; denied: number }>()(
    z.strictObject({ ids: z.array(id).min(1).max(100_000), confirmCount: z.number().int().min(1) }),
  ),
  /** Deletes every memory of the user; `confirm` must be the user id, typed by the user. */
  forgetAll: method<{ deleted: number }>()(z.strictObject({ confirm: z.string().max(200) })),
  /** The memories with their history (memory/export.ts), whole: IPC answers a call with one value. */
  exportMemories: method<{ filename: string; mimeType: string; content: string; count: number }>()(
    z.strictObject({ ...filters, format: z.enum(EXPORT_FORMATS) }),
  ),

  getCapture: method<CaptureInfo>()(empty),
  setCaptureEnabled: method<CaptureInfo>()(z.strictObject({ enabled: z.boolean() })),
  /** Stopping the proxy breaks clients configured to use it (pausing does not): the page warns first. */
  setProxyRunning: method<CaptureInfo>()(z.strictObject({ running: z.boolean() })),
  setExcludedProjects: method<CaptureInfo>()(
    z.strictObject({ patterns: z.array(z.string().trim().min(1).max(1000)).max(500) }),
  ),

  getCertificates: method<Maybe<CertificatesInfo>>()(empty),
  installCertificate: method<Maybe<CertificatesInfo>>()(z.strictObject({ store: id })),
  /** Every CA of Mem0 Tray from the store, or only the one with this fingerprint. */
  removeCertificate: method<Maybe<CertificatesInfo>>()(
    z.strictObject({
      store: id,
      fingerprint: z
        .string()
        .regex(/^[0-9a-fA-F:]{8,95}$/)
        .optional(),
    }),
  ),
  /** Every CA of Mem0 Tray from every store ("mem0-tray ca uninstall --all"). */
  removeCertificateEverywhere: method<Maybe<CertificatesInfo>>()(empty),
  regenerateCertificate: method<Maybe<CertificatesInfo>>()(empty),

  getConnections: method<ConnectionsInfo>()(empty),
  connectClaudeDesktop: method<ConnectionsInfo>()(empty),
  disconnectClaudeDesktop: method<ConnectionsInfo>()(empty),
  /** One step: this machine's token, our MCP server in ~/.claude.json and the recall hooks (user scope). */
  connectClaudeCode: method<ConnectionsInfo>()(empty),
  /** Revokes the token and removes the server entry and the hooks. */
  disconnectClaudeCode: method<ConnectionsInfo>()(empty),
  listTokens: method<Maybe<{ tokens: TokenDto[] }>>()(empty),
  /** The token's secret is in this result and nowhere else, ever. */
  createToken: method<{ token: TokenDto; secret: string }>()(
    z.strictObject({
      name: z.string().trim().min(1).max(100),
      email: z.email().max(200).optional(),
      expiresDays: z.number().int().min(0).max(3650).optional(),
    }),
  ),
  revokeToken: method<{ tokens: TokenDto[] }>()(z.strictObject({ id })),
  enableToken: method<{ tokens: TokenDto[] }>()(z.strictObject({ id })),
  deleteToken: method<{ tokens: TokenDto[] }>()(z.strictObject({ id })),
  /**
   * Every entry on this machine, newest first: failed sign-ins with an unknown token have no user,
   * and they are what the tray warns about.
   */
  auditLog: method<Maybe<{ entries: AuditEntryDto[]; total: number | null }>>()(
    z.strictObject({
      tokenId: id.optional(),
      action: z.string().max(50).optional(),
      outcome: z.enum(AUDIT_OUTCOMES).optional(),
      since: memoryDate.optional(),
      until: memoryDate.optional(),
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(500),
    }),
  ),

  getSettings: method<SettingsView>()(empty),
  updateSettings: method<SettingsView>()(
    z.strictObject({
      patch: z.strictObject({
        userId: z.string().trim().min(1).max(200).optional(),
        backend: z.enum(BACKENDS).optional(),
        mem0Host: z.url({ protocol: /^https?$/ }).optional(),
        mem0ServerUrl: z
          .url({ protocol: /^https?$/ })
          .nullable()
          .optional(),
        proxyPort: port.optional(),
        gatewayPort: port.optional(),
        apiPort: port.optional(),
        isolationMode: z.enum(ISOLATION_MODES).optional(),
        manualProjectId: z.string().trim().min(1).max(200).optional(),
        startAtLogin: z.boolean().optional(),
      }),
    }),
  ),
  /** Stores the Mem0 API key in the keychain; only its status comes back. */
  setApiKey: method<ApiKeyStatusDto>()(z.strictObject({ key: z.string().trim().min(8).max(500) })),
  clearApiKey: method<ApiKeyStatusDto>()(empty),
} as const;

export type UiMethod = keyof typeof UI_CONTRACT;
export const UI_METHODS = Object.keys(UI_CONTRACT) as UiMethod[];
/** What a caller sends. */
export type UiInput<M extends UiMethod> = z.input<(typeof UI_CONTRACT)[M]['input']>;
/** What a handler receives, once the schema has checked (and trimmed) it. */
export type UiParsed<M extends UiMethod> = z.output<(typeof UI_CONTRACT)[M]['input']>;
export type SettingsPatch = UiParsed<'updateSettings'>['patch'];
export type UiOutput<M extends UiMethod> = NonNullable<(typeof UI_CONTRACT)[M]['output']>;

/** The API as the renderer sees it: one async function per method. */
export type UiApi = { [M in UiMethod]: (input: UiInput<M>) => Promise<UiOutput<M>> };

export function isUiMethod(name: unknown): name is UiMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(UI_CONTRACT, name);
}

// ---------- errors as data ----------

export type UiErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'access_denied'
  | 'unauthorized'
  | 'conflict'
  | 'unavailable'
  | 'invalid_settings'
  | 'backend_unavailable'
  | 'keychain_unavailable'
  | 'failure';

export interface UiErrorData {
  code: UiErrorCode | string;
  message: string;
}

/** What crosses IPC and HTTP: Errors lose their shape in transit, so they travel as data. */
export type UiResult<T> = { ok: true; value: T } | { ok: false; error: UiErrorData };

/** The error rebuilt on the renderer side, with the code the UI can branch on. */
export class UiApiError extends Error {
  readonly code: string;
  constructor(error: UiErrorData) {
    super(error.message);
    this.name = 'UiApiError';
    this.code = error.code;
  }
}

export function unwrapResult<T>(result: UiResult<T>): T {
  if (result.ok) return result.value;
  throw new UiApiError(result.error);
}

/** Validates a payload against its method's schema; the message names the first bad field. */
export function parseUiInput<M extends UiMethod>(
  method: M,
  payload: unknown,
): { ok: true; value: UiParsed<M> } | { ok: false; error: UiErrorData } {
  const parsed = UI_CONTRACT[method].input.safeParse(payload ?? {});
  if (parsed.success) return { ok: true, value: parsed.data as UiParsed<M> };
  return {
    ok: false,
    error: {
      code: 'invalid_input',
      message: `Invalid ${method} request: ${describeInputIssue(parsed.error, 'payload')}`,
    },
  };
}

// ---------- live events ----------

export type UiEvent =
  | { type: 'memory.added'; memories: MemoryDto[] }
  | { type: 'memory.updated'; memory: MemoryDto }
  /** ids is empty when everything of the user was deleted. */
  | { type: 'memory.deleted'; ids: string[]; all: boolean }
  | { type: 'capture'; event: CaptureEventDto }
  | { type: 'status' };

/** IPC channel names, in one place (Electron only). */
export const IPC = {
  call: 'mem0:ui-api',
  event: 'mem0:ui-event',
} as const;

/** Paths of the headless UI on the API port. */
export const HTTP_PATHS = {
  ui: '/ui/',
  api: '/ui-api/',
  events: '/ui-api/events',
} as const;

/**
 * What the Electron preload exposes as `window.mem0`: one function per method. Results cross the
 * context bridge as data and the renderer's client rebuilds the error (UiApiError with its code):
 * an Error thrown across contextBridge arrives with its message only.
 */
export type UiBridge = { [M in UiMethod]: (input: UiInput<M>) => Promise<UiResult<UiOutput<M>>> } & {
  /** Live updates; returns the unsubscribe function. */
  onEvent(listener: (event: UiEvent) => void): () => void;
};
