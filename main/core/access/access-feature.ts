// Access control as a core feature: the tokens, the authenticator (with its failure limiter) and
// the audit log that every front door and the UI share. It mounts no route: each front door
// (api/rest-feature.ts, recall/recall-feature.ts, mcp/feature.ts) takes this handle.
import { describeError } from '../errors.js';
import type { Feature } from '../feature.js';
import type { AccessHandle } from './access-handle.js';
import { AuditLog } from './audit-log.js';
import { Authenticator } from './authenticate.js';
import { FailureLimiter, type FailureLimiterOptions } from './rate-limit.js';
import { TokenStore } from './tokens.js';

export interface AccessFeatureOptions {
  limiter?: FailureLimiterOptions;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function createAccessFeature(options: AccessFeatureOptions = {}): Feature<'access'> {
  return {
    id: 'access',
    async start(ctx) {
      const tokens = new TokenStore(ctx.db, { defaultExpiryDays: () => ctx.settings().tokenExpiryDays });
      const audit = new AuditLog(ctx.db, { log: ctx.log });
      const detach = audit.attach(ctx.events, 'http');
      const prune = () => {
        try {
          const days = ctx.settings().auditRetentionDays;
          const removed = audit.prune(days);
          if (removed) ctx.log.info('audit.pruned', { rows: removed, days });
        } catch (err) {
          ctx.log.error('audit.prune_failed', { error: describeError(err) });
        }
      };
      prune();
      const daily = setInterval(prune, DAY_MS);
      daily.unref();

      const handle: AccessHandle = {
        tokens,
        auditLog: audit,
        authenticator: new Authenticator(tokens, audit, new FailureLimiter(options.limiter)),
        isolation: () => {
          const s = ctx.settings();
          return { isolationMode: s.isolationMode, manualProjectId: s.manualProjectId, userId: s.userId };
        },
        createToken: (input) => tokens.create({ createdBy: 'ui', ...input }),
        listTokens: (filter) => tokens.list(filter),
        revokeToken: (ref) => tokens.revoke(ref),
        enableToken: (ref) => tokens.enable(ref),
        deleteToken: (ref) => tokens.delete(ref),
        revokeAllTokens: (userId) => tokens.revokeAll(userId),
        audit: (query) => audit.query(query),
        stats: (userId) => audit.userStats(tokens, userId),
        failedLogins: () => audit.failedSince(new Date(Date.now() - HOUR_MS)),
      };
      return {
        handle,
        status: () => ({
          activeTokens: tokens.list().filter((t) => !t.revoked && !t.expired).length,
          failedLogins: handle.failedLogins(),
        }),
        async stop() {
          clearInterval(daily);
          detach();
          audit.close();
        },
      };
    },
  };
}

export const accessFeature: Feature<'access'> = createAccessFeature();
