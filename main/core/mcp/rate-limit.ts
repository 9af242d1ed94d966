// Slows down guessing: after too many failed authentications from one client address within a
// window, that address is refused (HTTP 429) until the window has passed. In memory on purpose:
// it protects one running process, restarts clear it, and tokens are 256-bit random values that
// cannot be guessed anyway — the limiter keeps a misbehaving client from flooding the audit log
// and the CPU. Everything we serve is on 127.0.0.1, so "one client" is usually every local
// process: the block is short and says when to retry.

export interface FailureLimiterOptions {
  /** Failures allowed in the window before refusing. */
  maxFailures?: number;
  windowMs?: number;
  /** How long an address stays refused once over the limit. */
  blockMs?: number;
  now?: () => number;
}

interface Bucket {
  failures: number[];
  blockedUntil: number;
}

export class FailureLimiter {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly blockMs: number;
  private readonly now: () => number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: FailureLimiterOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.blockMs = options.blockMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** 0 when the client may try; otherwise the seconds until it may try again. */
  retryAfter(client: string): number {
    const bucket = this.buckets.get(client);
    if (!bucket) return 0;
    const now = this.now();
    if (bucket.blockedUntil > now) return Math.ceil((bucket.blockedUntil - now) / 1000);
    return 0;
  }

  fail(client: string): void {
    const now = this.now();
    const bucket = this.buckets.get(client) ?? { failures: [], blockedUntil: 0 };
    bucket.failures = bucket.failures.filter((t) => now - t < this.windowMs);
    bucket.failures.push(now);
    if (bucket.failures.length >= this.maxFailures) {
      bucket.blockedUntil = now + this.blockMs;
      bucket.failures = [];
    }
    this.buckets.set(client, bucket);
    if (this.buckets.size > 10_000) this.sweep(now);
  }

  /** Recent failures of one client still inside the window (for status). */
  recentFailures(client: string): number {
    const now = this.now();
    return (this.buckets.get(client)?.failures ?? []).filter((t) => now - t < this.windowMs).length;
  }

  private sweep(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.blockedUntil <= now && b.failures.every((t) => now - t >= this.windowMs))
        this.buckets.delete(key);
    }
  }
}
