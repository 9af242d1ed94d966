// Suites that need a real OS keychain run themselves a second time inside a private D-Bus session
// with an unlocked gnome-keyring (never the developer's own keyring): the outer run starts it, the
// inner run (marked by an environment variable) talks to it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadKeytar } from '../../main/core/secrets/secret-store.js';
import { partAvailable } from './available.js';
import { tempDir } from './tmp.js';

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => fs.existsSync(path.join(dir, bin)));
}

/** dbus-run-session and gnome-keyring-daemon are installed (loud skip, or a failure under CI). */
export function keyringAvailable(): boolean {
  const missing = ['dbus-run-session', 'gnome-keyring-daemon'].filter((b) => !onPath(b));
  return partAvailable(
    missing.join(' and ') || 'the keyring',
    missing.length === 0,
    'apt-get install gnome-keyring dbus',
  );
}

/**
 * The keytar native module loads (loud skip, or a failure under CI). It is optional and absent
 * where it did not build: without it a keyring session tests nothing but "no keychain available".
 */
export async function keytarAvailable(): Promise<boolean> {
  const loaded = await loadKeytar().then(
    () => true,
    () => false,
  );
  return partAvailable(
    'the keytar native module',
    loaded,
    'apt-get install libsecret-1-dev, then npm rebuild keytar',
  );
}

/**
 * Runs `file` with vitest inside a fresh D-Bus session and keyring, with `marker=1` set and a
 * throwaway HOME; returns vitest's output and exit status, and that HOME.
 */
export function runInKeyringSession(
  file: string,
  marker: string,
  timeoutMs: number,
): { output: string; status: number | null; home: string } {
  const home = tempDir('mem0-tray-keyring-');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('VITEST') && k !== 'MEM0_API_KEY' && k !== 'DBUS_SESSION_BUS_ADDRESS') env[k] = v;
  }
  Object.assign(env, {
    HOME: home,
    XDG_DATA_HOME: path.join(home, 'share'),
    XDG_RUNTIME_DIR: home,
    [marker]: '1',
  });
  const vitest = path.resolve('node_modules/vitest/vitest.mjs');
  const script =
    'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; ' +
    `exec "${process.execPath}" "${vitest}" run "${file}"`;
  const run = spawnSync('dbus-run-session', ['--', 'sh', '-c', script], {
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { output: `${run.stdout}\n${run.stderr}`, status: run.status, home };
}
