// The trust stores of this machine, in the order the UI lists them: per-user stores first (no
// prompt), then the system stores (administrator), then the environment route.
import os from 'node:os';
import path from 'node:path';
import { execFileRunner, type CommandRunner } from './command-runner.js';
import type { Elevator } from './elevation.js';
import { EnvironmentRoute } from './environment-route.js';
import { findFirefoxProfiles } from './firefox-profiles.js';
import { LinuxAnchorStore, anchorLayout, type AnchorLayout } from './linux-anchors.js';
import { MacLoginKeychainStore, MacSystemKeychainStore } from './macos-keychain.js';
import { NssDbStore } from './nss-db.js';
import { detectLinuxFamily, type LinuxFamily } from './os-release.js';
import type { TrustStore } from './types.js';
import { WindowsMachineRootStore, WindowsUserRootStore } from './windows-certutil.js';

export interface PlatformStoresOptions {
  elevator: Elevator;
  platform?: NodeJS.Platform;
  home?: string;
  env?: NodeJS.ProcessEnv;
  runner?: CommandRunner;
  /** Default: from /etc/os-release. */
  linuxFamily?: LinuxFamily | null;
  /** Override the system anchor layout (tests: a throwaway Debian store). */
  anchorLayout?: AnchorLayout;
}

export function createPlatformStores(options: PlatformStoresOptions): TrustStore[] {
  const platform = options.platform ?? process.platform;
  const home = options.home ?? os.homedir();
  const env = options.env ?? process.env;
  const runner = options.runner ?? execFileRunner();
  const elevator = options.elevator;
  const stores: TrustStore[] = [];

  if (platform === 'darwin') {
    stores.push(
      new MacLoginKeychainStore({ runner, home }),
      new MacSystemKeychainStore({ runner, elevator }),
    );
  } else if (platform === 'win32') {
    stores.push(new WindowsUserRootStore({ runner }), new WindowsMachineRootStore({ runner, elevator }));
  } else {
    // Chrome/Chromium on Linux read ~/.pki/nssdb; Firefox reads its own profile databases. Firefox
    // on macOS and Windows follows the OS store, so NSS is handled on Linux only (and the NSS
    // certutil would clash with Windows' own certutil.exe anyway).
    stores.push(
      new NssDbStore({
        id: 'nss-user',
        label: 'Chrome/Chromium NSS database (~/.pki/nssdb, this user)',
        dir: path.join(home, '.pki', 'nssdb'),
        runner,
        createIfMissing: true,
      }),
    );
    for (const profile of findFirefoxProfiles(platform, home, env)) {
      let id = `firefox-${slug(profile.name)}`;
      for (let n = 2; stores.some((s) => s.id === id); n++) id = `firefox-${slug(profile.name)}-${n}`;
      stores.push(
        new NssDbStore({
          id,
          label: `Firefox profile "${profile.name}" (this user)`,
          dir: profile.dir,
          runner,
          createIfMissing: false,
        }),
      );
    }
    const layout =
      options.anchorLayout ??
      (() => {
        const family = options.linuxFamily === undefined ? detectLinuxFamily() : options.linuxFamily;
        return family ? anchorLayout(family) : null;
      })();
    if (layout) stores.push(new LinuxAnchorStore({ layout, elevator }));
  }
  stores.push(new EnvironmentRoute());
  return stores;
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'profile'
  );
}
