// The headless review UI on the API port: the built renderer at /ui/, the UI API as
// POST /ui-api/<method>, live updates as Server-Sent Events at /ui-api/events. A session starts
// with a one-time URL token (printed by `serve`, written to runtime.json) that is exchanged for an
// HttpOnly, SameSite=Strict cookie; Host and Origin are already checked for every route.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '../log.js';
import { HTTP_PATHS, type UiEvent } from './contract.js';
import type { UiApiImpl } from './handlers.js';

/** The policy the renderer's index.html also declares; sent as a header for the headless page. */
export const UI_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Large enough for a bulk delete of many ids; the API server's default (1 MB) is not. */
const UI_BODY_LIMIT = '8mb';
const HEARTBEAT_MS = 15_000;

const sha = (s: string) => createHash('sha256').update(s).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(sha(a), sha(b));
const newSecret = () => randomBytes(32).toString('base64url');

/**
 * Finds the built renderer: MEM0_TRAY_RENDERER_DIR, else dist/renderer next to (or above) the
 * running code — the sources under test, the CLI bundle in dist/, or the packaged app.
 */
export function findRendererDir(env: NodeJS.ProcessEnv = process.env, from?: string): string | null {
  const override = env.MEM0_TRAY_RENDERER_DIR?.trim();
  if (override) return fs.existsSync(path.join(override, 'index.html')) ? override : null;
  let dir = from ?? path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidates = [path.join(dir, 'dist', 'renderer'), path.join(dir, 'renderer')];
    for (const c of candidates) {
      if (path.basename(path.dirname(c)) === 'dist' && fs.existsSync(path.join(c, 'index.html'))) return c;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

export interface UiSessions {
  /** A new one-time login token. */
  mintToken(): string;
  /** Exchanges a one-time token for a session id, or null when the token is unknown or used. */
  redeem(token: string): string | null;
  valid(sessionId: string | undefined): boolean;
  readonly cookieName: string;
  count(): number;
}

export function createSessions(port: number): UiSessions {
  const tokens = new Set<string>();
  const sessions = new Set<string>();
  return {
    // Cookies are not port-scoped: the name carries the port so two cores never share one.
    cookieName: `mem0_tray_ui_${port}`,
    mintToken() {
      const t = newSecret();
      tokens.add(t);
      return t;
    },
    redeem(token) {
      for (const t of tokens) {
        if (sameSecret(t, token)) {
          tokens.delete(t);
          const s = newSecret();
          sessions.add(s);
          return s;
        }
      }
      return null;
    },
    valid(sessionId) {
      if (!sessionId) return false;
      for (const s of sessions) if (sameSecret(s, sessionId)) return true;
      return false;
    },
    count: () => sessions.size,
  };
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function denied(res: Response, html: boolean): void {
  const message =
    'This page needs a fresh link (each link works once): run `mem0-tray ui` for a new one, or open the review window from the tray.';
  if (html) {
    res
      .status(401)
      .type('html')
      .send(`<!doctype html><meta charset="utf-8"><title>Mem0 Tray</title><p>${message}</p>`);
  } else res.status(401).json({ ok: false, error: { code: 'unauthorized', message } });
}

export interface UiRoutes {
  sseClients(): number;
  close(): void;
}

export function mountUiRoutes(options: {
  router: Router;
  api: UiApiImpl;
  sessions: UiSessions;
  rendererDir: string | null;
  log: Logger;
}): UiRoutes {
  const { router, api, sessions, log } = options;
  const streams = new Set<Response>();
  const authed = (req: Request) => sessions.valid(cookie(req, sessions.cookieName));

  // Express matches '/ui' for '/ui/' too (non-strict routing): redirect only the bare path.
  router.get('/ui', (req, res, next) => {
    if (req.path === '/ui') res.redirect(308, HTTP_PATHS.ui);
    else next();
  });

  router.use(HTTP_PATHS.ui, (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(405).json({ detail: 'Method not allowed.' });
      return;
    }
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (token !== undefined) {
      const session = sessions.redeem(token);
      if (!session) {
        log.warn('ui.token_rejected');
        denied(res, true);
        return;
      }
      res.setHeader('Set-Cookie', `${sessions.cookieName}=${session}; Path=/; HttpOnly; SameSite=Strict`);
      // The token leaves the address bar (and history) at once.
      res.redirect(303, HTTP_PATHS.ui);
      return;
    }
    if (!authed(req)) {
      denied(res, true);
      return;
    }
    if (!options.rendererDir) {
      res
        .status(503)
        .type('text')
        .send('The review UI is not built: run `npm run build` (it writes dist/renderer).');
      return;
    }
    res.setHeader('Content-Security-Policy', UI_CSP);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  if (options.rendererDir) {
    router.use(HTTP_PATHS.ui, express.static(options.rendererDir, { index: 'index.html', redirect: false }));
  }

  router.get(HTTP_PATHS.events, (req, res) => {
    if (!authed(req)) {
      denied(res, false);
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(': connected\n\n');
    streams.add(res);
    const send = (event: UiEvent) => res.write(`data: ${JSON.stringify(event)}\n\n`);
    const unsubscribe = api.subscribe(send);
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  });

  router.post(`${HTTP_PATHS.api}:method`, (req, res, next) => {
    if (!authed(req)) {
      denied(res, false);
      return;
    }
    // A JSON content type cannot be sent by a plain HTML form: one more wall against cross-site posts.
    if (!req.is('application/json')) {
      res.status(415).json({
        ok: false,
        error: { code: 'invalid_input', message: 'The UI API takes application/json.' },
      });
      return;
    }
    next();
  });
  router.post(`${HTTP_PATHS.api}:method`, express.json({ limit: UI_BODY_LIMIT }), async (req, res) => {
    const method = String(req.params.method);
    const result = await api.dispatch(method, req.body);
    res.status(200).json(result);
  });

  return {
    sseClients: () => streams.size,
    close() {
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
