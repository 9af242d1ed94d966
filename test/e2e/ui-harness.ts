// Shared by the UI end-to-end tests and the UI benchmark: a real core with the UI feature (and
// every other feature the composition root lists) in a temp data directory, the renderer build,
// and Debian's Chromium driven by playwright-core.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { Core } from '../../main/core/core.js';
import { silentLogger } from '../../main/core/log.js';
import type { UiHandle } from '../../main/core/ui-api/ui-handle.js';
import { partAvailable } from '../support/available.js';

export const CHROMIUM = process.env.MEM0_TRAY_CHROMIUM ?? '/usr/bin/chromium';
export const RENDERER_INDEX = path.resolve('dist/renderer/index.html');

/** Builds the renderer when the build is missing or older than a source file. */
export function ensureRendererBuilt(): void {
  const built = fs.existsSync(RENDERER_INDEX) ? fs.statSync(RENDERER_INDEX).mtimeMs : 0;
  const newest = (dir: string): number =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .reduce(
        (m, e) =>
          Math.max(
            m,
            e.isDirectory() ? newest(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs,
          ),
        0,
      );
  const sources = Math.max(newest('renderer'), fs.statSync('main/core/ui-api/contract.ts').mtimeMs);
  if (built >= sources) return;
  const r = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('vite build failed');
}

export interface UiCore {
  core: Core;
  home: string;
  ui: UiHandle;
  stop(): Promise<void>;
}

export async function startUiCore(
  userId = 'e2e-user',
  extraEnv: Record<string, string> = {},
): Promise<UiCore> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mem0-tray-ui-'));
  const core = await Core.start({
    env: {
      MEM0_TRAY_HOME: home,
      MEM0_TRAY_API_PORT: '0',
      MEM0_TRAY_PROXY_PORT: '0',
      MEM0_TRAY_GATEWAY_PORT: '0',
      MEM0_TRAY_USER_ID: userId,
      ...extraEnv,
    },
    log: silentLogger,
    writeRuntime: false,
  });
  const ui = core.feature('ui');
  if (!ui) throw new Error('ui feature did not start');
  return {
    core,
    home,
    ui,
    async stop() {
      await core.stop();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

export function chromiumAvailable(): boolean {
  return partAvailable(`Chromium (${CHROMIUM})`, fs.existsSync(CHROMIUM), 'apt-get install chromium');
}

/** Chromium with a fresh profile directory (playwright passes it as --user-data-dir). */
export async function launchChromium(
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mem0-tray-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
