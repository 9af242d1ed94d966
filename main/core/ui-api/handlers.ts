// The UI API implemented over the core: one handler per contract method, a dispatcher that
// validates payloads and turns every failure into data, and the live event feed. Electron's IPC
// and the headless HTTP routes both call `dispatch`; neither adds logic of its own.
import { defaultShell, envVariables, renderEnv, runningEnvTarget } from '../capture/env-command.js';
import { claudeCodeAddCommand, mcpUrl } from '../claude-clients/claude-code.js';
import type { Settings, SettingsFile } from '../config/settings.js';
import type { DataPaths } from '../config/paths.js';
import { describeError, isUserError } from '../errors.js';
import type { Caller, CaptureEvent, CaptureStoredEvent, CoreEvents } from '../events.js';
import type { RuntimeInfo } from '../runtime-file.js';
import type { Logger } from '../log.js';
import { EXPORT_MIME_TYPES, exportMemories } from '../memory/export.js';
import type { MemoryService, ScopeFilter } from '../memory/service.js';
import { isExcerptOf, textExcerpt } from '../memory/excerpt.js';
import type { HistoryEntry, Memory } from '../memory/types.js';
import { VERSION } from '../version.js';
import {
  parseUiInput,
  type AppStatus,
  type CaptureEventDto,
  type CaptureInfo,
  type ConnectionsInfo,
  type HistoryDto,
  type MemoryDto,
  type MemoryFilters,
  type SettingsStateDto,
  type SettingsView,
  type UiEvent,
  type UiMethod,
  type UiOutput,
  type UiParsed,
  type UiResult,
} from './contract.js';
import type { UiServices } from './services.js';

/** What the UI API uses of the core (the Core class and a feature's context both provide it). */
export interface UiHost {
  readonly paths: DataPaths;
  readonly env: NodeJS.ProcessEnv;
  readonly runtime: RuntimeInfo;
  readonly memories: MemoryService;
  readonly events: CoreEvents;
  settings(): Settings;
  updateSettings(patch: Partial<SettingsFile>): Promise<Settings>;
  /** The core's settings status: which variable holds which setting, and an invalid edit of the file. */
  settingsStatus(): {
    heldByEnvironment: Partial<Record<string, string>>;
    error: SettingsStateDto['error'];
  };
  featureStatus(): Record<string, Record<string, unknown>>;
}

export type UiHandlers = { [M in UiMethod]: (input: UiParsed<M>) => Promise<UiOutput<M>> };

export interface UiApiImpl {
  handlers: UiHandlers;
  /** Validates, runs and wraps one call; never throws. */
  dispatch(method: string, payload: unknown): Promise<UiResult<unknown>>;
  /** Live updates for the open pages; returns the unsubscribe function. */
  subscribe(listener: (event: UiEvent) => void): () => void;
  dispose(): void;
}

const RECENT_CAPTURES = 50;

export function toMemoryDto(m: Memory): MemoryDto {
  return {
    id: m.id,
    userId: m.userId,
    projectId: m.projectId,
    text: m.text,
    source: m.source,
    conversationId: m.conversationId,
    model: m.model,
    metadata: m.metadata,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

function toHistoryDto(h: HistoryEntry): HistoryDto {
  return { id: h.id, event: h.event, oldText: h.oldText, newText: h.newText, createdAt: h.createdAt };
}

function toCaptureDto(e: CaptureEvent, id: string): CaptureEventDto {
  return {
    id,
    at: e.at,
    route: e.route,
    outcome: e.outcome,
    reason: e.reason ?? null,
    projectId: e.projectId ?? null,
    model: e.model ?? null,
    memoryCount: e.queued ? null : (e.memoryIds?.length ?? 0),
  };
}

function scopeOf(f: MemoryFilters): ScopeFilter {
  const scope: ScopeFilter = {};
  if (f.projectId !== undefined) scope.projectId = f.projectId;
  if (f.source) scope.source = f.source;
  if (f.since) scope.since = f.since;
  if (f.until) scope.until = f.until;
  return scope;
}

function invalid(message: string): { code: 'invalid_input'; message: string } & Error {
  return Object.assign(new Error(message), { code: 'invalid_input' as const });
}

export function createUiApi(host: UiHost, services: UiServices, log: Logger): UiApiImpl {
  const caller = (): Caller => ({ userId: host.settings().userId, via: 'ui' });
  /** Newest first; a queued turn keeps its key until the outbox says what it was stored as. */
  const recent: Array<{ dto: CaptureEventDto; turnKey: string | null }> = [];
  let captureSeq = 0;
  // Ids unique across restarts too: a page still open from before must not take a new row for an old one.
  const captureIdPrefix = Date.now().toString(36);
  const listeners = new Set<(event: UiEvent) => void>();
  const emit = (event: UiEvent) => {
    for (const l of listeners) {
      try {
        l(event);
      } catch (err) {
        log.warn('ui.listener_failed', { error: describeError(err) });
      }
    }
  };
  const mine = (m: Memory) => m.userId === host.settings().userId;

  const onAdded = (memories: Memory[]) => {
    const own = memories.filter(mine);
    if (own.length) emit({ type: 'memory.added', memories: own.map(toMemoryDto) });
  };
  const onUpdated = (memory: Memory) => {
    if (mine(memory)) emit({ type: 'memory.updated', memory: toMemoryDto(memory) });
  };
  const onDeleted = (ids: string[], who: Caller) => {
    // Deletes carry no owner; ids of another user's memories are unknown to this page anyway.
    if (ids.length === 0 && who.userId !== host.settings().userId) return;
    emit({ type: 'memory.deleted', ids, all: ids.length === 0 });
  };
  const onCapture = (event: CaptureEvent) => {
    const dto = toCaptureDto(event, `${captureIdPrefix}-${++captureSeq}`);
    recent.unshift({ dto, turnKey: event.queued ? (event.turnKey ?? null) : null });
    if (recent.length > RECENT_CAPTURES) recent.length = RECENT_CAPTURES;
    emit({ type: 'capture', event: dto });
  };
  // A queued turn was delivered: its row gets its count (the same id, so the page replaces it).
  const onCaptureStored = (stored: CaptureStoredEvent) => {
    const entry = recent.find((r) => r.turnKey === stored.turnKey);
    if (!entry) return;
    entry.turnKey = null;
    entry.dto = { ...entry.dto, memoryCount: stored.memoryIds.length };
    emit({ type: 'capture', event: entry.dto });
  };
  const onStatus = () => emit({ type: 'status' });
  host.events.on('memory.added', onAdded);
  host.events.on('memory.updated', onUpdated);
  host.events.on('memory.deleted', onDeleted);
  host.events.on('capture', onCapture);
  host.events.on('capture.stored', onCaptureStored);
  host.events.on('status', onStatus);

  /**
   * The lines `mem0-tray env` prints for the user's shell, with this core's proxy port and CA.
   * Copied as they are: `eval "$(mem0-tray env)"` needs a mem0-tray command on PATH, which a
   * packaged app on macOS or Windows does not have and which is the GUI on a Linux deb install.
   */
  const shellSetup = (): string => {
    const target = runningEnvTarget(host.runtime, host.paths, 'proxy');
    try {
      return renderEnv(envVariables(target, host.env), defaultShell(host.env));
    } catch (err) {
      // The proxy is stopped: say so where the lines would be (a comment in every shell).
      return `# ${describeError(err)}`;
    }
  };

  const settingsState = (): SettingsStateDto => {
    const { heldByEnvironment, error } = host.settingsStatus();
    const held: Record<string, string> = {};
    for (const [key, variable] of Object.entries(heldByEnvironment)) if (variable) held[key] = variable;
    return {
      heldByEnvironment: held,
      error: error ? { message: error.message, problems: [...error.problems], at: error.at } : null,
    };
  };

  const captureInfo = (): CaptureInfo => {
    const s = host.settings();
    const c = services.capture();
    const r = host.runtime;
    return {
      available: c.available,
      reason: c.reason,
      enabled: s.captureEnabled,
      enabledHeldBy: settingsState().heldByEnvironment.captureEnabled ?? null,
      proxyPort: r.proxyPort,
      gatewayPort: r.gatewayPort,
      capturesToday: c.capturesToday,
      pending: c.pending,
      failed: c.failed,
      lastError: c.lastError,
      excludedProjects: s.excludedProjects,
      commands: {
        proxy: shellSetup(),
        gateway: `ANTHROPIC_BASE_URL=http://127.0.0.1:${r.gatewayPort ?? s.gatewayPort} claude`,
      },
      recent: recent.map((r) => r.dto),
    };
  };

  const settingsView = async (): Promise<SettingsView> => {
    const s = host.settings();
    // The core's own record: it stays right while settings.json is invalid (re-reading it would fail).
    const state = settingsState();
    return {
      userId: s.userId,
      backend: s.backend,
      mem0Host: s.mem0Host,
      mem0ServerUrl: s.mem0ServerUrl ?? null,
      proxyPort: s.proxyPort,
      gatewayPort: s.gatewayPort,
      apiPort: s.apiPort,
      isolationMode: s.isolationMode,
      manualProjectId: s.manualProjectId,
      startAtLogin: s.startAtLogin,
      overridden: state.heldByEnvironment,
      error: state.error,
      apiKey: await services.apiKeyStatus(),
    };
  };

  const connections = async (): Promise<ConnectionsInfo> => {
    return {
      mcpUrl: mcpUrl(host.runtime.apiPort),
      claudeDesktop: await services.claudeDesktop(),
      claudeCode: await services.claudeCode(),
      // The CLI's own command (server name mem0-tray: Claude Code names the tools after it).
      claudeCodeCommand: claudeCodeAddCommand(host.runtime.apiPort, '<TOKEN>'),
    };
  };

  const tokenList = async () => {
    const list = await services.tokens(host.settings().userId);
    return { tokens: list.available ? list.tokens : [] };
  };

  const handlers: UiHandlers = {
    async getStatus(): Promise<AppStatus> {
      const s = host.settings();
      const c = services.capture();
      return {
        version: VERSION,
        userId: s.userId,
        backend: host.memories.kind,
        dataDir: host.paths.dataDir,
        apiPort: host.runtime.apiPort,
        proxyPort: host.runtime.proxyPort,
        gatewayPort: host.runtime.gatewayPort,
        captureEnabled: s.captureEnabled,
        capturesToday: c.capturesToday,
        pending: c.pending,
        errors: c.errors,
        failedLogins: services.failedLogins(),
        features: Object.keys(host.featureStatus()),
        settings: settingsState(),
      };
    },

    async listMemories(input) {
      const page = await host.memories.list(caller(), scopeOf(input), {
        offset: input.offset,
        limit: input.limit,
        withTotal: input.withTotal ?? false,
      });
      return { items: page.items.map(toMemoryDto), offset: input.offset, total: page.total ?? null };
    },
    async searchMemories(input) {
      const hits = await host.memories.search(caller(), input.query, scopeOf(input), {
        limit: input.limit ?? 100,
        prefix: true,
        preview: input.preview ?? false,
      });
      return {
        hits: hits.map((h) => ({
          memory: toMemoryDto(h.memory),
          // A backend's excerpt from another row must never be shown under this memory.
          snippet: isExcerptOf(h.snippet, h.memory.text)
            ? h.snippet
            : textExcerpt(h.memory.text, input.query),
          score: h.score,
        })),
      };
    },
    async listProjects() {
      return { projects: await host.memories.projects(caller()) };
    },
    async getMemory({ id }) {
      const memory = await host.memories.get(caller(), id);
      const history = await host.memories.history(caller(), id);
      return { memory: toMemoryDto(memory), history: history.map(toHistoryDto) };
    },
    async memoryAccessLog({ id }) {
      return services.accessLog(host.settings().userId, id);
    },
    async updateMemory({ id, text }) {
      return toMemoryDto(await host.memories.update(caller(), id, { text }));
    },
    async deleteMemory({ id }) {
      const who = caller();
      const memory = await host.memories.get(who, id);
      await host.memories.delete(who, id);
      return { deleted: toMemoryDto(memory) };
    },
    async restoreMemory(input) {
      const added = await host.memories.add(caller(), { ...input, infer: false });
      const first = added[0];
      if (!first) throw invalid('The memory could not be restored: the backend kept nothing.');
      return toMemoryDto(first);
    },
    async deleteMemories({ ids, confirmCount }) {
      const unique = [...new Set(ids)];
      if (unique.length !== confirmCount) {
        throw invalid(
          `You confirmed ${confirmCount} but ${unique.length} ${unique.length === 1 ? 'memory is' : 'memories are'} selected: nothing was deleted.`,
        );
      }
      const r = await host.memories.deleteMany(caller(), unique);
      return { deleted: r.deleted.length, missing: r.missing.length, denied: r.denied.length };
    },
    async forgetAll({ confirm }) {
      const userId = host.settings().userId;
      if (confirm !== userId) {
        throw invalid(
          `Type the user id "${userId}" exactly to delete all of its memories: nothing was deleted.`,
        );
      }
      return { deleted: await host.memories.forget(caller()) };
    },
    async exportMemories(input) {
      // One string, not a stream: an IPC call (and the headless route that mirrors it) answers with
      // one value, which the page saves as a file.
      const stream = exportMemories(host.memories, caller(), scopeOf(input), input.format);
      let content = '';
      for await (const chunk of stream) content += chunk;
      const day = new Date().toISOString().slice(0, 10);
      return {
        filename: `mem0-tray-memories-${day}.${input.format}`,
        mimeType: EXPORT_MIME_TYPES[input.format],
        content,
        count: stream.count,
      };
    },

    async getCapture() {
      return captureInfo();
    },
    async setCaptureEnabled({ enabled }) {
      await host.updateSettings({ captureEnabled: enabled });
      return captureInfo();
    },
    async setProxyRunning({ running }) {
      await services.setProxyRunning(running);
      return captureInfo();
    },
    async setExcludedProjects({ patterns }) {
      await host.updateSettings({ excludedProjects: patterns });
      return captureInfo();
    },

    async getCertificates() {
      return services.certificates();
    },
    async installCertificate({ store }) {
      await services.installCertificate(store);
      return services.certificates();
    },
    async removeCertificate({ store, fingerprint }) {
      await services.removeCertificate(store, fingerprint);
      return services.certificates();
    },
    async removeCertificateEverywhere() {
      await services.removeCertificateEverywhere();
      return services.certificates();
    },
    async regenerateCertificate() {
      await services.regenerateCertificate();
      return services.certificates();
    },

    async getConnections() {
      return connections();
    },
    async connectClaudeDesktop() {
      await services.connectClaudeDesktop();
      return connections();
    },
    async disconnectClaudeDesktop() {
      await services.disconnectClaudeDesktop();
      return connections();
    },
    async connectClaudeCode() {
      await services.connectClaudeCode();
      return connections();
    },
    async disconnectClaudeCode() {
      await services.disconnectClaudeCode();
      return connections();
    },
    async listTokens() {
      return services.tokens(host.settings().userId);
    },
    async createToken(input) {
      return services.createToken(host.settings().userId, input);
    },
    async revokeToken({ id }) {
      await services.revokeToken(host.settings().userId, id);
      return tokenList();
    },
    async enableToken({ id }) {
      await services.enableToken(host.settings().userId, id);
      return tokenList();
    },
    async deleteToken({ id }) {
      await services.deleteToken(host.settings().userId, id);
      return tokenList();
    },
    async auditLog(input) {
      // Not only this user's rows: a failed sign-in with an unknown token is stored with no user,
      // and the tray counts every failure when it says "check Connections". This is the
      // machine owner's own log (`mem0-tray token audit` shows the same).
      return services.audit(input);
    },

    async getSettings() {
      return settingsView();
    },
    async updateSettings({ patch }) {
      const file: Partial<SettingsFile> = {};
      for (const [k, v] of Object.entries(patch)) {
        // null clears a setting (the server URL); undefined leaves it alone.
        if (v !== undefined) (file as Record<string, unknown>)[k] = v === null ? undefined : v;
      }
      await host.updateSettings(file);
      return settingsView();
    },
    async setApiKey({ key }) {
      await services.setApiKey(key);
      return services.apiKeyStatus();
    },
    async clearApiKey() {
      await services.clearApiKey();
      return services.apiKeyStatus();
    },
  };

  return {
    handlers,
    async dispatch(method, payload) {
      if (!Object.prototype.hasOwnProperty.call(handlers, method)) {
        return { ok: false, error: { code: 'not_found', message: `Unknown UI API method "${method}".` } };
      }
      const m = method as UiMethod;
      const input = parseUiInput(m, payload);
      if (!input.ok) return input;
      try {
        const run = handlers[m] as (input: unknown) => Promise<unknown>;
        return { ok: true, value: await run(input.value) };
      } catch (err) {
        if (isUserError(err)) return { ok: false, error: { code: err.code, message: err.message } };
        const code = (err as { code?: unknown }).code;
        if (code === 'invalid_input') return { ok: false, error: { code, message: describeError(err) } };
        log.error('ui.call_failed', { method: m, error: describeError(err) });
        return {
          ok: false,
          error: { code: 'failure', message: 'Something went wrong; see the Mem0 Tray log.' },
        };
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      listeners.clear();
      host.events.off('memory.added', onAdded);
      host.events.off('memory.updated', onUpdated);
      host.events.off('memory.deleted', onDeleted);
      host.events.off('capture', onCapture);
      host.events.off('capture.stored', onCaptureStored);
      host.events.off('status', onStatus);
    },
  };
}
