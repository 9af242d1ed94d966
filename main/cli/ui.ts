// `mem0-tray ui`: a new one-time link to the running core's review UI, printed, and opened in the
// browser where a desktop is present. The link in runtime.json works once; this asks the core for
// another with the key it keeps in the private data directory (main/core/ui-api/link.ts).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { Command } from 'commander';
import { UserError } from '../core/errors.js';
import { runningCore } from '../core/runtime-file.js';
import { UI_LINK_PATH } from '../core/ui-api/link.js';
import type { CliEnv } from './env.js';

/** A graphical session where a browser can open: macOS and Windows always, elsewhere X11 or Wayland. */
export function desktopPresent(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Opens a URL in the default browser without waiting for it; false when no opener could start. */
export function openInBrowser(url: string, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  const [cmd, args] =
    platform === 'darwin'
      ? ['open', [url]]
      : platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => resolve(false));
    child.on('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

export interface UiCommandDeps {
  open(url: string): Promise<boolean>;
  desktop(env: NodeJS.ProcessEnv): boolean;
}

export function registerUiCommand(
  program: Command,
  cli: CliEnv,
  deps: UiCommandDeps = { open: (url) => openInBrowser(url), desktop: (env) => desktopPresent(env) },
): void {
  program
    .command('ui')
    .description(
      'print a new one-time link to the review UI of the running Mem0 Tray, and open it where a desktop is present',
    )
    .option('--no-open', 'print the link only')
    .action(async (opts: { open: boolean }) => {
      const paths = cli.paths();
      const core = runningCore(paths.runtime);
      if (!core) {
        throw new UserError(
          'not_found',
          'Mem0 Tray is not running on this data directory: start it (npm start, or mem0-tray serve), then run mem0-tray ui.',
        );
      }
      let key: string;
      try {
        key = fs.readFileSync(paths.uiLinkKey, 'utf8').trim();
      } catch {
        throw new UserError(
          'not_found',
          `The running Mem0 Tray (pid ${core.pid}) gives no UI links: it has no review UI, or is an older version. Restart it.`,
        );
      }
      let res: Response;
      try {
        res = await fetch(`http://127.0.0.1:${core.apiPort}${UI_LINK_PATH}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}` },
        });
      } catch (err) {
        throw new UserError(
          'failure',
          `Mem0 Tray (pid ${core.pid}) does not answer on 127.0.0.1:${core.apiPort}: ${(err as Error).message}`,
        );
      }
      const body = (await res.json().catch(() => null)) as { url?: string } | null;
      if (!res.ok || typeof body?.url !== 'string') {
        throw new UserError(
          res.status === 401 ? 'unauthorized' : 'failure',
          `Mem0 Tray (pid ${core.pid}) refused a new UI link (HTTP ${res.status}).`,
        );
      }
      cli.out(body.url);
      if (opts.open && deps.desktop(cli.env)) {
        if (!(await deps.open(body.url)))
          cli.err('mem0-tray: could not open a browser: open the link above.');
      }
    });
}
