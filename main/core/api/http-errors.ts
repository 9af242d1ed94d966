// One mapping from UserError codes to HTTP statuses, and the JSON error shape used everywhere
// ({"detail": "..."}, as the self-hosted Mem0 MCP server answers).
import type { ErrorRequestHandler } from 'express';
import { describeError, isUserError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';

export const HTTP_STATUS: Record<ErrorCode, number> = {
  usage: 400,
  invalid_input: 400,
  invalid_settings: 400,
  not_found: 404,
  access_denied: 403,
  unauthorized: 401,
  conflict: 409,
  backend_unavailable: 503,
  keychain_unavailable: 503,
  database_corrupt: 500,
  database_unavailable: 503,
  disk_full: 507,
  read_only: 500,
  failure: 500,
};

export function jsonErrorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const e = err as { type?: string; status?: number; statusCode?: number };
    if (e.type === 'entity.too.large') {
      res.status(413).json({ detail: 'Request body too large.' });
      return;
    }
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ detail: 'Request body is not valid JSON.' });
      return;
    }
    if (isUserError(err)) {
      res.status(HTTP_STATUS[err.code]).json({ detail: err.message });
      return;
    }
    const status = e.status ?? e.statusCode;
    if (status && status >= 400 && status < 500) {
      res.status(status).json({ detail: describeError(err) });
      return;
    }
    log.error('api.unhandled_error', { method: req.method, path: req.path, error: describeError(err) });
    res.status(500).json({ detail: 'Internal error; see the Mem0 Tray log.' });
  };
}
