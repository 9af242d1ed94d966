// Existing Firefox profiles, from each profiles.ini Firefox may use (regular, snap and flatpak
// installs on Linux). Only profiles that already hold an NSS database (cert9.db) are returned:
// we never create a profile's database behind Firefox's back.
import fs from 'node:fs';
import path from 'node:path';

export interface FirefoxProfile {
  name: string;
  dir: string;
}

export function firefoxRoots(platform: NodeJS.Platform, home: string, env: NodeJS.ProcessEnv = {}): string[] {
  if (platform === 'darwin') return [path.join(home, 'Library', 'Application Support', 'Firefox')];
  if (platform === 'win32')
    return [path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Mozilla', 'Firefox')];
  return [
    path.join(home, '.mozilla', 'firefox'),
    path.join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox'),
    path.join(home, '.var', 'app', 'org.mozilla.firefox', '.mozilla', 'firefox'),
  ];
}

/** [ProfileN] sections of profiles.ini: Name, Path, IsRelative. */
export function parseProfilesIni(text: string, root: string): FirefoxProfile[] {
  const out: FirefoxProfile[] = [];
  let section: Record<string, string> | null = null;
  const flush = () => {
    if (section?.Path) {
      const relative = section.IsRelative !== '0';
      out.push({
        name: section.Name ?? section.Path,
        dir: relative ? path.join(root, ...section.Path.split('/')) : section.Path,
      });
    }
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const head = line.match(/^\[(.+)\]$/);
    if (head) {
      flush();
      section = /^Profile\d+$/.test(head[1]!) ? {} : null;
      continue;
    }
    const eq = line.indexOf('=');
    if (section && eq > 0) section[line.slice(0, eq)] = line.slice(eq + 1);
  }
  flush();
  return out;
}

export function findFirefoxProfiles(
  platform: NodeJS.Platform,
  home: string,
  env: NodeJS.ProcessEnv = {},
): FirefoxProfile[] {
  const seen = new Set<string>();
  const out: FirefoxProfile[] = [];
  for (const root of firefoxRoots(platform, home, env)) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(root, 'profiles.ini'), 'utf8');
    } catch {
      continue;
    }
    for (const profile of parseProfilesIni(text, root)) {
      const key = path.resolve(profile.dir);
      if (seen.has(key) || !fs.existsSync(path.join(profile.dir, 'cert9.db'))) continue;
      seen.add(key);
      out.push(profile);
    }
  }
  return out;
}
