// The REST API as a front door of the core: the routes of rest.ts on the API port, behind the
// access feature's tokens and audit log.
import { requirePeer, type Feature } from '../feature.js';
import { mountRestApi } from './rest.js';

export const restFeature: Feature<'rest'> = {
  id: 'rest',
  async start(ctx) {
    const access = requirePeer(ctx, 'access', 'rest');
    mountRestApi(ctx.api.router, {
      auth: access.authenticator,
      tokens: access.tokens,
      audit: access.auditLog,
      memories: ctx.memories,
      settings: access.isolation,
    });
    return { handle: null, async stop() {} };
  },
};
