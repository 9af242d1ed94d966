// The REST API on the API port, compatible with the self-hosted Mem0 server's (see rest-records.ts
// for the shapes). Every route needs a token; `user_id` in a query or body may be omitted (the
// token's user is meant) and must otherwise be the token's user (or, in the global isolation
// mode, the shared pool's owner). Ownership and scope go through MemoryService and isolation.ts,
// exactly as for MCP. Bodies are JSON, at most 1 MB; errors are {"detail": "..."}; no CORS.
import express, { type Request, type Response, type Router } from 'express';
import { UserError } from '../errors.js';
import { exportMemories } from '../memory/export.js';
import { headOf } from '../memory/excerpt.js';
import { MEMORY_LIMITS } from '../memory/input-schema.js';
import type { MemoryService } from '../memory/service.js';
import type { AuditLog } from '../access/audit-log.js';
import type { Authenticator } from '../access/authenticate.js';
import { identityOf, requireToken } from '../access/http-auth.js';
import {
  canWrite,
  personalCaller,
  resolveScope,
  type Identity,
  type IsolationSettings,
} from '../access/isolation.js';
import type { TokenStore } from '../access/tokens.js';
import { API_BODY_LIMIT } from './server.js';
import {
  createBody,
  intParam,
  parseBody,
  searchBody,
  stringParam,
  toHistoryRecord,
  toRecord,
  toSearchRecord,
  updateBody,
} from './rest-records.js';

export interface RestDeps {
  auth: Authenticator;
  tokens: TokenStore;
  audit: AuditLog;
  memories: MemoryService;
  settings(): IsolationSettings;
}

/** The user a request names must be the token's own (or the global pool's owner). */
function checkUser(named: string | undefined, identity: Identity, settings: IsolationSettings): void {
  if (named === undefined || named === identity.userId) return;
  if (settings.isolationMode === 'global' && named === settings.userId) return;
  throw new UserError(
    'access_denied',
    `Access denied: this token belongs to user ${identity.userId}, not ${named}.`,
  );
}

function requireWrite(identity: Identity): void {
  if (!canWrite(identity)) {
    throw new UserError('access_denied', 'Access denied: this token is read-only.');
  }
}

function projectOf(req: Request, fromBody?: string): string | undefined {
  return fromBody ?? stringParam(req.query.project_id);
}

export function mountRestApi(router: Router, deps: RestDeps): void {
  const guard = requireToken(deps.auth, 'rest');
  const json = express.json({ limit: API_BODY_LIMIT });
  const who = (req: Request, res: Response, named?: string) => {
    const identity = identityOf(res);
    checkUser(named ?? stringParam(req.query.user_id), identity, deps.settings());
    return identity;
  };

  router.post('/memories', guard, json, async (req, res) => {
    const body = parseBody(createBody, req.body);
    const identity = who(req, res, body.user_id);
    requireWrite(identity);
    const turns = (body.messages ?? []).filter((m) => m.role !== 'system' && m.content.trim() !== '');
    // From messages, the text is what a backend that does not infer keeps: a long conversation is
    // cut to the longest memory rather than refused (a Mem0 backend reads the messages themselves).
    const text =
      body.text ?? body.memory ?? headOf(turns.map((m) => m.content).join('\n'), MEMORY_LIMITS.text);
    if (!text.trim()) {
      throw new UserError(
        'invalid_input',
        'Invalid request: give "messages" (or "text") with something to remember.',
      );
    }
    const scope = resolveScope(deps.settings(), identity, projectOf(req, body.project_id));
    const fromMessages = body.text === undefined && body.memory === undefined;
    const added = await deps.memories.add(scope.caller, {
      text,
      // Not 'mcp' (that is the add_memory tool): a REST client names what to keep, like the CLI's add.
      source: 'manual',
      projectId: scope.writeProjectId,
      metadata: body.metadata,
      ...(fromMessages
        ? {
            messages: turns.map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content })),
            infer: body.infer ?? true,
          }
        : { infer: false }),
    });
    res.json({ results: added.map((m) => ({ id: m.id, memory: m.text, event: 'ADD' })) });
  });

  router.get('/memories', guard, async (req, res) => {
    const identity = who(req, res);
    const scope = resolveScope(deps.settings(), identity, projectOf(req));
    const page = await deps.memories.list(scope.caller, scope.read, {
      limit: intParam(req.query.limit, 'limit', 1, 500) ?? 100,
      cursor: stringParam(req.query.cursor) ?? null,
      offset: intParam(req.query.offset, 'offset', 0, 10_000_000),
    });
    res.json({ results: page.items.map(toRecord), next_cursor: page.nextCursor });
  });

  router.delete('/memories', guard, async (req, res) => {
    const named = stringParam(req.query.user_id);
    if (!named) {
      throw new UserError('invalid_input', 'Invalid request: user_id is required to forget a user.');
    }
    const identity = identityOf(res);
    if (named !== identity.userId) {
      throw new UserError(
        'access_denied',
        `Access denied: this token belongs to user ${identity.userId}, not ${named}.`,
      );
    }
    requireWrite(identity);
    const caller = personalCaller(identity);
    const deleted = await deps.memories.forget(caller);
    deps.audit.forgetUser(named);
    // The one trace left: that the user was forgotten, when, and by which token (no memory ids).
    deps.audit.recordAccess(
      { caller, action: 'forget', memoryIds: [], count: deleted, outcome: 'ok' },
      'http',
    );
    const revoked = deps.tokens.revokeAll(named);
    res.json({ message: 'All relevant memories deleted', deleted, tokens_revoked: revoked });
  });

  router.get('/memories/:id', guard, async (req, res) => {
    const scope = resolveScope(deps.settings(), who(req, res));
    res.json(toRecord(await deps.memories.get(scope.caller, String(req.params.id))));
  });

  router.put('/memories/:id', guard, json, async (req, res) => {
    const body = parseBody(updateBody, req.body);
    const identity = who(req, res, body.user_id);
    requireWrite(identity);
    const text = body.data ?? body.text ?? body.memory;
    if (text === undefined && body.metadata === undefined) {
      throw new UserError('invalid_input', 'Invalid request: give "data" (the new text) and/or "metadata".');
    }
    const scope = resolveScope(deps.settings(), identity);
    await deps.memories.update(scope.caller, String(req.params.id), { text, metadata: body.metadata });
    res.json({ message: 'Memory updated successfully!' });
  });

  router.delete('/memories/:id', guard, async (req, res) => {
    const identity = who(req, res);
    requireWrite(identity);
    const scope = resolveScope(deps.settings(), identity);
    await deps.memories.delete(scope.caller, String(req.params.id));
    res.json({ message: 'Memory deleted successfully' });
  });

  router.get('/memories/:id/history', guard, async (req, res) => {
    const scope = resolveScope(deps.settings(), who(req, res));
    const entries = await deps.memories.history(scope.caller, String(req.params.id));
    res.json(entries.map(toHistoryRecord));
  });

  router.post('/search', guard, json, async (req, res) => {
    const body = parseBody(searchBody, req.body);
    const identity = who(req, res, body.user_id);
    const scope = resolveScope(deps.settings(), identity, projectOf(req, body.project_id));
    const queries = [...(body.query ? [body.query] : []), ...(body.queries ?? [])];
    const hits = await deps.memories.search(scope.caller, queries, scope.read, {
      limit: body.limit ?? 10,
    });
    res.json({ results: hits.map(toSearchRecord) });
  });

  // Everything of the token's user as one JSON document, streamed: memories with their history,
  // the user's tokens (never their values) and the audit entries about them.
  router.get('/export', guard, async (req, res) => {
    const named = stringParam(req.query.user_id);
    const identity = identityOf(res);
    if (named !== undefined && named !== identity.userId) {
      throw new UserError(
        'access_denied',
        `Access denied: this token belongs to user ${identity.userId}, not ${named}.`,
      );
    }
    const caller = personalCaller(identity);
    const records = exportMemories(deps.memories, caller, {}, 'json', ({ memory, history }) => ({
      ...toRecord(memory),
      history: history.map(toHistoryRecord),
    }));
    const chunks = records[Symbol.asyncIterator]();
    // The first memory is read before the headers go out, so a failing backend is still a JSON error.
    let next = await chunks.next();
    res.status(200).type('application/json');
    res.setHeader('Content-Disposition', `attachment; filename="mem0-tray-export-${identity.userId}.json"`);
    res.write(
      `{"user_id":${JSON.stringify(identity.userId)},"exported_at":"${new Date().toISOString()}","memories":`,
    );
    try {
      while (!next.done) {
        if (!res.write(next.value)) await new Promise((r) => res.once('drain', r));
        next = await chunks.next();
      }
    } finally {
      // Ends the export early on a failure, so what was already sent is still in the audit log.
      if (!next.done) await chunks.return?.();
    }
    res.write(`,"tokens":${JSON.stringify(deps.tokens.list({ userId: identity.userId }))},"audit":[`);
    let offset = 0;
    for (;;) {
      const page = deps.audit.query({ userId: identity.userId, offset, limit: 1000 });
      if (page.entries.length === 0) break;
      res.write((offset ? ',' : '') + page.entries.map((e) => JSON.stringify(e)).join(','));
      offset += page.entries.length;
    }
    res.end(']}');
  });
}
