// What `npm start` does, apart from the processes it starts (scripts/start.js passes them in, the
// tests pass fakes): the tray app where a display and the Electron runtime exist; where a display
// exists and the runtime does not, fetch it first with Electron's own installer (its progress on
// the terminal) and open the app; where that fails, or with no display at all (servers, CI, WSL
// without a desktop), the same core headless, saying why. Nothing is fetched without a display.
import fs from 'node:fs';
import path from 'node:path';

/** Electron's own names for its executable (node_modules/electron/install.js). */
export function electronPlatformPath(platform) {
  switch (platform) {
    case 'darwin':
    case 'mas':
      return 'Electron.app/Contents/MacOS/Electron';
    case 'win32':
      return 'electron.exe';
    default:
      return 'electron';
  }
}

/**
 * The Electron executable if it is installed, without requiring 'electron' (which would start a
 * download): path.txt names it inside dist/, or inside ELECTRON_OVERRIDE_DIST_PATH.
 */
export function electronBinary(electronDir, env, platform) {
  if (!electronDir) return null;
  let relative = null;
  try {
    relative = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8').trim();
  } catch {
    // not installed (yet)
  }
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!relative && !override) return null;
  const bin = path.join(
    override || path.join(electronDir, 'dist'),
    relative || electronPlatformPath(platform),
  );
  return fs.existsSync(bin) ? bin : null;
}

export function hasDisplay(env, platform) {
  if (platform !== 'linux') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export const RETRY_COMMAND = 'npx install-electron';

/**
 * Decides and starts. deps: env, platform, electronDir (node_modules/electron or null),
 * install() → Promise<{ ok: boolean, why?: string }>, startApp(bin), startHeadless(reason),
 * say(line).
 */
export async function startMem0Tray(deps) {
  const { env, platform } = deps;
  let bin = electronBinary(deps.electronDir, env, platform);
  if (!hasDisplay(env, platform)) {
    return deps.startHeadless('no display');
  }
  if (bin) return deps.startApp(bin);
  if (!deps.electronDir) return deps.startHeadless('the electron package is not installed: run npm install');
  deps.say('Mem0 Tray: fetching the Electron runtime (first start on this machine) with its own installer…');
  let result;
  try {
    result = await deps.install();
  } catch (err) {
    result = { ok: false, why: err instanceof Error ? err.message : String(err) };
  }
  bin = result.ok ? electronBinary(deps.electronDir, env, platform) : null;
  if (bin) return deps.startApp(bin);
  const why = result.ok
    ? 'the installer finished but no runtime is there'
    : result.why || 'the installer failed';
  return deps.startHeadless(
    `the Electron runtime could not be fetched: ${why}; "${RETRY_COMMAND}" retries, then npm start`,
  );
}

/** The last line of an installer's error output that says what went wrong. */
export function installerWhy(stderr) {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const error = lines.find((l) => /error/i.test(l) && !l.startsWith('at '));
  const why = (error ?? lines.at(-1) ?? '').replace(/^Error:\s*/, '').slice(0, 300);
  // What Node's fetch says for a refused connection, a DNS failure or a proxy in the way.
  if (/fetch failed/.test(why)) return 'the download failed (offline, or a proxy in the way?)';
  return why || undefined;
}
