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
  restoredMemoryFields,
} from '../memory/input-schema.js';
import type {
  AccessEntryDto,
  ApiKeyStatusDto,
  AppStatus,
  AuditEntryDto,
  CaptureEventDto,
  CaptureInfo,
  CertificatesInfo,
  ConnectionsInfo,
  ExcerptDto,
  HistoryDto,
  Maybe,
  MemoryDto,
  ProjectDto,
  SettingsView,
  TokenDto,
} from './contract-results.js';

// ---------- shared shapes (the result types are in contract-results.ts) ----------

export { BACKENDS as BACKEND_KINDS, ISOLATION_MODES, MEMORY_SOURCES };
export type * from './contract-results.js';
/** The outcomes the audit log stores: sign-ins, then memory accesses. */
export const AUDIT_OUTCOMES = ['success', 'failed', 'ok', 'denied', 'not_found'] as const;

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
  restoreMemory: method<MemoryDto>()(
    z.strictObject({ ...restoredMemoryFields.shape, createdAt: memoryDate }),
  ),
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
