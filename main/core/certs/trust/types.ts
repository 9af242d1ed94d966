// The one contract for a place where a CA can be trusted (one contract per boundary): the macOS
// keychains, the Windows Root stores, the Linux system anchors, NSS databases and the environment
// route. Tests are written against this interface.
import type { CaCert } from './ca-cert.js';
import type { ElevatedStep } from './elevation.js';

/** user: this account only, no administrator rights; system: every account, needs a prompt. */
export type TrustScope = 'user' | 'system' | 'environment';

export interface Availability {
  ok: boolean;
  /** Why not, and what to do (e.g. "certutil is missing: apt install libnss3-tools"). */
  reason?: string;
}

/** A certificate of this app found in a store. */
export interface FoundCert {
  sha256: string | null;
  sha1: string | null;
  serial: string | null;
  subject: string;
  /** Store-specific handle used to remove it (nickname, file path, keychain). */
  ref: string | null;
}

export interface StoreStatus {
  id: string;
  label: string;
  scope: TrustScope;
  privileged: boolean;
  available: boolean;
  /** Whether the given (current) CA is trusted here. */
  trusted: boolean;
  /** Earlier CAs of this app still in the store: removable with remove(). */
  others: FoundCert[];
  detail: string | null;
}

/** What to remove: the given certificates (matched by fingerprint), or every CA of this app. */
export type RemoveTarget = { certs: ReadonlyArray<Pick<CaCert, 'sha256' | 'sha1'>> } | 'all';

export interface TrustStore {
  readonly id: string;
  readonly label: string;
  readonly scope: TrustScope;
  /** Installing or removing needs an administrator prompt. */
  readonly privileged: boolean;
  available(): Promise<Availability>;
  status(ca: CaCert | null): Promise<StoreStatus>;
  install(ca: CaCert): Promise<void>;
  /** Returns how many certificates were removed. */
  remove(target: RemoveTarget): Promise<number>;
}

/**
 * A store whose changes run elevated. The manager asks for the steps of every privileged store
 * touched by one user action and runs them in one elevated script: one prompt per action.
 */
export interface PrivilegedTrustStore extends TrustStore {
  readonly privileged: true;
  planInstall(ca: CaCert): Promise<ElevatedStep[]>;
  /** Empty when there is nothing to remove (then no prompt at all). */
  planRemove(target: RemoveTarget): Promise<ElevatedStep[]>;
  /** How many certificates planRemove(target) would remove. */
  countRemovable(target: RemoveTarget): Promise<number>;
}

export function isPrivileged(store: TrustStore): store is PrivilegedTrustStore {
  return store.privileged && typeof (store as PrivilegedTrustStore).planInstall === 'function';
}

/** Whether a found certificate is one of the targets (matched by any fingerprint we have). */
export function matchesTarget(found: FoundCert, target: RemoveTarget): boolean {
  if (target === 'all') return true;
  return target.certs.some(
    (c) =>
      (found.sha256 !== null && found.sha256 === c.sha256) || (found.sha1 !== null && found.sha1 === c.sha1),
  );
}
