// The review UI as a core feature: builds the UI API over the core, mounts the headless routes on
// the API server and puts the one-time login URL in runtime.json (uiUrl). The Electron shell takes
// `handle.api` for its IPC handlers; the tray and CLI take `handle.loginUrl()` for a fresh link.
import type { CoreContext, Feature } from '../feature.js';
import { HTTP_PATHS } from './contract.js';
import { createUiApi, type UiApiImpl, type UiHost } from './handlers.js';
import { createSessions, findRendererDir, mountUiRoutes } from './http.js';
import { mountUiLinkRoute } from './link.js';
import { createUiServices } from './services.js';

export interface UiHandle {
  api: UiApiImpl;
  /** A new one-time URL that opens the headless UI with a session. */
  loginUrl(): string;
  /** The directory the renderer is served from (null when it is not built). */
  rendererDir: string | null;
}

export const UI_FEATURE = 'ui';

export const uiFeature: Feature<UiHandle> = {
  name: UI_FEATURE,
  async start(ctx: CoreContext) {
    const host: UiHost = {
      paths: ctx.paths,
      env: ctx.env,
      runtime: ctx.runtime,
      memories: ctx.memories,
      events: ctx.events,
      settings: () => ctx.settings(),
      backend: () => ctx.backend(),
      feature: <T>(name: string) => ctx.feature<T>(name),
      featureStatus: () => ctx.status().features,
      settingsStatus: () => ctx.status().settings,
      updateSettings: (patch) => ctx.updateSettings(patch),
    };
    const api = createUiApi(host, createUiServices(host), ctx.log);
    const sessions = createSessions(ctx.api.port);
    const rendererDir = findRendererDir(ctx.env);
    const routes = mountUiRoutes({ router: ctx.api.router, api, sessions, rendererDir, log: ctx.log });
    const loginUrl = () => `${ctx.api.baseUrl}${HTTP_PATHS.ui}?token=${sessions.mintToken()}`;
    ctx.runtime.uiUrl = loginUrl();
    // `mem0-tray ui` asks here for a new link (the one in runtime.json works once).
    const linkRoute = mountUiLinkRoute({
      router: ctx.api.router,
      keyFile: ctx.paths.uiLinkKey,
      mintUrl: loginUrl,
      log: ctx.log,
    });
    if (!rendererDir) ctx.log.warn('ui.renderer_missing');
    return {
      handle: {
        api,
        loginUrl,
        rendererDir,
      },
      // No URL here: GET /health shows feature status to anyone on the machine, and the URL holds a token.
      status: () => ({
        built: rendererDir !== null,
        sessions: sessions.count(),
        liveClients: routes.sseClients(),
      }),
      async stop() {
        linkRoute.close();
        routes.close();
        api.dispose();
      },
    };
  },
};
