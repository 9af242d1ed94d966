// Recall as a front door of the core: POST /hooks/claude-code on the API port, authenticated by
// the access feature, answering from the search module within the recall budgets.
import { requirePeer, type Feature } from '../feature.js';
import { mountRecallHook } from './hook-route.js';
import { Recall } from './recall.js';
import { RecallLog } from './recall-log.js';

export const recallFeature: Feature<'recall'> = {
  id: 'recall',
  async start(ctx) {
    const access = requirePeer(ctx, 'access', 'recall');
    const recallLog = new RecallLog(ctx.db);
    recallLog.prune();
    mountRecallHook(ctx.api.router, {
      auth: access.authenticator,
      recall: new Recall({ memories: ctx.memories, log: recallLog, settings: ctx.settings }),
    });
    return {
      handle: { lastRecall: () => recallLog.last(ctx.settings().userId) },
      async stop() {},
    };
  },
};
