// Slows down a misbehaving client: after too many failed authentications, further attempts are
// refused (HTTP 429) until a block has passed. In memory on purpose: it protects one running
// process, restarts clear it, and tokens are 256-bit random values that cannot be guessed anyway —
// the limiter tells a misbehaving client to back off (429 with Retry-After) and keeps it from
// flooding the audit log.
//
// Everything we serve is on 127.0.0.1, so the address alone cannot tell clients apart: one Claude
// Code with a stale token would lock out every other local client. Failures are therefore counted
// per credential (address + the token's public lookup prefix, or + user agent when no well-formed
// token was sent), and only that credential is blocked. A second, higher limit per address catches
// a flood of ever-changing tokens. Under either block invalid attempts are refused, but a valid
// token always passes (the authenticator checks it first). Each block writes one audit row, not
// one per attempt.

export interface FailureLimiterOptions {
  /** Failures of one credential allowed in the window before refusing it. */
  maxFailures?: number;
  /** Failures of all credentials from one address allowed in the window (a flood). */
  maxAddressFailures?: number;
  windowMs?: number;
  /** How long a credential (or a flooding address) stays refused once over its limit. */
  blockMs?: number;
  now?: () => number;
}

/** Who is trying, as the limiter sees it. */
export interface LimiterClient {
  /** The client address ("unknown" when the socket had none). */
  address: string;
  /** What identifies the credential from that address: see credentialFingerprint. */
  credential: string;
}

export type LimitScope = 'credential' | 'address';

/** A refusal: how long to wait, and whether it is the first of its block (the one to audit). */
export interface Refusal {
  retryAfter: number;
  first: boolean;
}

interface Bucket {
  failures: number[];
  blockedUntil: number;
  /** The block's refusal has been reported (audited) once. */
  reported: boolean;
}

const MAX_BUCKETS = 10_000;

/** One family of buckets with its own limit (credentials or addresses). */
class Buckets {
  private readonly map = new Map<string, Bucket>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly blockMs: number,
  ) {}

  retryAfter(key: string, now: number): number {
    const bucket = this.map.get(key);
    if (!bucket || bucket.blockedUntil <= now) return 0;
    return Math.ceil((bucket.blockedUntil - now) / 1000);
  }

  /** Marks the block of key as reported; true the first time in this block. */
  report(key: string): boolean {
    const bucket = this.map.get(key);
    if (!bucket || bucket.reported) return false;
    bucket.reported = true;
    return true;
  }

  fail(key: string, now: number): void {
    const bucket = this.map.get(key) ?? { failures: [], blockedUntil: 0, reported: false };
    bucket.failures = bucket.failures.filter((t) => now - t < this.windowMs);
    bucket.failures.push(now);
    if (bucket.failures.length >= this.max) {
      bucket.blockedUntil = now + this.blockMs;
      bucket.failures = [];
      bucket.reported = false;
    }
    this.map.set(key, bucket);
    if (this.map.size > MAX_BUCKETS) this.sweep(now);
  }

  recent(key: string, now: number): number {
    return (this.map.get(key)?.failures ?? []).filter((t) => now - t < this.windowMs).length;
  }

  private sweep(now: number): void {
    for (const [key, b] of this.map) {
      if (b.blockedUntil <= now && b.failures.every((t) => now - t >= this.windowMs)) this.map.delete(key);
    }
  }
}

/** Credential part of a limiter key: never the token itself, only what is stored in clear anyway. */
export function credentialFingerprint(
  lookupPrefix: string | null,
  userAgent: string | null,
  sentSomething: boolean,
): string {
  if (lookupPrefix) return `token:${lookupPrefix}`;
  return `${sentSomething ? 'malformed' : 'none'}:${(userAgent ?? '').slice(0, 200)}`;
}

export class FailureLimiter {
  readonly maxFailures: number;
  readonly maxAddressFailures: number;
  readonly windowMs: number;
  readonly blockMs: number;
  private readonly now: () => number;
  private readonly credentials: Buckets;
  private readonly addresses: Buckets;

  constructor(options: FailureLimiterOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.maxAddressFailures = options.maxAddressFailures ?? Math.max(100, this.maxFailures * 10);
    this.windowMs = options.windowMs ?? 60_000;
    this.blockMs = options.blockMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.credentials = new Buckets(this.maxFailures, this.windowMs, this.blockMs);
    this.addresses = new Buckets(this.maxAddressFailures, this.windowMs, this.blockMs);
  }

  private key(client: LimiterClient): string {
    return `${client.address} ${client.credential}`;
  }

  /** 0 when this credential may be tried; otherwise seconds until it may (its own failures only). */
  credentialWait(client: LimiterClient): number {
    return this.credentials.retryAfter(this.key(client), this.now());
  }

  /** 0 unless the address as a whole failed too often (a flood of different credentials). */
  addressWait(client: LimiterClient): number {
    return this.addresses.retryAfter(client.address, this.now());
  }

  /** A refused attempt: the wait and whether it is the first refusal of this block. */
  refuse(client: LimiterClient, scope: LimitScope): Refusal {
    const now = this.now();
    if (scope === 'credential') {
      const key = this.key(client);
      return { retryAfter: this.credentials.retryAfter(key, now), first: this.credentials.report(key) };
    }
    return {
      retryAfter: this.addresses.retryAfter(client.address, now),
      first: this.addresses.report(client.address),
    };
  }

  /** A failed authentication: counts against the credential and against its address. */
  fail(client: LimiterClient): void {
    const now = this.now();
    this.credentials.fail(this.key(client), now);
    this.addresses.fail(client.address, now);
  }

  /** Recent failures of one credential still inside the window (for status). */
  recentFailures(client: LimiterClient): number {
    return this.credentials.recent(this.key(client), this.now());
  }
}
