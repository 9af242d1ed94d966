// The status line and the Settings page's methods: settings, and the Mem0 API key in the keychain.
import type { SettingsFile } from '../config/settings.js';
import { VERSION } from '../version.js';
import type { AppStatus, SettingsView } from './contract.js';
import { settingsState, type HandlerContext, type UiHandlers } from './host.js';

export type SettingsHandlers = Pick<
  UiHandlers,
  'getStatus' | 'getSettings' | 'updateSettings' | 'setApiKey' | 'clearApiKey'
>;

export function settingsHandlers({ host, services }: HandlerContext): SettingsHandlers {
  const settingsView = async (): Promise<SettingsView> => {
    const s = host.settings();
    // The core's own record: it stays right while settings.json is invalid (re-reading it would fail).
    const state = settingsState(host);
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

  return {
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
        features: host.featureIds(),
        settings: settingsState(host),
      };
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
}
