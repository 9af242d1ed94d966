// The review UI as a core feature: builds the UI API over the core, mounts the headless routes on
// the API server and puts the one-time login URL in runtime.json (uiUrl). The Electron shell takes
// `handle.api` for its IPC handlers; the tray and CLI take `handle.loginUrl()` for a fresh link.
import type { Settings, SettingsFile } from '../config/settings.js';
import { UserError } from '../errors.js';
import type { CoreContext, Feature } from '../feature.js';
import { HTTP_PATHS } from './contract.js';
import { createUiApi, type UiApiImpl, type UiHost } from './handlers.js';
import { createSessions, findRendererDir, mountUiRoutes } from './http.js';
import { createUiServices } from './services.js';

/** What the UI needs of the core beyond the feature context (settings changes, every feature's status). */
export interface UiCoreAccess {
  updateSettings(patch: Partial<SettingsFile>): Promise<Settings>;
  status(): { features: Record<string, Record<string, unknown>> };
}

export interface UiHandle {
  api: UiApiImpl;
  /** A new one-time URL that opens the headless UI with a session. */
  loginUrl(): string;
  /** The directory the renderer is served from (null when it is not built). */
  rendererDir: string | null;
  /**
   * Gives the UI the core's settings and status access when the feature context lacks them
   * (the shell and tests call this with the Core right after Core.start).
   */
  attachCore(core: UiCoreAccess): void;
}

export const UI_FEATURE = 'ui';

export const uiFeature: Feature<UiHandle> = {
  name: UI_FEATURE,
  async start(ctx: CoreContext) {
    const fromCtx = ctx as CoreContext & Partial<UiCoreAccess>;
    let core: UiCoreAccess | null =
      typeof fromCtx.updateSettings === 'function' && typeof fromCtx.status === 'function'
        ? { updateSettings: (p) => fromCtx.updateSettings!(p), status: () => fromCtx.status!() }
        : null;
    const host: UiHost = {
      paths: ctx.paths,
      env: ctx.env,
      runtime: ctx.runtime,
      memories: ctx.memories,
      events: ctx.events,
      settings: () => ctx.settings(),
      backend: () => ctx.backend(),
      feature: <T>(name: string) => ctx.feature<T>(name),
      featureStatus: () => core?.status().features ?? {},
      updateSettings: (patch) => {
        if (!core) {
          return Promise.reject(
            new UserError(
              'backend_unavailable',
              'Settings cannot be changed from the UI until the core is attached.',
            ),
          );
        }
        return core.updateSettings(patch);
      },
    };
    const api = createUiApi(host, createUiServices(host), ctx.log);
    const sessions = createSessions(ctx.api.port);
    const rendererDir = findRendererDir(ctx.env);
    const routes = mountUiRoutes({ router: ctx.api.router, api, sessions, rendererDir, log: ctx.log });
    const loginUrl = () => `${ctx.api.baseUrl}${HTTP_PATHS.ui}?token=${sessions.mintToken()}`;
    ctx.runtime.uiUrl = loginUrl();
    if (!rendererDir) ctx.log.warn('ui.renderer_missing');
    return {
      handle: {
        api,
        loginUrl,
        rendererDir,
        attachCore: (c) => {
          core = c;
        },
      },
      // No URL here: GET /health shows feature status to anyone on the machine, and the URL holds a token.
      status: () => ({
        built: rendererDir !== null,
        sessions: sessions.count(),
        liveClients: routes.sseClients(),
      }),
      async stop() {
        routes.close();
        api.dispose();
      },
    };
  },
};
