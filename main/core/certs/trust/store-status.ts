// Shared shaping of a store's answer: the current CA (by fingerprint) versus every other CA of this
// app that the store still holds.
import type { CaCert } from './ca-cert.js';
import type { FoundCert, StoreStatus, TrustStore } from './types.js';

export function isSameCert(found: FoundCert, ca: Pick<CaCert, 'sha256' | 'sha1'>): boolean {
  return (
    (found.sha256 !== null && found.sha256 === ca.sha256) || (found.sha1 !== null && found.sha1 === ca.sha1)
  );
}

export function statusFromFound(
  store: TrustStore,
  ca: CaCert | null,
  found: FoundCert[],
  detail: string | null = null,
): StoreStatus {
  const trusted = ca !== null && found.some((f) => isSameCert(f, ca));
  return {
    id: store.id,
    label: store.label,
    scope: store.scope,
    privileged: store.privileged,
    available: true,
    trusted,
    others: ca ? found.filter((f) => !isSameCert(f, ca)) : found,
    detail,
  };
}

export function unavailableStatus(store: TrustStore, reason: string | undefined): StoreStatus {
  return {
    id: store.id,
    label: store.label,
    scope: store.scope,
    privileged: store.privileged,
    available: false,
    trusted: false,
    others: [],
    detail: reason ?? 'not available on this system',
  };
}

export function foundFromCert(cert: CaCert, ref: string | null): FoundCert {
  return {
    sha256: cert.sha256,
    sha1: cert.sha1,
    serial: cert.serial,
    subject: cert.commonName ?? cert.organization ?? '',
    ref,
  };
}
