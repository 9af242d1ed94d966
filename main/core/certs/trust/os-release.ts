// Which Linux family this is, from /etc/os-release (ID, then ID_LIKE): each family keeps its system
// trust anchors in a different directory and refreshes them with a different tool.
import fs from 'node:fs';

export type LinuxFamily = 'debian' | 'fedora' | 'arch' | 'opensuse';

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = line.match(/^([A-Z0-9_]+)=(.*)$/);
    if (!m) continue;
    let value = m[2]!.trim();
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
    out[m[1]!] = value;
  }
  return out;
}

const FAMILY_IDS: Record<LinuxFamily, string[]> = {
  debian: ['debian', 'ubuntu', 'linuxmint', 'pop', 'elementary', 'raspbian', 'kali', 'neon', 'zorin'],
  fedora: ['fedora', 'rhel', 'centos', 'rocky', 'almalinux', 'ol', 'amzn', 'nobara'],
  arch: ['arch', 'manjaro', 'endeavouros', 'garuda', 'artix'],
  opensuse: ['opensuse', 'opensuse-leap', 'opensuse-tumbleweed', 'sles', 'sled', 'suse'],
};

export function familyFromOsRelease(fields: Record<string, string>): LinuxFamily | null {
  const ids = [fields.ID ?? '', ...(fields.ID_LIKE ?? '').split(/\s+/)]
    .map((s) => s.toLowerCase())
    .filter(Boolean);
  for (const id of ids) {
    for (const [family, known] of Object.entries(FAMILY_IDS) as Array<[LinuxFamily, string[]]>) {
      if (known.includes(id) || (family === 'opensuse' && id.startsWith('opensuse'))) return family;
    }
  }
  return null;
}

export function detectLinuxFamily(file = '/etc/os-release'): LinuxFamily | null {
  for (const candidate of [file, '/usr/lib/os-release']) {
    try {
      return familyFromOsRelease(parseOsRelease(fs.readFileSync(candidate, 'utf8')));
    } catch {
      // try the next location
    }
  }
  return null;
}
