// What the upstream settings mean: where intercepted traffic goes by default, and what an upstream
// connection trusts (the system roots, plus the override's extra CA, MEM0_TRAY_UPSTREAM_CA). Apart
// from upstream.ts so the core reads and checks them without loading the network thread's HTTP
// client (undici, which would lengthen the core's start).
import fs from 'node:fs';
import tls from 'node:tls';
import type { Settings } from '../../config/settings.js';
import { UserError } from '../../errors.js';

export const ANTHROPIC_ORIGIN = 'https://api.anthropic.com';

/** One secure context for every connection, or undefined for the system roots alone. */
export function upstreamSecureContext(settings: Pick<Settings, 'upstreamCa'>): tls.SecureContext | undefined {
  if (!settings.upstreamCa) return undefined;
  try {
    return tls.createSecureContext({
      ca: [...tls.rootCertificates, fs.readFileSync(settings.upstreamCa, 'utf8')],
    });
  } catch (err) {
    throw new UserError(
      'invalid_settings',
      `Cannot read the upstream CA ${settings.upstreamCa} (MEM0_TRAY_UPSTREAM_CA): ${(err as Error).message}`,
    );
  }
}
