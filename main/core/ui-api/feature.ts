// The review UI as a core feature: builds the UI API over the core, mounts the headless routes on
// the API server and puts the one-time login URL in runtime.json (uiUrl). The Electron shell takes
// `handle.api` for its IPC handlers; the tray and CLI take `handle.loginUrl()` for a fresh link.
import type { Feature, FeatureContext } from '../feature.js';
import { HTTP_PATHS } from './contract.js';
import { createUiApi, type UiHost } from './handlers.js';
import { createSessions, findRendererDir, mountUiRoutes } from './http.js';
import { mountUiLinkRoute } from './link.js';
import { createUiServices, type UiPeers } from './services.js';

export const uiFeature: Feature<'ui'> = {
  id: 'ui',
  async start(ctx) {
    const host: UiHost = {
      paths: ctx.paths,
      env: ctx.env,
      runtime: ctx.runtime,
      memories: ctx.memories,
      events: ctx.events,
      settings: () => ctx.settings(),
      featureIds: () => ctx.featureIds(),
      settingsStatus: () => ctx.settingsStatus(),
      updateSettings: (patch) => ctx.updateSettings(patch),
    };
    // The UI starts last: every peer it shows has started, or is not part of this core.
    const api = createUiApi(host, createUiServices(uiPeersOf(ctx), ctx.env), ctx.log);
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

/** The UI's peers from a core or a feature's context: those it started with. */
export function uiPeersOf(core: Pick<FeatureContext, 'feature'>): UiPeers {
  return {
    capture: core.feature('capture'),
    certs: core.feature('certs'),
    access: core.feature('access'),
    recall: core.feature('recall'),
    mcp: core.feature('mcp'),
  };
}
