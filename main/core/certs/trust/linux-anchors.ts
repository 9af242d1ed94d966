// Linux system trust: a PEM file in the family's anchors directory, then the family's refresh tool
// rebuilds the bundles every OpenSSL/GnuTLS client reads. Both steps run in one elevated script.
// The directories and the tool's arguments are options, so tests drive the real
// update-ca-certificates against a throwaway store.
import fs from 'node:fs';
import path from 'node:path';
import { isOurs, parseAllCerts, parseCaCert, type CaCert } from './ca-cert.js';
import type { ElevatedStep, Elevator } from './elevation.js';
import type { LinuxFamily } from './os-release.js';
import { PrivilegedStoreBase } from './privileged-store.js';
import { foundFromCert, statusFromFound } from './store-status.js';
import {
  matchesTarget,
  type Availability,
  type FoundCert,
  type RemoveTarget,
  type StoreStatus,
} from './types.js';

export interface AnchorLayout {
  family: LinuxFamily;
  label: string;
  anchorsDir: string;
  /** Extension the refresh tool picks up (update-ca-certificates only reads *.crt). */
  ext: '.crt' | '.pem';
  refresh: string[];
  /** After a removal (Debian needs --fresh to drop the stale symlink in /etc/ssl/certs). */
  refreshAfterRemove: string[];
  /** The bundle the refresh writes, read to tell whether the anchor is really in effect. */
  bundle: string | null;
  /** The tool that must exist for this layout to work. */
  tool: string;
}

export interface DebianDirs {
  certsconf?: string;
  certsdir?: string;
  localcertsdir?: string;
  etccertsdir?: string;
  hooksdir?: string;
}

export function debianLayout(dirs: DebianDirs = {}): AnchorLayout {
  const flags: string[] = [];
  if (dirs.certsconf) flags.push('--certsconf', dirs.certsconf);
  if (dirs.certsdir) flags.push('--certsdir', dirs.certsdir);
  if (dirs.localcertsdir) flags.push('--localcertsdir', dirs.localcertsdir);
  if (dirs.etccertsdir) flags.push('--etccertsdir', dirs.etccertsdir);
  if (dirs.hooksdir) flags.push('--hooksdir', dirs.hooksdir);
  return {
    family: 'debian',
    label: 'Linux system trust (Debian/Ubuntu, update-ca-certificates)',
    anchorsDir: dirs.localcertsdir ?? '/usr/local/share/ca-certificates',
    ext: '.crt',
    refresh: ['update-ca-certificates', ...flags],
    refreshAfterRemove: ['update-ca-certificates', '--fresh', ...flags],
    bundle: path.join(dirs.etccertsdir ?? '/etc/ssl/certs', 'ca-certificates.crt'),
    tool: 'update-ca-certificates',
  };
}

export function anchorLayout(family: LinuxFamily): AnchorLayout {
  switch (family) {
    case 'debian':
      return debianLayout();
    case 'fedora':
      return {
        family,
        label: 'Linux system trust (Fedora/RHEL, update-ca-trust)',
        anchorsDir: '/etc/pki/ca-trust/source/anchors',
        ext: '.pem',
        refresh: ['update-ca-trust', 'extract'],
        refreshAfterRemove: ['update-ca-trust', 'extract'],
        bundle: '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
        tool: 'update-ca-trust',
      };
    case 'arch':
      return {
        family,
        label: 'Linux system trust (Arch, trust extract-compat)',
        anchorsDir: '/etc/ca-certificates/trust-source/anchors',
        ext: '.crt',
        refresh: ['trust', 'extract-compat'],
        refreshAfterRemove: ['trust', 'extract-compat'],
        bundle: '/etc/ssl/certs/ca-certificates.crt',
        tool: 'trust',
      };
    case 'opensuse':
      return {
        family,
        label: 'Linux system trust (openSUSE, update-ca-certificates)',
        anchorsDir: '/etc/pki/trust/anchors',
        ext: '.pem',
        refresh: ['update-ca-certificates'],
        refreshAfterRemove: ['update-ca-certificates'],
        bundle: '/var/lib/ca-certificates/ca-bundle.pem',
        tool: 'update-ca-certificates',
      };
  }
}

const ANCHOR_FILE = /^mem0-tray-[0-9a-f]{16}\.(crt|pem)$/;

export function anchorFileName(ca: CaCert, layout: AnchorLayout): string {
  return `mem0-tray-${ca.sha256.slice(0, 16)}${layout.ext}`;
}

export interface LinuxAnchorOptions {
  layout: AnchorLayout;
  elevator: Elevator;
  /** Whether the refresh tool exists (injected: PATH lookups differ for root). */
  toolExists?: (tool: string) => boolean;
}

export class LinuxAnchorStore extends PrivilegedStoreBase {
  readonly id = 'linux-system';
  readonly label: string;
  private readonly layout: AnchorLayout;

  constructor(private readonly options: LinuxAnchorOptions) {
    super(options.elevator);
    this.layout = options.layout;
    this.label = options.layout.label;
  }

  async available(): Promise<Availability> {
    const exists = this.options.toolExists ?? toolOnPath;
    if (!exists(this.layout.tool)) {
      return { ok: false, reason: `${this.layout.tool} is not installed (package ca-certificates).` };
    }
    return { ok: true };
  }

  /** Our anchor files; readable without privileges (anchors are public). */
  list(): FoundCert[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.layout.anchorsDir);
    } catch {
      return [];
    }
    const out: FoundCert[] = [];
    for (const name of names.filter((n) => ANCHOR_FILE.test(n)).sort()) {
      const file = path.join(this.layout.anchorsDir, name);
      try {
        const cert = parseCaCert(fs.readFileSync(file, 'utf8'));
        if (isOurs(cert)) out.push(foundFromCert(cert, file));
      } catch {
        // an unreadable or damaged file of ours is still ours to remove
        out.push({ sha256: null, sha1: null, serial: null, subject: name, ref: file });
      }
    }
    return out;
  }

  async status(ca: CaCert | null): Promise<StoreStatus> {
    const found = this.list();
    const status = statusFromFound(this, ca, found);
    if (status.trusted && ca && this.layout.bundle) {
      const inBundle = bundleHolds(this.layout.bundle, ca);
      if (inBundle === false) {
        status.trusted = false;
        status.detail = `The anchor is in ${this.layout.anchorsDir} but not in ${this.layout.bundle}: run "${this.layout.refresh[0]}" as root, or install again.`;
      }
    }
    return status;
  }

  async planInstall(ca: CaCert): Promise<ElevatedStep[]> {
    return [
      {
        kind: 'write',
        path: path.join(this.layout.anchorsDir, anchorFileName(ca, this.layout)),
        contents: ca.pem,
      },
      { kind: 'run', argv: this.layout.refresh },
    ];
  }

  async planRemove(target: RemoveTarget): Promise<ElevatedStep[]> {
    const files = this.list()
      .filter((f) => target === 'all' || matchesTarget(f, target))
      .map((f) => f.ref!);
    if (files.length === 0) return [];
    return [
      ...files.map((file) => ({ kind: 'remove' as const, path: file })),
      { kind: 'run', argv: this.layout.refreshAfterRemove },
    ];
  }

  async countRemovable(target: RemoveTarget): Promise<number> {
    return this.list().filter((f) => target === 'all' || matchesTarget(f, target)).length;
  }
}

/** true/false when the bundle could be read, null when not (then the anchor alone decides). */
function bundleHolds(bundle: string, ca: CaCert): boolean | null {
  let text: string;
  try {
    text = fs.readFileSync(bundle, 'utf8');
  } catch {
    return null;
  }
  return parseAllCerts(text).some((c) => c.sha256 === ca.sha256);
}

export function toolOnPath(tool: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const dirs = [...(env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  return dirs.some((dir) => {
    try {
      fs.accessSync(path.join(dir, tool), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
