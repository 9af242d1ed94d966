// New links to the headless review UI for the CLI (`mem0-tray ui`): each login link works once,
// and runtime.json keeps the one made at start. The core writes a random key to the private data
// directory (mode 0600) and answers POST /ui-link with a fresh one-time link to whoever presents
// that key: only the user who owns the data directory (or root) can read it, the same wall that
// guards runtime.json's own link. The key never leaves the machine and is not a login itself.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import type { Router } from 'express';
import { writeFileAtomic } from '../fs-atomic.js';
import type { Logger } from '../log.js';

export const UI_LINK_PATH = '/ui-link';

const sha = (s: string) => createHash('sha256').update(s).digest();

export interface UiLinkRoute {
  /** Removes the key file (if it is still this core's). */
  close(): void;
}

export function mountUiLinkRoute(options: {
  router: Router;
  keyFile: string;
  mintUrl(): string;
  log: Logger;
}): UiLinkRoute {
  const key = randomBytes(32).toString('base64url');
  writeFileAtomic(options.keyFile, key + '\n', 0o600);
  options.router.post(UI_LINK_PATH, (req, res) => {
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (!given || !timingSafeEqual(sha(given), sha(key))) {
      options.log.warn('ui.link_refused');
      res.status(401).json({
        ok: false,
        error: { code: 'unauthorized', message: 'A new UI link needs the key in the data directory.' },
      });
      return;
    }
    options.log.info('ui.link_issued');
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).json({ ok: true, url: options.mintUrl() });
  });
  return {
    close() {
      try {
        if (fs.readFileSync(options.keyFile, 'utf8').trim() === key)
          fs.rmSync(options.keyFile, { force: true });
      } catch {
        // already gone
      }
    },
  };
}
