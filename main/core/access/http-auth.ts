// Express middleware in front of every REST and /mcp route: authenticates the token, answers
// 401/429 with a JSON error, and leaves the request's Identity in res.locals.
import type { Request, RequestHandler, Response } from 'express';
import type { AccessVia } from '../events.js';
import { credentialsFromHeaders, type Authenticator } from './authenticate.js';
import type { Identity } from './isolation.js';

export function identityOf(res: Response): Identity {
  const identity = res.locals.identity as Identity | undefined;
  if (!identity) throw new Error('route without requireToken');
  return identity;
}

export function clientIp(req: Request): string | null {
  return req.socket.remoteAddress ?? null;
}

export function requireToken(auth: Authenticator, via: AccessVia): RequestHandler {
  return (req, res, next) => {
    const userAgent = req.get('user-agent') ?? null;
    const ip = clientIp(req);
    const outcome = auth.authenticate(credentialsFromHeaders(req.headers), {
      via,
      transport: 'http',
      clientIp: ip,
      userAgent,
    });
    if (!outcome.ok) {
      if (outcome.retryAfter) res.setHeader('Retry-After', String(outcome.retryAfter));
      if (outcome.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="mem0-tray"');
      res.status(outcome.status).json({ detail: outcome.detail });
      return;
    }
    const identity: Identity = {
      userId: outcome.token.userId,
      tokenId: outcome.token.id,
      permissions: outcome.token.permissions,
      via,
      clientIp: ip ?? undefined,
      userAgent: userAgent ?? undefined,
      defaultProject: req.get('x-mcp-project') ?? null,
    };
    res.locals.identity = identity;
    next();
  };
}
