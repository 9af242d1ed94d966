// Which Linux family (and so which anchors directory and refresh tool) a machine is, from
// os-release; Firefox profiles from profiles.ini; the layouts' commands.
import { describe, expect, it } from 'vitest';
import { parseProfilesIni } from '../../../main/core/certs/trust/firefox-profiles.js';
import { anchorLayout, debianLayout } from '../../../main/core/certs/trust/linux-anchors.js';
import { familyFromOsRelease, parseOsRelease } from '../../../main/core/certs/trust/os-release.js';

const family = (text: string) => familyFromOsRelease(parseOsRelease(text));

describe('os-release', () => {
  it.each([
    ['ID=debian\nVERSION_ID="12"', 'debian'],
    ['ID=ubuntu\nID_LIKE=debian', 'debian'],
    ['ID=linuxmint\nID_LIKE="ubuntu debian"', 'debian'],
    ['ID=fedora', 'fedora'],
    ['ID="rocky"\nID_LIKE="rhel centos fedora"', 'fedora'],
    ['ID=arch', 'arch'],
    ['ID=manjaro\nID_LIKE=arch', 'arch'],
    ['ID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"', 'opensuse'],
    ['ID="sles"', 'opensuse'],
    ['ID=alpine', null],
    ['', null],
  ])('%j → %s', (text, expected) => {
    expect(family(text)).toBe(expected);
  });

  it('unquotes values', () => {
    expect(parseOsRelease(`PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME='X'\n# comment`)).toEqual({
      PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)',
      NAME: 'X',
    });
  });
});

describe('anchor layouts', () => {
  it('each family has its directory and refresh command', () => {
    expect(anchorLayout('debian')).toMatchObject({
      anchorsDir: '/usr/local/share/ca-certificates',
      ext: '.crt',
      refresh: ['update-ca-certificates'],
      refreshAfterRemove: ['update-ca-certificates', '--fresh'],
    });
    expect(anchorLayout('fedora')).toMatchObject({
      anchorsDir: '/etc/pki/ca-trust/source/anchors',
      refresh: ['update-ca-trust', 'extract'],
    });
    expect(anchorLayout('arch')).toMatchObject({
      anchorsDir: '/etc/ca-certificates/trust-source/anchors',
      refresh: ['trust', 'extract-compat'],
    });
    expect(anchorLayout('opensuse')).toMatchObject({
      anchorsDir: '/etc/pki/trust/anchors',
      refresh: ['update-ca-certificates'],
    });
  });

  it('Debian directories become update-ca-certificates flags', () => {
    expect(
      debianLayout({
        certsconf: '/c',
        certsdir: '/s',
        localcertsdir: '/l',
        etccertsdir: '/e',
        hooksdir: '/h',
      }).refresh,
    ).toEqual([
      'update-ca-certificates',
      '--certsconf',
      '/c',
      '--certsdir',
      '/s',
      '--localcertsdir',
      '/l',
      '--etccertsdir',
      '/e',
      '--hooksdir',
      '/h',
    ]);
  });
});

describe('profiles.ini', () => {
  it('reads relative and absolute profiles, ignores other sections', () => {
    const text =
      '[Install1]\nDefault=a\n\n[Profile1]\nName=Work\nIsRelative=0\nPath=/abs/work\n\n[Profile0]\r\nName=default\r\nIsRelative=1\r\nPath=Profiles/x.default\r\n\n[General]\nVersion=2\n';
    expect(parseProfilesIni(text, '/root/ff')).toEqual([
      { name: 'Work', dir: '/abs/work' },
      { name: 'default', dir: '/root/ff/Profiles/x.default' },
    ]);
  });
});
